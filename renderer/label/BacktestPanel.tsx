/**
 * The session's time backtest (the `sessions.backtest` job, shared/backtest.ts): a cut date, a run button with the
 * job's progress and a cancel, and per category the recipe cross-validated before the cut beside it trained before
 * and judged after, with the drop.
 */
import { useState } from 'react';
import type { BacktestFigures, BacktestOutcome, JobStarted, SessionSummary } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { awaitJob, isCancelled, useJobs } from '../jobs/jobsStore';

const figure = (value: number | null) => (value === null ? '—' : value.toFixed(3));
const drop = (value: number | null) =>
  value === null ? '—' : `${value > 0.0005 ? '−' : value < -0.0005 ? '+' : '±'}${Math.abs(value).toFixed(3)}`;

/** One figure both ways and its change; a drop of more than 0.05 is marked. */
function Pair({
  inSample,
  outOfTime,
  change,
}: {
  inSample: number | null;
  outOfTime: number | null;
  change: number | null;
}) {
  return (
    <>
      <td className="num">{figure(inSample)}</td>
      <td className="num">{figure(outOfTime)}</td>
      <td className={`num ${change !== null && change > 0.05 ? 'decayed' : ''}`}>{drop(change)}</td>
    </>
  );
}

const n = (side: BacktestFigures) => `${side.n} (${side.positives}+)`;

function BacktestTable({ outcome }: { outcome: BacktestOutcome }) {
  return (
    <table className="backtest" data-testid="backtest-table">
      <thead>
        <tr>
          <th rowSpan={2}>category</th>
          <th rowSpan={2}>n train</th>
          <th rowSpan={2}>n test</th>
          <th colSpan={3}>average precision</th>
          <th colSpan={3}>ROC AUC</th>
          <th colSpan={3}>recall at the escalate threshold</th>
        </tr>
        <tr>
          {['AP', 'AUC', 'recall'].flatMap((name) => [
            <th key={`${name}-in`}>in sample</th>,
            <th key={`${name}-out`}>out of time</th>,
            <th key={`${name}-drop`}>change</th>,
          ])}
        </tr>
      </thead>
      <tbody>
        {outcome.categories.map((c) => (
          <tr key={c.category} data-testid={`backtest-${c.category}`} title={c.reason}>
            <td>
              {c.category}
              {c.reason && <div className="muted no-figure">{c.reason}</div>}
            </td>
            <td className="num">{n(c.inSample)}</td>
            <td className="num">{n(c.outOfTime)}</td>
            <Pair
              inSample={c.inSample.averagePrecision}
              outOfTime={c.outOfTime.averagePrecision}
              change={c.drop.averagePrecision}
            />
            <Pair inSample={c.inSample.rocAuc} outOfTime={c.outOfTime.rocAuc} change={c.drop.rocAuc} />
            <Pair inSample={c.inSample.recall} outOfTime={c.outOfTime.recall} change={c.drop.recall} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BacktestPanel({ session }: { session: SessionSummary }) {
  // No default: a cut only means something against the content's own dates (a refusal names their span).
  const [cut, setCut] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<BacktestOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useJobs((state) => (jobId ? state.jobs[jobId] : undefined));
  const run = async () => {
    setError(null);
    try {
      const started: JobStarted = await api['sessions.backtest']({ sessionId: session.id, cut });
      setJobId(started.jobId);
      setOutcome(await awaitJob('sessions.backtest', started.jobId));
    } catch (err) {
      if (!isCancelled(err)) setError(errorMessage(err));
    } finally {
      setJobId(null);
    }
  };
  return (
    <div className="backtest-panel" data-testid="backtest-panel">
      <p className="muted">
        How the session&apos;s recipe ({session.model}&apos;s retrain) decays over time: trained on content created
        before the cut and judged on labeled content after it, beside the same recipe judged before it by 5-fold
        cross-validation. A large drop means a policy change or a season the old labels do not cover.
      </p>
      <div className="form-row">
        <label>
          Cut{' '}
          <input type="date" value={cut} onChange={(event) => setCut(event.target.value)} data-testid="backtest-cut" />
        </label>
        <button
          className="primary"
          onClick={() => void run()}
          disabled={jobId !== null || !cut}
          data-testid="backtest-run"
        >
          {jobId ? 'Backtesting…' : 'Run backtest'}
        </button>
        {jobId && (
          <>
            <span className="muted" data-testid="backtest-progress">
              {job?.message ?? ''}
              {job?.progress !== null && job?.progress !== undefined ? ` ${Math.round(job.progress * 100)}%` : ''}
            </span>
            <button onClick={() => void useJobs.getState().cancel(jobId)}>Cancel</button>
          </>
        )}
      </div>
      {error && (
        <div className="error-box" role="alert" data-testid="backtest-error">
          {error}
        </div>
      )}
      {outcome && (
        <div data-testid="backtest-result">
          <p>
            Cut at <b>{outcome.cut.replace('T00:00:00.000Z', '')}</b>: trained on {outcome.trainItems} items before it (
            {outcome.trainLabeled} labeled by people), judged on {outcome.testLabeled} labeled items after it.
            {outcome.undated > 0 ? ` ${outcome.undated} labeled item(s) have no created_at and were left out.` : ''}
          </p>
          <BacktestTable outcome={outcome} />
        </div>
      )}
    </div>
  );
}
