/** Running and recently finished host jobs, with progress and cancel. A finished job leaves after 8 s, or when closed. */
import { useEffect, useState } from 'react';
import { ProgressBar } from '../components/ProgressBar';
import { useJobs } from './jobsStore';

const LINGER_MS = 8000;

export function JobsPanel() {
  const jobs = useJobs((state) => state.jobs);
  const cancel = useJobs((state) => state.cancel);
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());
  const [now, setNow] = useState(() => Date.now());
  const shown = Object.values(jobs)
    .filter((job) => !dismissed.has(job.id) && (job.status === 'running' || now - Date.parse(job.finishedAt ?? '') < LINGER_MS))
    .slice(-4);
  const lingering = shown.some((job) => job.status !== 'running');
  useEffect(() => {
    // Re-render while a finished job is shown, so it leaves on time even if nothing else changes.
    if (!lingering) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [lingering]);
  if (shown.length === 0) return null;
  return (
    <div className="jobs-panel" data-testid="jobs-panel">
      {shown.map((job) => (
        <div key={job.id} className={`job job-${job.status}`} data-testid="job">
          <div className="job-title">
            <span>{job.title}</span>
            {job.status === 'running' ? (
              <button className="link" onClick={() => void cancel(job.id)}>
                Cancel
              </button>
            ) : (
              <span className="job-status">
                {job.status}
                <button className="link" aria-label="Close" title="Close" onClick={() => setDismissed((set) => new Set(set).add(job.id))}>
                  ×
                </button>
              </span>
            )}
          </div>
          {job.status === 'running' && <ProgressBar fraction={job.progress} label={job.title} />}
          <div className="job-message">{job.status === 'failed' ? job.error?.message : job.message}</div>
        </div>
      ))}
    </div>
  );
}
