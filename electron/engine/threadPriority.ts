/**
 * The engine's serving threads before its computing ones, when the CPU is short. On Linux a thread has its own nice
 * value, so the threads the engine starts with — its main thread, which answers calls, and libuv's pool, which runs
 * DuckDB calls and file work for it — keep normal priority, while every thread started later (DuckDB's and
 * onnxruntime's worker threads, the compute pool's workers) is lowered to nice 10. A trivial call then waits for
 * CPU behind no million-row evaluation; with the CPU free, nice changes nothing. Raising priority back needs
 * privileges, so only threads created after the snapshot are touched. Elsewhere this does nothing.
 */
import fs from 'node:fs';
import os from 'node:os';

export const COMPUTE_NICE = 10;
const TASKS = '/proc/self/task';

/** Lowers every thread that appears after this call, for the life of the process; false where it cannot. */
export function lowerLaterThreads(intervalMs = 250): boolean {
  if (process.platform !== 'linux' || !fs.existsSync(TASKS)) return false;
  // libuv starts its whole pool on the first piece of work, synchronously: make that happen before the snapshot.
  fs.stat(TASKS, () => undefined);
  const serving = new Set(fs.readdirSync(TASKS));
  const lowered = new Set<string>();
  const lowerNew = () => {
    let tasks: string[];
    try {
      tasks = fs.readdirSync(TASKS);
    } catch {
      return;
    }
    for (const tid of tasks) {
      if (serving.has(tid) || lowered.has(tid)) continue;
      lowered.add(tid);
      try {
        os.setPriority(Number(tid), COMPUTE_NICE);
      } catch {
        // the thread ended meanwhile
      }
    }
  };
  lowerNew();
  setInterval(lowerNew, intervalMs).unref();
  return true;
}
