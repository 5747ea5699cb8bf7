/**
 * The trust-and-safety release metrics (shared/releaseMetrics.ts, docs/release-gates.md) of the version shown:
 * overturn rate of its flags, time to removal, review queue depth over time, high-reach FPR of the category shown at
 * its escalate threshold in force, and appeals. Read from the workspace's moderation log; a metric whose table is
 * missing says so. Refetched a moment after the thresholds move.
 */
import type { Data, Layout } from 'plotly.js';
import { useEffect, useMemo, useState } from 'react';
import type { ReleaseMetrics } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { Plot } from '../components/Plot';
import type { Thresholds } from './evalStore';
import { rateText } from './format';

/** Seconds as the largest unit that keeps the number readable. */
export const durationText = (seconds: number | null) =>
  seconds === null
    ? '—'
    : seconds < 120
      ? `${seconds.toFixed(0)} s`
      : seconds < 7200
        ? `${(seconds / 60).toFixed(1)} min`
        : `${(seconds / 3600).toFixed(1)} h`;

const MISSING = 'no table for it in this workspace';

export function TrustSafetyCard(props: { model: string; version: string; category: string; thresholds: Thresholds }) {
  const { model, version, category, thresholds } = props;
  const [metrics, setMetrics] = useState<ReleaseMetrics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asked = JSON.stringify(thresholds);
  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      api['eval.metrics']({ model, version, thresholds: JSON.parse(asked) as Thresholds }).then(
        (result) => !stale && (setMetrics(result), setError(null)),
        (failure: unknown) => !stale && setError(errorMessage(failure)),
      );
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [model, version, asked]);
  const plot = useMemo(() => (metrics?.queueDepth ? queuePlot(metrics.queueDepth) : null), [metrics]);
  const highReach = metrics?.highReach?.categories.find((c) => c.category === category);
  const rows: [string, string, string][] = metrics
    ? [
        [
          'overturn rate',
          metrics.overturn ? rateText(metrics.overturn.rate) : MISSING,
          `${version}'s removals and escalations a person later passed or restored`,
        ],
        [
          'time to removal',
          metrics.timeToRemoval
            ? `p50 ${durationText(metrics.timeToRemoval.p50Seconds)} · p95 ${durationText(metrics.timeToRemoval.p95Seconds)}`
            : MISSING,
          `from the first report or model flag, over ${metrics.timeToRemoval?.removals.toLocaleString('en-US') ?? 0} removals`,
        ],
        [
          'review queue',
          metrics.queueDepth
            ? `${metrics.queueDepth.last.toLocaleString('en-US')} waiting (peak ${metrics.queueDepth.peak.toLocaleString('en-US')})`
            : MISSING,
          'escalated items no person has decided yet',
        ],
        [
          `high-reach FPR, ${category}`,
          highReach ? rateText(highReach.fpr) : MISSING,
          highReach
            ? `top ${(100 * metrics.highReach!.fraction).toFixed(0)}% by views (≥ ${metrics.highReach!.cutoff?.toLocaleString('en-US') ?? '—'}), escalate ≥ ${highReach.escalate}`
            : 'needs content.views_24h',
        ],
        [
          'appeals overturned',
          metrics.appeals ? rateText(metrics.appeals.overturnedShare) : MISSING,
          metrics.appeals
            ? `of decided appeals; ${rateText(metrics.appeals.appealRate)} of removed items appealed`
            : '',
        ],
      ]
    : [];
  return (
    <div className="card" data-testid="trust-safety-card">
      <h3>Trust and safety — {version}</h3>
      {error && <p className="note">{error}</p>}
      {!metrics && !error && <p className="muted">Reading the moderation log…</p>}
      {metrics && (
        <>
          <table className="trust-safety" data-testid="trust-safety-table">
            <tbody>
              {rows.map(([label, value, note]) => (
                <tr key={label} data-metric={label}>
                  <td>{label}</td>
                  <td className="num">{value}</td>
                  <td className="muted">{note}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {plot && <Plot data={plot.data} layout={plot.layout} testId="queue-depth-plot" height={160} />}
        </>
      )}
    </div>
  );
}

function queuePlot(queue: NonNullable<ReleaseMetrics['queueDepth']>): { data: Data[]; layout: Partial<Layout> } {
  return {
    data: [
      {
        type: 'scatter',
        mode: 'lines',
        name: 'queue depth',
        x: queue.points.map((point) => point.at),
        y: queue.points.map((point) => point.depth),
        line: { width: 1.5 },
        hovertemplate: `%{x}<br>%{y} waiting<extra></extra>`,
      },
    ],
    layout: {
      yaxis: { title: { text: 'waiting' }, rangemode: 'tozero' },
      xaxis: { tickfont: { size: 10 } },
      margin: { l: 50, r: 10, t: 10, b: 30 },
      showlegend: false,
    },
  };
}
