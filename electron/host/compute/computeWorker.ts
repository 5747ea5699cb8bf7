/**
 * A worker thread of the compute pool: runs the tasks of a registry by name and posts their results back. Its
 * entry (electron/host/computeWorkerMain.ts) hands it every feature's tasks; this folder knows none of them.
 */
import { parentPort } from 'node:worker_threads';
import { SiftError, type SiftErrorInfo } from '../../../shared/errors.js';
import { type AnyComputeTask, computeTaskRegistry } from './computeTask.js';

export interface TaskRequest {
  id: number;
  task: string;
  args: unknown[];
}

/** A failed task's reply: a SiftError's whole info (its code and file), so the caller gets the same error back. */
export type TaskReply =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string; info?: SiftErrorInfo };

export function serveComputeTasks(tasks: readonly AnyComputeTask[]): void {
  const registry = computeTaskRegistry(tasks);
  parentPort!.on('message', async (request: TaskRequest) => {
    let reply: TaskReply;
    try {
      const task = registry.get(request.task);
      if (!task)
        throw new Error(
          `the compute worker has no task named ${request.task} (electron/host/computeTasks.ts lists every feature's tasks)`,
        );
      const run = task.run as (...args: unknown[]) => unknown;
      reply = { id: request.id, ok: true, result: await run(...request.args) };
    } catch (error) {
      reply = {
        id: request.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof SiftError ? { info: error.info } : {}),
      };
    }
    parentPort!.postMessage(reply);
  });
}
