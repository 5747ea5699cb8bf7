/**
 * Obfuscation robustness (docs/release-gates.md): the labelled positives re-scored through the model's own runtime,
 * clean and under each transform; each category's recall at its escalate threshold, the drop against clean text, and
 * the runtime's per-item latency p99. A job: progress and cancel here and in the status bar.
 */
import { useState } from 'react';
import type { RobustnessResult } from '../../shared/contract';
import { api } from '../api/client';
import { awaitJob, isCancelled, useJobs } from '../jobs/jobsStore';
import { useEvaluation } from './evalStore';
import { pct } from './format';

/** A drop at least this large is highlighted (the release gate's limit is the gate file's, not this). */
const NOTABLE_DROP = 0.05;

export function RobustnessCard() {
  const model = useEvaluation((state) => state.model);
  const evaluated = useEvaluation((state) => state.version);
  const models = useEvaluation((state) => state.models);
  // The versions whose runtime is here: robustness re-scores, so a version known only from its scores cannot run.
  const runnable = models.filter((m) => m.name === model && !m.error).map((m) => m.version);
  const [chosen, setChosen] = useState<string | null>(null);
  const version = chosen ?? (evaluated && runnable.includes(evaluated) ? evaluated : (runnable[0] ?? null));
  const [jobId, setJobId] = useState<string | null>(null);
  const [result, setResult] = useState<RobustnessResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJobs((state) => (jobId ? state.jobs[jobId] : undefined));

  const run = async () => {
    if (!version) return;
    setError(null);
    setResult(null);
    try {
      const started = await api['robustness.run']({ model, version });
      setJobId(started.jobId);
      setResult(await awaitJob('robustness.run', started.jobId));
    } catch (caught) {
      if (!isCancelled(caught)) setError((caught as Error).message);
    } finally {
      setJobId(null);
    }
  };

  return (
    <div className="card wide-card" data-testid="robustness">
      <h3>Robustness — recall under obfuscation, re-scored through the model&apos;s own runtime</h3>
      <div className="form-row">
        <select
          value={version ?? ''}
          onChange={(event) => setChosen(event.target.value)}
          disabled={runnable.length === 0 || jobId !== null}
          aria-label="Version to run"
        >
          {runnable.map((v) => (
            <option key={v} value={v}>
              {model} {v}
            </option>
          ))}
        </select>
        <button onClick={() => void run()} disabled={!version || jobId !== null} data-testid="run-robustness">
          Run
        </button>
        {jobId && (
          <button onClick={() => void useJobs.getState().cancel(jobId)} data-testid="cancel-robustness">
            Cancel
          </button>
        )}
      </div>
      {evaluated && !runnable.includes(evaluated) && (
        <p className="muted" data-testid="robustness-not-here">
          {model} {evaluated} (evaluated above) has no runtime here — its scores were imported — so its robustness is
          not applicable; {runnable.length ? 'run a version whose model is here instead.' : 'no version of it is here.'}
        </p>
      )}
      {jobId && (
        <div data-testid="robustness-progress">
          <div className="progress">
            <div
              className={`progress-fill${job?.progress === null || job?.progress === undefined ? ' indeterminate' : ''}`}
              style={job?.progress !== null && job?.progress !== undefined ? { width: `${100 * job.progress}%` } : {}}
            />
          </div>
          <p className="muted">{job?.message ?? 'Starting'}</p>
        </div>
      )}
      {error && <div className="error-box">{error}</div>}
      {result && <RobustnessTable result={result} />}
    </div>
  );
}

function RobustnessTable({ result }: { result: RobustnessResult }) {
  if (!result.applicable)
    return (
      <p className="note" data-testid="robustness-result">
        Not applicable: {result.reason}
      </p>
    );
  return (
    <div data-testid="robustness-result">
      <table>
        <thead>
          <tr>
            <th>category</th>
            <th>positives</th>
            <th>clean</th>
            {result.transforms.map((t) => (
              <th key={t.name} title={t.rule}>
                {t.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.categories.map((c) => (
            <tr key={c.category}>
              <td>{c.category}</td>
              <td className="num">{c.positives.toLocaleString('en-US')}</td>
              <td className="num">{pct(c.cleanRecall)}</td>
              {c.transforms.map((t) => (
                <td
                  key={t.transform}
                  className={`num${t.drop !== null && t.drop >= NOTABLE_DROP ? ' robustness-drop' : ''}`}
                >
                  {pct(t.recall)}
                  {t.drop !== null && ` (${t.drop > 0 ? '−' : '+'}${(100 * Math.abs(t.drop)).toFixed(1)})`}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {result.model} {result.version} on {result.provider}: recall at each category&apos;s escalate threshold, clean
        and under each transform (drop in points; hover a heading for its exact rule). Labels: {result.labelSource}.{' '}
        {result.textsScored.toLocaleString('en-US')} texts scored, {result.textsPerSecond.toLocaleString('en-US')} a
        second.
      </p>
      {result.latency && (
        <p className="muted" data-testid="robustness-latency">
          Latency per item (one item scored alone, {result.latency.items} items): p99 {result.latency.p99Ms.toFixed(2)}{' '}
          ms, p50 {result.latency.p50Ms.toFixed(2)} ms.
        </p>
      )}
    </div>
  );
}
