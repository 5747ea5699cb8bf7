/** Helpers for host tests: temporary workspaces and files, real DuckDB underneath. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Host } from '../../electron/host/host';
import type { Caller } from '../../shared/callerAccess';
import type {
  CallOutcome,
  InputOf,
  JobMethodName,
  JobResultOf,
  JobStarted,
  MethodName,
  OutputOf,
} from '../../shared/contract';
import { dispatchJob, jobOutcome, type JobTransport, valueOf } from '../../shared/jobRuns';
import type { JobSummary } from '../../shared/jobs';

export function tempDir(prefix = 'sift-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Tests must not touch the user's real "last workspace".
process.env.SIFT_HOME ??= tempDir('sift-home-');

export async function openTempHost(): Promise<{ host: Host; dir: string }> {
  const dir = tempDir('sift-ws-');
  const host = await Host.open(dir, { create: true, remember: false });
  return { host, dir };
}

export function writeTemp(dir: string, name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** What answers contract calls: a Host, or the engine process's client. */
type Dispatcher = Pick<Host, 'dispatch'>;

/**
 * Calls a contract method through the validating dispatcher, the way both transports do, and unwraps it. The method
 * name, its input and its result are typed by the contract, so a renamed method or a changed input fails to compile.
 * A test that sends what the contract refuses (a malformed body, an unknown method) says so by calling
 * `host.dispatch` itself, untyped, and looks at the refusal it returns; over HTTP, `postJson`.
 */
export async function call<M extends MethodName>(host: Dispatcher, method: M, input: InputOf<M>): Promise<OutputOf<M>> {
  return unwrap(await outcomeOf(host, method, input));
}

/** A contract call's outcome, typed, left wrapped: for tests that look at how a well-formed call is answered or refused. */
export async function outcomeOf<M extends MethodName>(
  host: Dispatcher,
  method: M,
  input: InputOf<M>,
  caller?: Caller,
): Promise<CallOutcome<OutputOf<M>>> {
  return (await host.dispatch(method, input, caller)) as CallOutcome<OutputOf<M>>;
}

/** The value of a call that succeeded; a refusal throws, carrying its error info. */
export function unwrap<T>(outcome: CallOutcome<T>): T {
  if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { info: outcome.error });
  return outcome.value;
}

/** A long operation's outcome, typed, left wrapped: the refusal of its call, or how its job ended. */
export async function jobOutcomeOf<M extends JobMethodName>(
  host: JobTransport,
  method: M,
  input: InputOf<M>,
  caller?: Caller,
): Promise<CallOutcome<JobResultOf<M>>> {
  return dispatchJob(host, method, input, { caller });
}

/**
 * Runs a long operation the way every client does — its call through the dispatcher answers a job id, its end comes
 * as a job event — and answers the job's result as the contract types it; a refusal or the job's error is thrown.
 */
export async function runJob<M extends JobMethodName>(
  host: JobTransport,
  method: M,
  input: InputOf<M>,
): Promise<JobResultOf<M>> {
  return valueOf(await dispatchJob(host, method, input));
}

export async function importFile(host: Host, file: string, options: Record<string, unknown> = {}): Promise<JobSummary> {
  const { jobId } = await call(host, 'import.run', { path: file, ...options });
  return host.jobs.wait(jobId);
}

/** Writes a Parquet file with DuckDB from a SELECT. */
export async function writeParquet(file: string, select: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`COPY (${select}) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`);
  conn.closeSync();
  instance.closeSync();
}

export async function tableNames(host: Host): Promise<string[]> {
  return (await host.workspace.listTables()).map((table) => table.name);
}

export async function importedRows(host: Host): Promise<number> {
  return host.workspace.withStore(async (conn) =>
    Number((await conn.runAndReadAll('SELECT count(*) FROM imports')).getRowsJson()[0]![0]),
  );
}

type HttpServer = { port: number; token: string | null };

/**
 * One call over browser-mode HTTP, the way a client must make it (Bearer token, JSON), with any method name and body:
 * for tests of what the transport refuses. `token` defaults to the owner's.
 */
export async function postJson(
  server: HttpServer,
  method: string,
  body: unknown,
  token: string | null = server.token,
): Promise<CallOutcome> {
  const response = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return (await response.json()) as CallOutcome;
}

/** One contract call over browser-mode HTTP, typed by the contract; its outcome left wrapped (see unwrap). */
export async function postCall<M extends MethodName>(
  server: HttpServer,
  method: M,
  body: InputOf<M>,
  token: string | null = server.token,
): Promise<CallOutcome<OutputOf<M>>> {
  return (await postJson(server, method, body, token)) as CallOutcome<OutputOf<M>>;
}

/**
 * A long operation over HTTP: its call as a client makes it, then how the job it started ended (read from the host
 * the server serves). Answers the refusal of the call, or the job's typed outcome.
 */
export async function postJob<M extends JobMethodName>(
  server: HttpServer,
  host: Pick<Host, 'jobs'>,
  method: M,
  body: InputOf<M>,
  token: string | null = server.token,
): Promise<CallOutcome<JobResultOf<M>>> {
  const started = (await postJson(server, method, body, token)) as CallOutcome<JobStarted>;
  if (!started.ok) return started;
  return jobOutcome(method, await host.jobs.wait(started.value.jobId));
}
