/**
 * The engine's socket (electron/engine/engineListener.ts) and its client (engineConnection.ts), on a real workspace
 * and real sockets: the address file and folder only this user can read, the token, malformed messages answered
 * without harm to the engine, jobs followed and cancelled through it, a client's jobs cancelled when it goes away,
 * a stale address ignored, and a short socket path for a deep workspace.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../shared/contract';
import { dispatchJob } from '../../shared/jobRuns';
import type { HostEvent } from '../../shared/jobs';
import {
  engineFilePath,
  readEngineAddress,
  socketPathFor,
  writeEngineAddress,
} from '../../electron/engine/engineAddress';
import { EngineConnection } from '../../electron/engine/engineConnection';
import { type EngineListener, listenForClients } from '../../electron/engine/engineListener';
import { Host } from '../../electron/host/host';
import type { Dispatcher } from '../../electron/ipcWiring';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import { call, tempDir } from './support';

let dir: string;
let host: Host;
let listener: EngineListener;
const events: HostEvent[] = [];
/** The outcome of each query.run the engine was asked for through its socket, by queryId. */
const queryRuns = new Map<string, Promise<CallOutcome>>();

beforeAll(async () => {
  dir = path.join(tempDir('sift-socket-'), 'ws');
  await (await createSampleWorkspace(dir)).close();
  host = await Host.open(dir, { remember: false });
  host.onEvent((event) => events.push(event));
  const recording: Dispatcher = {
    dispatch: (name, input, caller) => {
      const outcome = host.dispatch(name, input, caller);
      if (name === 'query.run') queryRuns.set((input as { queryId: string }).queryId, outcome);
      return outcome;
    },
    onEvent: (listen) => host.onEvent(listen),
  };
  listener = await listenForClients(recording, dir, 'serve');
}, 120_000);

afterAll(async () => {
  await listener?.close();
  await host?.close();
});

/** Sends raw lines on a fresh connection and collects what comes back until the engine closes it (or `untilLines`). */
async function rawExchange(lines: string[], untilLines = Infinity): Promise<unknown[]> {
  const socket = net.connect(listener.address.socket);
  const received: unknown[] = [];
  let buffer = '';
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      received.push(...parts.map((line) => JSON.parse(line) as unknown));
      if (received.length >= untilLines) resolve();
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
    socket.on('connect', () => socket.write(lines.map((line) => `${line}\n`).join('')));
  });
  socket.destroy();
  return received;
}

const hello = () => JSON.stringify({ type: 'hello', token: listener.address.token });

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const jobEnded = (jobId: string) =>
  events.find(
    (event) =>
      event.channel === 'job' &&
      'job' in event.event &&
      event.event.job.id === jobId &&
      event.event.type !== 'progress',
  );

