/**
 * How a command reaches a workspace: through the engine that holds it when one runs (the app's, `sift serve`'s,
 * `sift watch run`, another command's: electron/engine/engineConnection.ts), else through a host it opens itself —
 * and then it listens for other commands in turn (engineListener.ts). Either way every call goes through
 * Host.dispatch — the validation and caller access every transport shares — never a feature's code. Long work runs
 * as the host's job; the command waits for it, with its progress on stderr. Also the plain table commands print.
 */
import type { InputOf, MethodName, OutputOf } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import type { JobTransport } from '../../shared/jobRuns.js';
import type { EngineKind } from '../engine/engineAddress.js';
import { EngineConnection } from '../engine/engineConnection.js';
import { type EngineListener, listenForClients } from '../engine/engineListener.js';
import { Host } from '../host/host.js';
import { lastWorkspace, rememberWorkspace } from '../host/outsideWorkspace.js';
import { UsageError } from './commandSpec.js';
import { runTerminalJob } from './terminalJobs.js';
import path from 'node:path';

/** What a command calls: the host it opened, or a running engine's connection. */
export interface WorkspaceHost extends JobTransport {
  workspaceDir(): string;
}

/**
 * How long a command waits for a workspace another process holds without an address to connect to: one starting
 * (it writes engine.json once open) or one finishing (it lets its clients end before it closes).
 */
const HELD_WAIT_MS = 30_000;

/** The --workspace folder, else the workspace used last. */
export function resolveWorkspace(flag: string | undefined): string {
  if (flag) return path.resolve(flag);
  const last = lastWorkspace();
  if (!last)
    throw new UsageError(
      'No workspace given and none used before: pass --workspace DIR (create one with: sift sample --workspace DIR).',
    );
  return last;
}

/** Reaches the workspace (connected or opened), runs `work` with it, and lets it go. */
export async function withHost<T>(
  workspaceFlag: string | undefined,
  work: (host: WorkspaceHost) => Promise<T>,
): Promise<T> {
  const reached = await reachWorkspace(resolveWorkspace(workspaceFlag));
  try {
    return await work(reached.host);
  } finally {
    await reached.release();
  }
}

/**
 * The engine holding `dir` when one answers; else a host opened here, listening for other commands while it is
 * open. Two commands starting at once: one wins DuckDB's lock, the other waits for its address and connects.
 */
export async function reachWorkspace(
  dir: string,
  options: { remember?: boolean } = {},
): Promise<{ host: WorkspaceHost; release: () => Promise<void> }> {
  const deadline = Date.now() + HELD_WAIT_MS;
  for (;;) {
    const connection = await EngineConnection.connect(dir);
    if (connection) {
      if (options.remember !== false) rememberWorkspace(connection.workspaceDir());
      return { host: connection, release: () => connection.close() };
    }
    const opened = await openHere(dir, 'cli', deadline, options.remember);
    if (opened) return opened;
  }
}

/**
 * Opens the workspace in this process and holds it (for `sift watch run`: the always-on services run here), others
 * reaching it through this process as `kind`. A command's own host holding it is waited for; returns null when an
 * engine of another kind (the app, `sift serve`) holds it, which runs the always-on services itself.
 */
export async function holdWorkspace(
  dir: string,
  kind: EngineKind,
): Promise<{ host: Host; release: () => Promise<void> } | { heldBy: EngineConnection }> {
  const deadline = Date.now() + HELD_WAIT_MS;
  for (;;) {
    const connection = await EngineConnection.connect(dir);
    if (connection && connection.kind !== 'cli') return { heldBy: connection };
    await connection?.close();
    const opened = await openHere(dir, kind, deadline);
    if (opened) return opened;
  }
}

/**
 * Opens the workspace in this process, listening for other commands as `kind`; null when another process holds it
 * (before `deadline`: the caller looks for its address again), its lock error after.
 */
async function openHere(
  dir: string,
  kind: EngineKind,
  deadline: number,
  remember?: boolean,
): Promise<{ host: Host; release: () => Promise<void> } | null> {
  try {
    const host = await Host.open(dir, { remember });
    const listener = await listenForClients(host, host.workspaceDir(), kind).catch((error: unknown) => {
      console.error(`sift: other commands cannot reach this workspace while this one runs: ${String(error)}`);
      return null;
    });
    return { host, release: () => closeOwnHost(host, listener) };
  } catch (error) {
    if (!(error instanceof SiftError && error.info.code === 'WORKSPACE_LOCKED') || Date.now() > deadline) throw error;
    await new Promise((resolve) => setTimeout(resolve, 100));
    return null;
  }
}

/** A command's own host closes once the commands connected to it have ended (none new is taken meanwhile). */
async function closeOwnHost(host: Host, listener: EngineListener | null): Promise<void> {
  if (listener) {
    await listener.stopListening();
    await listener.idle();
    await listener.close();
  }
  await host.close();
}

/** One contract call as the workspace's owner; a refusal or failure throws it as a SiftError. */
export async function call<M extends MethodName>(
  host: WorkspaceHost,
  method: M,
  input: InputOf<M>,
): Promise<OutputOf<M>> {
  const outcome = await host.dispatch(method, input);
  if (!outcome.ok) throw new SiftError(outcome.error);
  return outcome.value as OutputOf<M>;
}

/**
 * Starts a long operation as a job and waits for it to end (electron/cli/terminalJobs.ts): progress on stderr only,
 * Ctrl+C cancels. Returns the job's result as its contract types it; a failed or cancelled job throws its error.
 */
export const runJob = runTerminalJob;

/** A plain table for the terminal: columns padded to their widest cell, up to 60 characters. */
export function formatTable(columns: string[], rows: unknown[][]): string {
  const cell = (value: unknown) =>
    value === null ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const text = rows.map((row) => row.map(cell));
  const widths = columns.map((name, i) => Math.min(60, Math.max(name.length, ...text.map((row) => row[i]!.length))));
  const fit = (value: string, i: number) =>
    value.length > widths[i]! ? `${value.slice(0, widths[i]! - 1)}…` : value.padEnd(widths[i]!);
  const lines = [
    columns.map(fit).join(' │ '),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...text.map((row) => row.map(fit).join(' │ ')),
  ];
  return `${lines.join('\n')}\n`;
}
