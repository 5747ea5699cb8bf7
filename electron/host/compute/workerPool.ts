/**
 * A bounded pool of worker threads for CPU-bound JavaScript (evaluation figures today; calibration fits, MinHash
 * and model training as they move here), so one long computation never delays another call on the engine's
 * event loop. Tasks queue when every worker is busy; a cancelled task's worker is replaced, not reused.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { SiftError } from '../../../shared/errors.js';
import { nodeWorkerThreads } from '../lazyBuiltins.js';
import type { ComputeTask } from './computeTask.js';
import type { TaskReply, TaskRequest } from './computeWorker.js';

interface Queued {
  request: TaskRequest;
  transfer: ArrayBuffer[];
  signal?: AbortSignal;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The worker's entry, which registers every feature's tasks: electron/host/computeWorkerMain.ts, started through
 * computeWorkerBoot.mjs beside it when running from source (through tsx), or computeWorker.mjs beside the bundle.
 */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts')
    ? path.join(path.dirname(here), '..', 'computeWorkerBoot.mjs')
    : path.join(path.dirname(here), 'computeWorker.mjs');
}

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Queued>();
  private readonly queue: Queued[] = [];
  private workers = 0;
  private nextId = 1;
  private closed = false;

  constructor(readonly size = poolSize) {}

  run<Args extends unknown[], Result>(
    task: ComputeTask<Args, Result>,
    args: Args,
    options: { transfer?: ArrayBuffer[]; signal?: AbortSignal } = {},
  ): Promise<Result> {
    if (this.closed) return Promise.reject(new SiftError({ code: 'INTERNAL', message: 'The compute pool is closed.' }));
    if (options.signal?.aborted) return Promise.reject(new SiftError({ code: 'CANCELLED', message: 'Cancelled.' }));
    return new Promise((resolve, reject) => {
      const queued: Queued = {
        request: { id: this.nextId++, task: task.name, args },
        transfer: options.transfer ?? [],
        signal: options.signal,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      options.signal?.addEventListener('abort', () => this.cancel(queued), { once: true });
      this.queue.push(queued);
      this.pump();
    });
  }

  /**
   * Starts every worker the pool may run, idle, so a job about to hand it work does not wait for them to boot: an
   * evaluation calls it before its scan in DuckDB, which takes longer than a worker's start.
   */
  prestart(): void {
    while (!this.closed && this.workers < this.size) this.idle.push(this.spawn());
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.workers < this.size) worker = this.spawn();
      if (!worker) return;
      const next = this.queue.shift()!;
      this.busy.set(worker, next);
      worker.postMessage(next.request, next.transfer);
    }
  }

  private spawn(): Worker {
    const worker = new (nodeWorkerThreads().Worker)(workerEntry());
    worker.unref();
    this.workers++;
    worker.on('message', (reply: TaskReply) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      if (task) {
        if (reply.ok) task.resolve(reply.result);
        else task.reject(new SiftError(reply.info ?? { code: 'INTERNAL', message: reply.message }));
      }
      this.pump();
    });
    worker.on('error', (error) => this.retire(worker, error));
    worker.on('exit', () => this.retire(worker, new Error('a compute worker exited')));
    return worker;
  }

  /** A worker that failed or was stopped: its task (if any) fails, and it is not used again. */
  private retire(worker: Worker, error: unknown): void {
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    const task = this.busy.get(worker);
    if (!this.busy.delete(worker) && index < 0) return;
    this.workers--;
    task?.reject(
      error instanceof SiftError
        ? error
        : new SiftError({
            code: 'INTERNAL',
            message: `A computation failed: ${error instanceof Error ? error.message : String(error)}`,
          }),
    );
    if (!this.closed) this.pump();
  }

  private cancel(queued: Queued): void {
    const waiting = this.queue.indexOf(queued);
    if (waiting >= 0) {
      this.queue.splice(waiting, 1);
      queued.reject(new SiftError({ code: 'CANCELLED', message: 'Cancelled.' }));
      return;
    }
    for (const [worker, task] of this.busy) {
      if (task !== queued) continue;
      this.busy.delete(worker);
      this.workers--;
      queued.reject(new SiftError({ code: 'CANCELLED', message: 'Cancelled.' }));
      void worker.terminate();
      this.pump();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    for (const task of [...this.busy.values(), ...this.queue])
      task.reject(new SiftError({ code: 'CANCELLED', message: 'The compute pool closed.' }));
    this.busy.clear();
    this.queue.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

let shared: WorkerPool | null = null;

/** Workers a pool runs: a core is left to the thread that answers calls, at most four. */
let poolSize = Math.max(1, Math.min(4, os.availableParallelism() - 1));

/**
 * For a process whose compute threads run at lower priority than the one answering calls (the engine on Linux,
 * threadPriority.ts): that thread wins the CPU anyway, so the pool may use every core, and at least two.
 */
export function computeOnEveryCore(): void {
  poolSize = Math.max(2, Math.min(4, os.availableParallelism()));
}

/** The process's pool, started on first use. */
export function computePool(): WorkerPool {
  shared ??= new WorkerPool();
  return shared;
}

/**
 * Stops the process's pool (a later computePool() starts a new one). A one-shot process such as a CLI command calls
 * it when done: an idle worker's message port can otherwise keep Node from exiting.
 */
export async function shutdownComputePool(): Promise<void> {
  const pool = shared;
  shared = null;
  await pool?.close();
}