describe('the engine socket', () => {
  it('is reachable only by this user: a 0700 folder, a 0600 socket, engine.json 0600 with the token', () => {
    const address = readEngineAddress(dir)!;
    expect(address).toMatchObject({ socket: listener.address.socket, pid: process.pid, kind: 'serve' });
    expect(address.token).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(engineFilePath(dir)).mode & 0o777).toBe(0o600);
    if (process.platform !== 'win32') {
      expect(fs.statSync(path.dirname(address.socket)).mode & 0o777).toBe(0o700);
      expect(fs.statSync(address.socket).mode & 0o777).toBe(0o600);
    }
  });

  it('keeps the socket path short for a workspace however deep', () => {
    const deep = path.join(tempDir('sift-deep-'), ...Array.from({ length: 30 }, (_, i) => `folder-number-${i}`));
    expect(deep.length).toBeGreaterThan(400);
    expect(Buffer.byteLength(socketPathFor(deep))).toBeLessThan(104);
    expect(socketPathFor(deep)).not.toBe(socketPathFor(dir));
  });

  it('answers calls through Host.dispatch: validation and all', async () => {
    const connection = (await EngineConnection.connect(dir))!;
    try {
      expect(connection.kind).toBe('serve');
      expect((await call(connection, 'workspace.info', {})).path).toBe(dir);
      expect(await connection.dispatch('no.such.method', {})).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_METHOD' },
      });
      expect(await connection.dispatch('query.run', { sql: 42 })).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    } finally {
      await connection.close();
    }
  });

  it('refuses a wrong token and malformed messages with an error, and goes on serving', async () => {
    const refusals = [
      await rawExchange([JSON.stringify({ type: 'hello', token: 'f'.repeat(64) })]),
      await rawExchange([JSON.stringify({ type: 'call', id: 1, method: 'workspace.info', input: {} })]),
      await rawExchange(['{not json']),
      await rawExchange([hello(), 'null']),
      await rawExchange([hello(), JSON.stringify({ type: 'call', id: 'one', method: 'workspace.info' })]),
      await rawExchange([hello(), JSON.stringify({ type: 'shutdown' })]),
    ];
    for (const received of refusals) expect(received.at(-1)).toMatchObject({ type: 'error' });
    // Through it all the engine answers.
    const answered = await rawExchange(
      [hello(), JSON.stringify({ type: 'call', id: 7, method: 'workspace.info', input: {} })],
      2,
    );
    expect(answered[0]).toMatchObject({ type: 'welcome', dir, kind: 'serve' });
    expect(answered[1]).toMatchObject({ type: 'result', id: 7, outcome: { ok: true, value: { path: dir } } });
  });

  it('follows a job through the socket, and cancels it when asked (Ctrl+C)', async () => {
    const connection = (await EngineConnection.connect(dir))!;
    try {
      const abort = new AbortController();
      const progress: number[] = [];
      const outcome = dispatchJob(
        connection,
        'models.score',
        { model: 'text-distil', sql: 'SELECT content_id, text FROM content' },
        {
          signal: abort.signal,
          onProgress: (job) => {
            progress.push(job.progress ?? 0);
            abort.abort();
          },
        },
      );
      expect(await outcome).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
      expect(progress.length).toBeGreaterThan(0);
    } finally {
      await connection.close();
    }
  }, 60_000);

  it('cancels the jobs of a client that goes away', async () => {
    const connection = (await EngineConnection.connect(dir))!;
    const started = await call(connection, 'models.score', {
      model: 'text-distil',
      sql: 'SELECT content_id, text FROM content',
    });
    await connection.close();
    await waitFor(() => jobEnded(started.jobId) !== undefined);
    expect(jobEnded(started.jobId)).toMatchObject({ event: { type: 'cancelled' } });
  }, 60_000);

  it('cancels the query of a client that goes away (a killed `sift query`)', async () => {
    const connection = (await EngineConnection.connect(dir))!;
    const queryId = `q-gone-${Date.now()}`;
    // Hours of work unless it is cancelled.
    void connection
      .dispatch('query.run', { queryId, sql: 'SELECT sum(hash(a::VARCHAR)) FROM range(100000000000) t(a)' })
      .catch(() => undefined);
    await waitFor(() => queryRuns.has(queryId));
    await connection.close();
    expect(await queryRuns.get(queryId)).toMatchObject({ ok: false });
  }, 60_000);

  it('ignores a stale engine.json: a dead pid, or a socket nobody answers', async () => {
    const other = path.join(tempDir('sift-stale-'), 'ws');
    fs.mkdirSync(path.join(other, '.sift'), { recursive: true });
    // An engine killed while writing its address left a half-written one: the next address written clears it (a
    // live writer's is left alone).
    const sift = path.join(other, '.sift');
    fs.writeFileSync(path.join(sift, `engine.json.${2 ** 22 + 12345}.partial`), '{"socket":');
    fs.writeFileSync(path.join(sift, `engine.json.${process.ppid}.partial`), '{"socket":');
    writeEngineAddress(other, { socket: socketPathFor(other), token: 'x', pid: 2 ** 22 + 12345, kind: 'app' });
    expect(fs.readdirSync(sift).filter((name) => name.endsWith('.partial'))).toEqual([
      `engine.json.${process.ppid}.partial`,
    ]);
    fs.rmSync(path.join(sift, `engine.json.${process.ppid}.partial`));
    expect(await EngineConnection.connect(other)).toBeNull();
    writeEngineAddress(other, { socket: socketPathFor(other), token: 'x', pid: process.pid, kind: 'app' });
    expect(await EngineConnection.connect(other)).toBeNull();
    // A listener that accepts and never answers (a wedged engine): given up on, not waited on forever.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(socketPathFor(other), resolve));
    try {
      expect(await EngineConnection.connect(other, { welcomeMs: 300 })).toBeNull();
    } finally {
      silent.close();
    }
  });

  it('fails jobs followed through it with ENGINE_STOPPED when the engine goes away, and removes its address', async () => {
    const connection = (await EngineConnection.connect(dir))!;
    let running = () => undefined as void;
    const started = new Promise<void>((resolve) => (running = resolve));
    const outcome = dispatchJob(
      connection,
      'models.score',
      { model: 'text-distil', sql: 'SELECT content_id, text FROM content' },
      { onProgress: () => running() },
    );
    await started;
    await listener.close();
    expect(await outcome).toMatchObject({ ok: false, error: { code: 'ENGINE_STOPPED' } });
    expect(await connection.dispatch('workspace.info', {})).toMatchObject({
      ok: false,
      error: { code: 'ENGINE_STOPPED' },
    });
    expect(fs.existsSync(engineFilePath(dir))).toBe(false);
    expect(fs.existsSync(listener.address.socket)).toBe(false);
  }, 60_000);
});
