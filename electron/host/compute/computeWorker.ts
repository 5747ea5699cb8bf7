/** A worker thread of the compute pool: runs named tasks (tasks.ts) and posts their results back. */
import { parentPort } from 'node:worker_threads';
import { COMPUTE_TASKS, type ComputeTaskName } from './tasks.js';

export interface TaskRequest {
  id: number;
  task: ComputeTaskName;
  args: unknown[];
}

export type TaskReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

parentPort!.on('message', async (request: TaskRequest) => {
  let reply: TaskReply;
  try {
    const run = COMPUTE_TASKS[request.task] as (...args: unknown[]) => unknown;
    reply = { id: request.id, ok: true, result: await run(...request.args) };
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
