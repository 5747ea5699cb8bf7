/**
 * Node built-ins that most commands never use, loaded on first use. Imported at the top, node:http with node:https
 * cost every CLI start ~13 ms, node:child_process and node:worker_threads ~5 ms each, for `sift tables` as much as
 * for `sift serve`. (The bundle keeps a static import of an external module at its top, so a lazy module alone
 * would not help; a require at the use does.)
 */
import type * as ChildProcess from 'node:child_process';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';

const requireBuiltin = createRequire(import.meta.url);

function lazily<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireBuiltin(name) as T);
}

export const nodeHttp = lazily<typeof Http>('node:http');
export const nodeHttps = lazily<typeof Https>('node:https');
export const nodeChildProcess = lazily<typeof ChildProcess>('node:child_process');
export const nodeWorkerThreads = lazily<typeof WorkerThreads>('node:worker_threads');
