/**
 * "May this version ship?" Pick the candidate and the baseline among the model's versions, run the gates (a job:
 * progress, cancel), and read each category's each gate's verdict beside the gate file's editor. The verdicts are
 * those `sift gate` prints; "Save report" saves the page `sift gate --report` writes (shared/releaseReport.ts).
 */
import { useEffect, useState } from 'react';
import type { GateReport, GateResult } from '../../shared/gates';
import { dropVerdict, figureText, gateVerdict, intervalText, targetText } from '../../shared/releaseReport';
import { errorMessage } from '../api/client';
import { useJobs } from '../jobs/jobsStore';
import { useEvaluation } from './evalStore';
import { GateFileEditor } from './GateFileEditor';
import { useRelease } from './releaseStore';

function VerdictRow({ gate }: { gate: GateResult }) {
  const verdict = gateVerdict(gate);
  return (
    <tr data-verdict={verdict} data-testid="gate-row">
      <td>{gate.category}</td>
      <td>
        {gate.gate}
        {gate.optional ? ' (optional)' : ''}
      </td>
      <td className="num">{figureText(gate.candidate)}</td>
      <td className="num">{figureText(gate.baseline)}</td>
      <td className="num">{targetText(gate)}</td>
      <td className="num">{intervalText(gate.interval)}</td>
      <td className="num">{gate.n.toLocaleString('en-US')}</td>
      <td>
        <span className={`verdict ${verdict.replace(' ', '-')}`}>{verdict}</span>
        {gate.reason && <div className="muted">{gate.reason}</div>}
      </td>
    </tr>
  );
}

/** The robustness run behind the gates: each category by transform, clean and transformed recall, drop, limit. */
function RobustnessFigures({ report }: { report: GateReport }) {
  const figures = report.robustness;
  if (!figures) return null;
  if (!figures.applicable)
    return (
      <div className="muted" data-testid="release-robustness">
        No robustness figures: {figures.reason ?? 'the candidate has no runtime here'}
      </div>
    );
  return (
    <div className="table-scroll" data-testid="release-robustness">
      <h4>Recall under each transform (candidate {report.candidate})</h4>
      <table className="release-table">
        <thead>
          <tr>
            <th>category</th>
            <th>transform</th>
            <th>n</th>
            <th>recall (clean)</th>
            <th>recall (transformed)</th>
            <th>drop</th>
            <th>limit</th>
            <th>verdict</th>
          </tr>
        </thead>
        <tbody>
          {figures.categories.flatMap((row) => {
            const gate = report.gates.find((g) => g.gate === 'robustness' && g.category === row.category);
            return row.transforms.map((transform, index) => {
              const verdict = dropVerdict(transform.drop, transform.limit);
              return (
                <tr key={`${row.category}:${transform.transform}`} data-verdict={verdict}>
                  {index === 0 && (
                    <td rowSpan={row.transforms.length}>
                      {row.category}
                      <div className="muted">at {figureText(row.threshold)}</div>
                      {gate ? (
                        <span className={`verdict ${gateVerdict(gate).replace(' ', '-')}`}>{gateVerdict(gate)}</span>
                      ) : (
                        <span className="muted">no gate</span>
                      )}
                    </td>
                  )}
                  <td>{transform.transform}</td>
                  <td className="num">{row.n.toLocaleString('en-US')}</td>
                  <td className="num">{figureText(row.cleanRecall)}</td>
                  <td className="num">{figureText(transform.recall)}</td>
                  <td className="num">{figureText(transform.drop)}</td>
                  <td className="num">{transform.limit === null ? '—' : `≤ ${figureText(transform.limit)}`}</td>
                  <td>
                    {verdict === 'no limit' ? (
                      <span className="muted">no limit</span>
                    ) : (
                      <span className={`verdict ${verdict.replace(' ', '-')}`}>{verdict}</span>
                    )}
                  </td>
                </tr>
              );
            });
          })}
        </tbody>
      </table>
      <div className="muted">
        {figures.latency
          ? `Latency p99 measured: ${figures.latency.p99Ms.toFixed(2)} ms per item over ${figures.latency.items.toLocaleString('en-US')} items.`
          : 'No latency measured in this run.'}
      </div>
    </div>
  );
}

