/**
 * How a command reaches a workspace: it opens a host on it and makes contract calls through Host.dispatch — the
 * validation and caller access every transport shares — never calling a feature's code itself. Long work runs as
 * the host's job; the command waits for it, with its progress on stderr. Also the plain table commands print.
 */
import type { InputOf, MethodName, OutputOf } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import { Host } from '../host/host.js';
import { lastWorkspace } from '../host/outsideWorkspace.js';
import { UsageError } from './commandSpec.js';
import { runTerminalJob } from './terminalJobs.js';
import path from 'node:path';

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

/** Opens the workspace, runs `work` with its host, and closes it. */
export async function withHost<T>(workspaceFlag: string | undefined, work: (host: Host) => Promise<T>): Promise<T> {
  const host = await Host.open(resolveWorkspace(workspaceFlag));
  try {
    return await work(host);
  } finally {
    await host.close();
  }
}

/** One contract call as the workspace's owner; a refusal or failure throws it as a SiftError. */
export async function call<M extends MethodName>(host: Host, method: M, input: InputOf<M>): Promise<OutputOf<M>> {
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
