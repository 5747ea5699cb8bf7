/** Messages between the shell (Electron main or the browser-mode server) and the engine process. */
import type { Caller } from '../../shared/callerAccess.js';
import type { CallOutcome } from '../../shared/contract.js';
import type { HostEvent } from '../../shared/jobs.js';
import type { FileAccess } from '../host/workspace/workspace.js';
import type { EngineKind } from './engineAddress.js';

export interface EngineOptions {
  dir: string;
  fileAccess: FileAccess;
  /** Who started it, told to the commands that connect to it (engineListener.ts). */
  kind: EngineKind;
}

/** `caller`: who the shell answered for (the owner, or an annotator's token in browser mode). */
export type ShellToEngine =
  | { type: 'call'; id: number; method: string; input: unknown; caller: Caller }
  /** The window is closing: the engine answers whether it stays on for its feeds and monitors. */
  | { type: 'release' }
  /** The shell closes the engine (`sift serve` stopped, a test): it ends whatever its feeds and monitors hold. */
  | { type: 'close' };

export type EngineToShell =
  | { type: 'ready'; dir: string }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; outcome: CallOutcome }
  | { type: 'event'; event: HostEvent }
  /** The answer to `release`: true when feeds or monitors have work, so the engine outlives the window. */
  | { type: 'released'; staysOn: boolean };

/** The environment variable that carries EngineOptions (JSON) to a new engine. */
export const ENGINE_OPTIONS_ENV = 'SIFT_ENGINE_OPTIONS';