/** Saves the report page as a file (a download in the browser; Electron asks where). */
function download(text: string, filename: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/html' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ReleaseCheck() {
  const model = useEvaluation((state) => state.model);
  const versions = useEvaluation((state) => state.versions).filter((v) => v.model === model);
  const release = useRelease();
  const job = useJobs((state) => (release.jobId ? state.jobs[release.jobId] : undefined));
  const [saveNote, setSaveNote] = useState<string | null>(null);
  const { report } = release;

  // The newest version is the candidate and the one before it the baseline, until the user picks others.
  useEffect(() => {
    const names = versions.map((v) => v.version);
    if (names.length === 0 || names.includes(release.candidate)) return;
    release.setCandidate(names[names.length - 1]!);
    release.setBaseline(names.length > 1 ? names[names.length - 2]! : '');
  }, [versions, release]);

  const saveReport = () => {
    setSaveNote('Evaluating both versions for the curves…');
    release.reportPage().then(
      (page) => {
        download(page, `release-report-${model}-${report?.candidate ?? ''}.html`);
        setSaveNote(null);
      },
      (error: unknown) => setSaveNote(errorMessage(error)),
    );
  };

  return (
    <div className="release-check" data-testid="release-check">
      <div className="release-main">
        <div className="toolbar release-toolbar">
          <label>
            Candidate{' '}
            <select
              value={release.candidate}
              onChange={(event) => release.setCandidate(event.target.value)}
              data-testid="release-candidate"
            >
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
          </label>
          <label>
            Baseline{' '}
            <select
              value={release.baseline}
              onChange={(event) => release.setBaseline(event.target.value)}
              data-testid="release-baseline"
            >
              <option value="">— none —</option>
              {versions
                .filter((v) => v.version !== release.candidate)
                .map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version}
                  </option>
                ))}
            </select>
          </label>
          {release.running ? (
            <button
              className="danger"
              disabled={!release.jobId}
              onClick={() => void release.cancel()}
              data-testid="release-cancel"
            >
              Cancel
            </button>
          ) : (
            <button
              className="primary"
              disabled={!release.candidate}
              onClick={() => void release.run(model)}
              data-testid="release-run"
            >
              Run the gates
            </button>
          )}
          {report && (
            <button onClick={saveReport} data-testid="release-save-report">
              Save report
            </button>
          )}
          <span className="status" role="status" data-testid="release-progress">
            {release.running
              ? `${job?.message || 'Judging…'}${job?.progress != null ? ` ${Math.round(job.progress * 100)}%` : ''}`
              : (saveNote ?? '')}
          </span>
        </div>
        {release.runNote && (
          <div className="error-box" data-testid="release-note">
            {release.runNote}
          </div>
        )}
        {report && (
          <div className="release-verdicts">
            <div
              className={`banner ${report.passed ? 'passed' : 'failed'}`}
              data-testid="release-verdict"
              data-passed={report.passed}
            >
              {report.passed
                ? `${model} ${report.candidate} may ship: every gate passed`
                : `${model} ${report.candidate} is blocked: ${report.gates.filter((g) => !g.passed).length} of ${report.gates.length} gates did not pass`}{' '}
              ({report.items.toLocaleString('en-US')} labelled items both versions scored).
            </div>
            <div className="table-scroll">
              <table className="release-table" data-testid="release-gates">
                <thead>
                  <tr>
                    <th>category</th>
                    <th>gate</th>
                    <th>candidate</th>
                    <th>baseline</th>
                    <th>target</th>
                    <th>interval (cand. − base.)</th>
                    <th>n</th>
                    <th>verdict</th>
                  </tr>
                </thead>
                <tbody>
                  {report.gates.map((gate) => (
                    <VerdictRow key={`${gate.category}:${gate.gate}`} gate={gate} />
                  ))}
                </tbody>
              </table>
            </div>
            <RobustnessFigures report={report} />
          </div>
        )}
        {!report && !release.running && !release.runNote && (
          <div className="empty">Pick a candidate and a baseline, then run the gates of policy/gates.json.</div>
        )}
      </div>
      <GateFileEditor />
    </div>
  );
}
