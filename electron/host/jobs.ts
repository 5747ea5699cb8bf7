/**
 * Long host work runs as a job: it reports progress, can be cancelled, and ends done, failed or cancelled.
 * Subscribers (the IPC bridge, the browser-mode event stream, the CLI) receive every event.
 */
import { randomUUID } from 'node:crypto';
import { SiftError, toErrorInfo } from '../../shared/errors.js';
import type { JobEvent, JobSummary } from '../../shared/jobs.js';

export interface JobContext {
  signal: AbortSignal;
  progress(fraction: number | null, message?: string): void;
  log(message: string): void;
}

/** For a call that runs long work inline (the CLI, scripts): no progress to show, nothing to cancel. */
export const quietJobContext = (): JobContext => ({
  signal: new AbortController().signal,
  progress: () => undefined,
  log: () => undefined,
});

type Listener = (event: JobEvent) => void;

const KEEP_FINISHED = 100;

export class JobManager {
  private readonly jobs = new Map<
    string,
    { summary: JobSummary; controller: AbortController; finished: Promise<void> }
  >();
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: JobEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  start<T>(kind: string, title: string, work: (ctx: JobContext) => Promise<T>): JobSummary {
    const controller = new AbortController();
    const summary: JobSummary = {
      id: randomUUID(),
      kind,
      title,
      status: 'running',
      progress: null,
      message: 'Starting…',
      startedAt: new Date().toISOString(),
    };
    let lastEmit = 0;
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (fraction, message) => {
        if (summary.status !== 'running') return;
        summary.progress = fraction === null ? null : Math.max(0, Math.min(1, fraction));
        if (message) summary.message = message;
        const now = Date.now();
        if (now - lastEmit >= 100 || fraction === 1) {
          lastEmit = now;
          this.emit({ type: 'progress', job: { ...summary } });
        }
      },
      log: (message) => this.emit({ type: 'log', jobId: summary.id, message }),
    };
    const finished = (async () => {
      try {
        const result = await work(ctx);
        if (controller.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: `${title}: cancelled.` });
        summary.status = 'done';
        summary.progress = 1;
        summary.message = 'Done';
        summary.result = result;
      } catch (error) {
        const info = toErrorInfo(error);
        summary.status = info.code === 'CANCELLED' || controller.signal.aborted ? 'cancelled' : 'failed';
        summary.message = summary.status === 'cancelled' ? 'Cancelled' : info.message;
        summary.error = summary.status === 'cancelled' ? { code: 'CANCELLED', message: `${title}: cancelled.` } : info;
      }
      summary.finishedAt = new Date().toISOString();
      const type = summary.status === 'done' ? 'done' : summary.status === 'cancelled' ? 'cancelled' : 'failed';
      this.emit({ type, job: { ...summary } } as JobEvent);
      this.prune();
    })();
    this.jobs.set(summary.id, { summary, controller, finished });
    this.emit({ type: 'progress', job: { ...summary } });
    return { ...summary };
  }

  get(id: string): JobSummary {
    const entry = this.jobs.get(id);
    if (!entry) throw new SiftError({ code: 'NOT_FOUND', message: `No job with id ${id}.` });
    return { ...entry.summary };
  }

  list(): JobSummary[] {
    return [...this.jobs.values()].map((entry) => ({ ...entry.summary })).reverse();
  }

  cancel(id: string): boolean {
    const entry = this.jobs.get(id);
    if (!entry) throw new SiftError({ code: 'NOT_FOUND', message: `No job with id ${id}.` });
    if (entry.summary.status !== 'running') return false;
    entry.controller.abort();
    return true;
  }

  /** Resolves with the job's final summary; for the CLI and tests. */
  async wait(id: string): Promise<JobSummary> {
    const entry = this.jobs.get(id);
    if (!entry) throw new SiftError({ code: 'NOT_FOUND', message: `No job with id ${id}.` });
    await entry.finished;
    return { ...entry.summary };
  }

  async cancelAll(): Promise<void> {
    for (const entry of this.jobs.values()) if (entry.summary.status === 'running') entry.controller.abort();
    await Promise.all([...this.jobs.values()].map((entry) => entry.finished));
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((entry) => entry.summary.status !== 'running');
    for (const entry of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(entry.summary.id);
  }
}

/** Polls a DuckDB connection's progress into a job while `work` runs, and interrupts it on cancel. */
export async function trackDuckdbWork<T>(
  conn: { progress: { percentage: number }; interrupt(): void },
  ctx: JobContext,
  message: string,
  work: () => Promise<T>,
): Promise<T> {
  const onAbort = () => conn.interrupt();
  ctx.signal.addEventListener('abort', onAbort);
  const timer = setInterval(() => {
    const percentage = conn.progress.percentage;
    ctx.progress(percentage >= 0 ? percentage / 100 : null, message);
  }, 150);
  try {
    if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Cancelled.' });
    return await work();
  } finally {
    clearInterval(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
