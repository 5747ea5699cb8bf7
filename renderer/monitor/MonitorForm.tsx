/**
 * Adding a monitor from the app: the fields of `sift monitor add`, checked by the same rules (shared/monitors.ts)
 * before the host checks them again; the host's refusal is shown as it words it.
 */
import { useState } from 'react';
import type { MonitorInfo } from '../../shared/contract';
import {
  dimensionProblem,
  everyProblem,
  MONITOR_BUCKETS,
  MONITOR_DEFAULTS,
  MONITOR_DIMENSIONS,
  MONITOR_DIRECTIONS,
  MONITOR_SOURCES,
  type MonitorBucket,
  type MonitorDirection,
  type MonitorMeasure,
  type MonitorSource,
  webhookProblem,
} from '../../shared/monitors';
import { api, errorMessage } from '../api/client';

const MEASURE_TITLES: Record<MonitorMeasure, string> = {
  count: 'count (rows)',
  share: "share (a value's part of the total)",
  auto_rate: "the model's auto-action rate",
};

export function MonitorForm({ onAdded, onCancel }: { onAdded(monitor: MonitorInfo): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const [source, setSource] = useState<MonitorSource>('reports');
  const [by, setBy] = useState<string>(MONITOR_DIMENSIONS.reports[0]);
  const [bucket, setBucket] = useState<MonitorBucket>('hour');
  const [measure, setMeasure] = useState<MonitorMeasure>(MONITOR_DEFAULTS.measure);
  const [direction, setDirection] = useState<MonitorDirection>(MONITOR_DEFAULTS.direction);
  const [threshold, setThreshold] = useState(String(MONITOR_DEFAULTS.threshold));
  const [minCount, setMinCount] = useState(String(MONITOR_DEFAULTS.minCount));
  const [every, setEvery] = useState(MONITOR_DEFAULTS.every);
  const [webhooks, setWebhooks] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const dimensions: readonly string[] = MONITOR_DIMENSIONS[source];
  const urls = webhooks
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const localProblem =
    (!name.trim() && 'name: a monitor needs a name.') ||
    dimensionProblem(source, by, measure) ||
    (Number.isNaN(Number(threshold)) || Number(threshold) <= 0 ? 'threshold: a positive number, such as 3.' : null) ||
    (!/^\d+$/.test(minCount.trim()) ? 'min count: a whole number, such as 5.' : null) ||
    (everyProblem(every) ? `every: ${everyProblem(every)}` : null) ||
    urls.map((url) => webhookProblem(url)).find(Boolean) ||
    null;

  const submit = async () => {
    if (localProblem) return setProblem(localProblem);
    setSaving(true);
    setProblem(null);
    try {
      const monitor = await api['monitors.add']({
        name: name.trim(),
        source,
        by,
        bucket,
        measure,
        direction,
        threshold: Number(threshold),
        minCount: Number(minCount),
        every: every.trim(),
        ...(urls.length ? { webhooks: urls } : {}),
      });
      onAdded(monitor);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="card monitor-form"
      data-testid="monitor-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3>Add a monitor</h3>
      <div className="form-grid">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="monitor-name" autoFocus />
        </label>
        <label>
          Source
          <select
            value={source}
            onChange={(e) => {
              const next = e.target.value as MonitorSource;
              setSource(next);
              if (!(MONITOR_DIMENSIONS[next] as readonly string[]).includes(by)) setBy(MONITOR_DIMENSIONS[next][0]);
              if (next !== 'actions' && measure === 'auto_rate') setMeasure('count');
            }}
            data-testid="monitor-source"
          >
            {MONITOR_SOURCES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          By
          <select value={by} onChange={(e) => setBy(e.target.value)} data-testid="monitor-by">
            {dimensions.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          Bucket
          <select
            value={bucket}
            onChange={(e) => setBucket(e.target.value as MonitorBucket)}
            data-testid="monitor-bucket"
          >
            {MONITOR_BUCKETS.map((b) => (
              <option key={b}>{b}</option>
            ))}
          </select>
        </label>
        <label>
          Measure
          <select value={measure} onChange={(e) => setMeasure(e.target.value as MonitorMeasure)}>
            {(Object.keys(MEASURE_TITLES) as MonitorMeasure[]).map((m) => (
              <option key={m} value={m} disabled={m === 'auto_rate' && source !== 'actions'}>
                {MEASURE_TITLES[m]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Direction
          <select value={direction} onChange={(e) => setDirection(e.target.value as MonitorDirection)}>
            {MONITOR_DIRECTIONS.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label title="A bucket is anomalous when its z-score against the baseline reaches this">
          z ≥
          <input
            className="num-input"
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
            inputMode="decimal"
          />
        </label>
        <label title="Buckets with fewer rows than this never alert">
          Min count
          <input
            className="num-input"
            value={minCount}
            onChange={(e) => setMinCount(e.target.value)}
            inputMode="numeric"
          />
        </label>
        <label title="How often it checks for new data: 5s, 1m, 1h">
          Every
          <input
            className="num-input"
            value={every}
            onChange={(e) => setEvery(e.target.value)}
            data-testid="monitor-every"
          />
        </label>
      </div>
      <label className="wide">
        Webhooks (one URL a line; kept on the host, shown by host name only)
        <textarea
          rows={2}
          className="mono"
          value={webhooks}
          onChange={(e) => setWebhooks(e.target.value)}
          placeholder="https://hooks.slack.com/services/…"
          data-testid="monitor-webhooks-input"
        />
      </label>
      {problem && (
        <div className="error-box" role="alert" data-testid="monitor-form-error">
          {problem}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={saving} data-testid="monitor-add-submit">
          {saving ? 'Adding…' : 'Add monitor'}
        </button>
      </div>
    </form>
  );
}
