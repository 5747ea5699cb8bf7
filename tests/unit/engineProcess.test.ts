/**
 * The engine process, end to end with real child processes: calls routed to it, events back, a native crash
 * (kill -9, and the DuckDB segfault on deeply nested JSON) reported to the caller and the UI, the engine
 * restarted on the same workspace with nothing acknowledged lost, and the HTTP server up throughout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, electronRuntime } from '../../electron/engine/engineClient';
import { COMPUTE_NICE } from '../../electron/engine/threadPriority';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import { type RunningServer, startServer } from '../../electron/server';

import type { HostEvent } from '../../shared/jobs';
import { call, postJson, tempDir } from './support';

let engine: EngineClient;
let server: RunningServer;
let dir: string;
const events: HostEvent[] = [];

const waitFor = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
};

beforeAll(async () => {
  dir = path.join(tempDir('sift-engine-'), 'ws');
  await (await createSampleWorkspace(dir)).close();
  engine = await EngineClient.start({ dir, fileAccess: { kind: 'confined', folders: [] } });
  engine.onEvent((event) => events.push(event));
  server = await startServer({ host: engine, staticDir: tempDir() });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await engine?.close();
});

describe('the engine process', () => {
  it('runs the workspace in another process and answers calls and events through it', async () => {
    expect(engine.pid).toBeGreaterThan(0);
    expect(engine.pid).not.toBe(process.pid);
    const info = await call(engine, 'workspace.info', {});
    expect(info.path).toBe(dir);
    expect(await engine.dispatch('no.such.method', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    // Who is calling crosses the process boundary: the engine holds an annotator's token to the labeling screen's methods.
    const annotator = { role: 'annotator', annotator: 'ana' } as const;
    expect(await engine.dispatch('query.run', { sql: 'SELECT 1' }, annotator)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await engine.dispatch('auth.whoami', {}, annotator)).toEqual({
      ok: true,
      value: { role: 'annotator', annotator: 'ana' },
    });
    const { jobId } = await call(engine, 'eval.start', { model: 'text-distil' });
    await waitFor(() =>
      events.some((event) => event.channel === 'job' && event.event.type === 'done' && event.event.job.id === jobId),
    );
  });

  it('serves calls while a long job runs (by order: the quick call returns before the job finishes)', async () => {
    const { jobId } = await call(engine, 'models.score', {
      model: 'text-distil',
      sql: 'SELECT content_id, text FROM content',
    });
    const info = await engine.dispatch('workspace.info', {});
    expect(info.ok).toBe(true);
    const finished = events.some(
      (event) => event.channel === 'job' && event.event.type === 'done' && event.event.job.id === jobId,
    );
    expect(finished).toBe(false);
    await waitFor(() =>
      events.some(
        (event) =>
          event.channel === 'job' &&
          'job' in event.event &&
          event.event.job.id === jobId &&
          event.event.type !== 'progress',
      ),
    );
  }, 60_000);

  it.skipIf(process.platform !== 'linux')(
    'keeps its serving threads at normal priority and lowers the threads DuckDB, onnxruntime and the compute pool started',
    async () => {
      // The earlier tests ran an evaluation and a re-score: DuckDB's, onnxruntime's and the compute pool's threads exist.
      await new Promise((resolve) => setTimeout(resolve, 600)); // the engine looks for new threads every 250 ms
      const pid = engine.pid!;
      const niceOf = (tid: string) =>
        Number(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
      const nice = fs.readdirSync(`/proc/${pid}/task`).map((tid) => ({ tid, nice: niceOf(tid) }));
      expect(nice.find((thread) => thread.tid === String(pid))?.nice).toBe(0); // the thread that answers calls
      expect(nice.filter((thread) => thread.nice === COMPUTE_NICE).length).toBeGreaterThanOrEqual(2);
      expect(nice.filter((thread) => thread.nice === 0).length).toBeGreaterThanOrEqual(5); // main, libuv's pool of 4
      expect(nice.every((thread) => thread.nice === 0 || thread.nice === COMPUTE_NICE)).toBe(true);
    },
  );

  it('reports a kill -9 mid-job to the caller and the UI, restarts on the same workspace, and loses nothing acknowledged', async () => {
    // Acknowledged before the crash: a saved report.
    const saved = await call(engine, 'reports.save', { name: 'kept across a crash', sql: 'SELECT 42 AS answer' });
    const { jobId } = await call(engine, 'models.score', {
      model: 'text-fusion',
      sql: 'SELECT c.content_id, c.text, c.image_emb, 10.0 AS account_age_days, 0 AS prior_violations_30d, 1.0 AS posting_rate FROM content c, range(3)',
    });
    await waitFor(() =>
      events.some(
        (event) => event.channel === 'job' && event.event.type === 'progress' && event.event.job.id === jobId,
      ),
    );
    const inFlight = engine.dispatch('query.run', { queryId: 'slow', sql: 'SELECT count(*) FROM range(3000000000)' });
    const firstPid = engine.pid!;
    process.kill(firstPid, 'SIGKILL');
    expect(await inFlight).toMatchObject({
      ok: false,
      error: { code: 'ENGINE_STOPPED', message: expect.stringContaining('The engine stopped: SIGKILL') },
    });
    await waitFor(() => events.some((event) => event.channel === 'engine' && event.event.type === 'restarted'));
    expect(events).toContainEqual({ channel: 'engine', event: { type: 'stopped', reason: 'SIGKILL' } });
    expect(
      events.find((event) => event.channel === 'job' && event.event.type === 'failed' && event.event.job.id === jobId),
    ).toBeDefined();
    expect(engine.pid).not.toBe(firstPid);
    const report = await call(engine, 'reports.get', { id: saved.id });
    expect(report.name).toBe('kept across a crash');
    const labels = await call(engine, 'query.run', { queryId: 'after', sql: 'SELECT count(*) FROM label_events' });
    expect(Number(labels.rows[0]![0])).toBeGreaterThan(0);
  }, 60_000);

  it('survives the DuckDB segfault on deeply nested JSON: the request gets an error, the server stays up', async () => {
    const post = (method: string, body: unknown) => postJson(server, method, body);
    // Built at run time, so no text bound can see it (DuckDB 1.5.5 crashes on it).
    const crash = await post('query.run', {
      queryId: 'deep',
      sql: "SELECT json_structure(repeat('[', 100000) || repeat(']', 100000))",
    });
    expect(crash).toMatchObject({
      ok: false,
      error: { code: 'ENGINE_STOPPED', message: expect.stringContaining('The engine stopped: SIGSEGV') },
    });
    expect(await post('workspace.info', {})).toMatchObject({ ok: true, value: { path: dir } });
  }, 60_000);
});

describe('an engine that cannot start', () => {
  it('says why: a workspace another engine holds is named as locked', async () => {
    await expect(EngineClient.start({ dir, fileAccess: { kind: 'any' } })).rejects.toThrow(
      /open in another Sift process/,
    );
  }, 30_000);
});

describe('the desktop wiring', () => {
  it('starts the engine with the Electron binary running the bundled engine as plain Node', () => {
    expect(electronRuntime('/opt/Sift/sift', '/opt/Sift/resources/dist/electron')).toEqual({
      entry: '/opt/Sift/resources/dist/electron/engine.mjs',
      execPath: '/opt/Sift/sift',
      execArgv: [],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
  });
});
