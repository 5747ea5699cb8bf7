/**
 * Awaiting a job, typed by the method that started it. A long operation's call answers `{ jobId }`; its end arrives
 * as a job event. `dispatchJob` starts one through any transport that dispatches contract calls and delivers host
 * events (the Host, the engine process's client) — so validation and caller access apply as to every call — and
 * answers the job's result as the contract declares it. The renderer waits on its own event stream and reads the
 * end with `jobOutcome` (renderer/jobs/jobsStore.ts).
 */
import type { Caller } from './callerAccess.js';
import type { CallOutcome, JobMethodName, JobResultOf, JobStarted } from './contract.js';
import { SiftError } from './errors.js';
import type { HostEvent, JobSummary } from './jobs.js';

export interface JobTransport {
  dispatch(name: string, input: unknown, caller?: Caller): Promise<CallOutcome>;
  onEvent(listener: (event: HostEvent) => void): () => void;
}

/** How a caller follows a job while it runs. */
export interface JobWatch {
  caller?: Caller;
  onProgress?(job: JobSummary): void;
  onLog?(message: string): void;
  /** Aborting it cancels the job (jobs.cancel). */
  signal?: AbortSignal;
}

/** A finished job's outcome, typed by the method that started it (checked against the job's own record). */
export function jobOutcome<M extends JobMethodName>(method: M, job: JobSummary): CallOutcome<JobResultOf<M>> {
  if (job.method !== method)
    return { ok: false, error: { code: 'INTERNAL', message: `Job ${job.id} is a ${job.method}, not a ${method}.` } };
  if (job.status === 'done') return { ok: true, value: job.result as JobResultOf<M> };
  if (job.status === 'running')
    return { ok: false, error: { code: 'INTERNAL', message: `Job ${job.id} (${method}) is still running.` } };
  const code = job.status === 'cancelled' ? 'CANCELLED' : 'INTERNAL';
  return { ok: false, error: job.error ?? { code, message: job.message } };
}

/** The value of an outcome, or its error thrown as a SiftError. */
export function valueOf<T>(outcome: CallOutcome<T>): T {
  if (!outcome.ok) throw new SiftError(outcome.error);
  return outcome.value;
}

/**
 * Starts `method` as a job through `transport.dispatch`, follows it, and answers its typed result — or the refusal
 * of the call, or the job's error (CANCELLED when cancelled). Never throws.
 */
export async function dispatchJob<M extends JobMethodName>(
  transport: JobTransport,
  method: M,
  input: unknown,
  watch: JobWatch = {},
): Promise<CallOutcome<JobResultOf<M>>> {
  let jobId: string | null = null;
  const endedEarly = new Map<string, JobSummary>(); // jobs that ended while the call was on its way back
  let settle: (job: JobSummary) => void = () => undefined;
  const ended = new Promise<JobSummary>((resolve) => (settle = resolve));
  const unsubscribe = transport.onEvent((event) => {
    if (event.channel !== 'job') return;
    const jobEvent = event.event;
    if (jobEvent.type === 'log') {
      if (jobEvent.jobId === jobId) watch.onLog?.(jobEvent.message);
    } else if (jobEvent.type === 'progress') {
      if (jobEvent.job.id === jobId) watch.onProgress?.(jobEvent.job);
    } else if (jobId === null) endedEarly.set(jobEvent.job.id, jobEvent.job);
    else if (jobEvent.job.id === jobId) settle(jobEvent.job);
  });
  const cancel = () => {
    if (jobId !== null) void transport.dispatch('jobs.cancel', { jobId }, watch.caller);
  };
  try {
    const started = await transport.dispatch(method, input, watch.caller);
    if (!started.ok) return started;
    jobId = (started.value as JobStarted).jobId;
    const early = endedEarly.get(jobId);
    endedEarly.clear();
    if (early) settle(early);
    watch.signal?.addEventListener('abort', cancel);
    if (watch.signal?.aborted) cancel();
    // Over a transport whose events can lag or drop, the job may have ended unseen: ask once.
    const now = await transport.dispatch('jobs.get', { jobId }, watch.caller);
    if (now.ok && (now.value as JobSummary).status !== 'running') settle(now.value as JobSummary);
    return jobOutcome(method, await ended);
  } finally {
    unsubscribe();
    watch.signal?.removeEventListener('abort', cancel);
  }
}
