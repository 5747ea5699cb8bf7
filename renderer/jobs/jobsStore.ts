import { create } from 'zustand';
import type { JobEvent, JobSummary } from '../../shared/jobs';
import { api } from '../api/client';

interface JobsState {
  jobs: Record<string, JobSummary>;
  apply(event: JobEvent): void;
  cancel(jobId: string): Promise<void>;
  /** Resolves with the job's final summary (done, failed or cancelled). */
  waitFor(jobId: string): Promise<JobSummary>;
}

const waiters = new Map<string, ((job: JobSummary) => void)[]>();

export const useJobs = create<JobsState>((set, get) => ({
  jobs: {},
  apply(event) {
    if (event.type === 'log') return;
    const job = event.job;
    set((state) => ({ jobs: { ...state.jobs, [job.id]: job } }));
    if (job.status !== 'running') {
      for (const resolve of waiters.get(job.id) ?? []) resolve(job);
      waiters.delete(job.id);
    }
  },
  async cancel(jobId) {
    await api['jobs.cancel']({ jobId });
  },
  async waitFor(jobId) {
    const known = get().jobs[jobId];
    if (known && known.status !== 'running') return known;
    const finished = new Promise<JobSummary>((resolve) => waiters.set(jobId, [...(waiters.get(jobId) ?? []), resolve]));
    // The job may have finished before its events arrived (or the event stream reconnected): ask once.
    const current = await api['jobs.get']({ jobId });
    if (current.status !== 'running')
      get().apply({
        type: current.status === 'done' ? 'done' : current.status === 'cancelled' ? 'cancelled' : 'failed',
        job: current,
      } as JobEvent);
    return finished;
  },
}));

/**
 * Runs a long host method as a job (progress and cancel in the status bar) and resolves with its result; the UI
 * never waits on a long method's reply while the engine works.
 */
export async function jobResult<T>(started: Promise<{ jobId: string }>): Promise<T> {
  const { jobId } = await started;
  const job = await useJobs.getState().waitFor(jobId);
  if (job.status === 'done') return job.result as T;
  throw new Error(job.error?.message ?? (job.status === 'cancelled' ? 'Cancelled.' : 'The job failed.'));
}
