import { create } from 'zustand';
import type { InputOf, JobMethodName, JobResultOf, JobStarted } from '../../shared/contract';
import type { SiftErrorInfo } from '../../shared/errors';
import { jobOutcome } from '../../shared/jobRuns';
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
 * Waits for the job `jobId` that `method` started and resolves with its result, typed as the contract declares it;
 * a failed or cancelled job rejects with its error (`info.code` is CANCELLED when cancelled).
 */
export async function awaitJob<M extends JobMethodName>(method: M, jobId: string): Promise<JobResultOf<M>> {
  const outcome = jobOutcome(method, await useJobs.getState().waitFor(jobId));
  if (outcome.ok) return outcome.value;
  throw Object.assign(new Error(outcome.error.message), { info: outcome.error });
}

/**
 * Runs a long host method as a job (progress and cancel in the status bar) and resolves with its result; the UI
 * never waits on a long method's reply while the engine works.
 */
export async function runJob<M extends JobMethodName>(method: M, input: InputOf<M>): Promise<JobResultOf<M>> {
  const start = api[method] as (input: InputOf<M>) => Promise<JobStarted>;
  const { jobId } = await start(input);
  return awaitJob(method, jobId);
}

/** Whether an error is a job's cancellation (as awaitJob rejects with it). */
export function isCancelled(error: unknown): boolean {
  return (error as { info?: SiftErrorInfo } | null)?.info?.code === 'CANCELLED';
}
