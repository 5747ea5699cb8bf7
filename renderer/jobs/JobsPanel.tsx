/** Running and recently finished host jobs, with progress and cancel. */
import { ProgressBar } from '../components/ProgressBar';
import { useJobs } from './jobsStore';

export function JobsPanel() {
  const jobs = useJobs((state) => state.jobs);
  const cancel = useJobs((state) => state.cancel);
  const shown = Object.values(jobs)
    .filter((job) => job.status === 'running' || Date.now() - Date.parse(job.finishedAt ?? '') < 8000)
    .slice(-4);
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
              <span className="job-status">{job.status}</span>
            )}
          </div>
          {job.status === 'running' && <ProgressBar fraction={job.progress} label={job.title} />}
          <div className="job-message">{job.status === 'failed' ? job.error?.message : job.message}</div>
        </div>
      ))}
    </div>
  );
}
