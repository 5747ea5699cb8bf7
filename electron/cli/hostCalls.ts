/**
 * How a command reaches a workspace: it opens a host on it and makes contract calls through Host.dispatch — the
 * validation and caller access every transport shares — never calling a feature's code itself. Long work runs as
 * the host's job; the command waits for it, with its progress on stderr. Also the plain table commands print.
 */
import type { InputOf, MethodName, OutputOf } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import type { JobEvent, JobSummary } from '../../shared/jobs.js';
import { Host } from '../host/host.js';
import { lastWorkspace } from '../host/outsideWorkspace.js';
import { UsageError } from './commandSpec.js';
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

/** The methods that start a job and answer with its id. */
type JobStartMethod = { [M in MethodName]: OutputOf<M> extends { jobId: string } ? M : never }[MethodName];

/**
 * Starts a long operation as a job and waits for it to end: its progress as a live line on a terminal (nothing on a
 * pipe: scripts read stdout), its log lines on stderr; Ctrl+C cancels it. Returns the job's result; a failed or
 * cancelled job throws its error.
 */
export async function runJob<T>(
  host: Host,
  method: JobStartMethod,
  input: InputOf<JobStartMethod>,
  label: string,
): Promise<T> {
  const live = process.stderr.isTTY;
  let jobId: string | undefined;
  let interrupted = false;
  const early: JobEvent[] = []; // events of a job that starts before its id is known here
  let ended: (job: JobSummary) => void = () => undefined;
  const end = new Promise<JobSummary>((resolve) => (ended = resolve));
  const follow = (event: JobEvent) => {
    if (jobId === undefined) return void early.push(event);
    if ((event.type === 'log' ? event.jobId : event.job.id) !== jobId) return;
    if (event.type === 'log') process.stderr.write(`${event.message}\n`);
    else if (event.type !== 'progress') ended(event.job);
    else if (live) {
      const { progress, message } = event.job;
      process.stderr.write(`\r${label}: ${message} ${progress === null ? '' : `${Math.round(progress * 100)}%`}   `);
    }
  };
  const unsubscribe = host.onEvent((event) => {
    if (event.channel === 'job') follow(event.event);
  });
  const cancel = () => {
    interrupted = true;
    if (jobId !== undefined) void host.dispatch('jobs.cancel', { jobId });
  };
  process.once('SIGINT', cancel);
  try {
    jobId = (await call(host, method, input as never)).jobId;
    if (interrupted) void host.dispatch('jobs.cancel', { jobId });
    for (const event of early.splice(0)) follow(event);
    // A job that ended before its events were followed ends here.
    const now = await call(host, 'jobs.get', { jobId });
    if (now.status !== 'running') ended(now);
    const job = await end;
    if (job.status !== 'done') throw new SiftError(job.error ?? { code: 'INTERNAL', message: job.message });
    return job.result as T;
  } finally {
    process.off('SIGINT', cancel);
    unsubscribe();
    if (live) process.stderr.write('\r\x1b[K');
  }
}

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
