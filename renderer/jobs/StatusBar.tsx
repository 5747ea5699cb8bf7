/**
 * The status bar: a row under the views with the running host jobs (progress, cancel) and the recently finished
 * ones (each leaves after 8 s, or when closed). It sits in the page's flow, so a notice never covers a control.
 */
import { useEffect, useState } from 'react';
import { ProgressBar } from '../components/ProgressBar';
import { useJobs } from './jobsStore';

const LINGER_MS = 8000;

export function StatusBar() {
  const jobs = useJobs((state) => state.jobs);
  const cancel = useJobs((state) => state.cancel);
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const [now, setNow] = useState(() => Date.now());
  const shown = Object.values(jobs)
    .filter(
      (job) =>
        !dismissed.has(job.id) && (job.status === 'running' || now - Date.parse(job.finishedAt ?? '') < LINGER_MS),
    )
    .slice(-4);
  const lingering = shown.some((job) => job.status !== 'running');
  useEffect(() => {
    // Re-render while a finished job is shown, so it leaves on time even if nothing else changes.
    if (!lingering) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [lingering]);
  return (
    <footer className="status-bar" role="status" aria-label="Jobs" data-testid="status-bar">
      {shown.length === 0 && <span className="muted">No jobs running.</span>}
      {shown.map((job) => {
        const message = job.status === 'failed' ? job.error?.message : job.message;
        return (
          <div key={job.id} className={`job job-${job.status}`} data-testid="job">
            <span className="job-title">{job.title}</span>
            {job.status === 'running' ? (
              <ProgressBar fraction={job.progress} label={job.title} />
            ) : (
              <span className="job-status">{job.status}</span>
            )}
            <span className="job-message">{message}</span>
            {job.status === 'running' ? (
              <button className="link" onClick={() => void cancel(job.id)}>
                Cancel
              </button>
            ) : (
              <button
                className="link"
                aria-label="Close"
                title="Close"
                onClick={() => setDismissed((set) => new Set(set).add(job.id))}
              >
                ×
              </button>
            )}
          </div>
        );
      })}
    </footer>
  );
}
