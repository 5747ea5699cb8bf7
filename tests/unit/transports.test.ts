/**
 * Every contract method is reachable through both transports — Electron IPC (wired with a stand-in ipcMain,
 * since the Electron binary cannot run here) and browser-mode HTTP — and both answer the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { type IpcMainLike, wireIpc } from '../../electron/ipcWiring';
import { type RunningServer, startServer } from '../../electron/server';
import {
  type CallOutcome,
  type InputOf,
  ipcChannel,
  isJobMethodName,
  type JobStarted,
  METHOD_NAMES,
  type MethodName,
} from '../../shared/contract';
import type { HostEvent } from '../../shared/jobs';
import { call, importFile, openTempHost, tempDir, writeTemp, runJob } from './support';

let host: Host;
let server: RunningServer;
let staticDir: string;
let csvFile: string;
const ipcHandlers = new Map<string, (event: { sender: { id: number } }, ...args: unknown[]) => unknown>();
const sentToWindow: unknown[] = [];
const WINDOW_ID = 7;

const fakeIpcMain: IpcMainLike = {
  handle: (channel, listener) => void ipcHandlers.set(channel, listener),
  removeHandler: (channel) => void ipcHandlers.delete(channel),
};

async function viaIpc(method: string, input: unknown, senderId = WINDOW_ID): Promise<CallOutcome> {
  const handler = ipcHandlers.get(ipcChannel(method as MethodName));
  if (!handler) throw new Error(`no IPC handler for ${method}`);
  return (await handler({ sender: { id: senderId } }, input)) as CallOutcome;
}

async function viaHttp(
  method: string,
  body: unknown,
  token = server.token,
): Promise<{ status: number; outcome: CallOutcome }> {
  const response = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'x-sift-token': token } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, outcome: (await response.json()) as CallOutcome };
}

beforeAll(async () => {
  ({ host } = await openTempHost());
  const dir = tempDir();
  csvFile = writeTemp(dir, 'flags.csv', 'id,post_id,reason\n1,c1,spam\n2,c1,other\n');
  await importFile(host, csvFile);
  await importFile(
    host,
    writeTemp(dir, 'content.csv', 'content_id,user_id,text,created_at\nc1,u1,hello,2024-03-01 10:00:00\n'),
  );
  staticDir = tempDir('sift-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Sift</title>');
  server = await startServer({ host, staticDir });
  wireIpc(fakeIpcMain, host, {
    id: WINDOW_ID,
    send: (_channel, payload) => sentToWindow.push(payload),
    isDestroyed: () => false,
  });
});
afterAll(async () => {
  await server.close();
  await host.close();
});

const session = {
  name: 'Transport check',
  pool: 'SELECT content_id FROM content',
  model: 'text-distil',
  strategy: 'entropy' as const,
  batchSize: 5,
};

const landing = tempDir('sift-transport-landing-');

/** A valid input for every method; typed so that adding a method to the contract without one fails to compile. */
function validInputs(
  resultId: string,
  jobId: string,
  reportId: number,
  reportFile: string,
  sessionId: string,
  packFile: string,
  alertId: string,
): { [M in MethodName]: InputOf<M> } {
  return {
    'workspace.info': {},
    'workspace.open': { path: host.workspace.dir },
    'workspace.create': { path: path.join(tempDir('sift-transport-new-'), 'ws') },
    'workspace.recent': {},
    'tables.list': {},
    'query.run': { queryId: 'transport', sql: 'SELECT id, reason FROM flags ORDER BY id' },
    'query.page': { resultId, offset: 0, limit: 1 },
    'query.explain': { sql: 'SELECT reason, count(*) FROM flags GROUP BY reason' },
    'query.cancel': { queryId: 'not-running' },
    'query.close': { resultId: 'unknown' },
    'query.export': { resultId, format: 'csv' },
    'query.exportScript': {
      resultIds: [resultId, null],
      path: path.join(tempDir('sift-transport-script-'), 'all.json'),
    },
    'query.history': { limit: 5 },
    'query.chart': { resultId, spec: { type: 'bar', x: '1', y: null, series: null, aggregate: 'count' } },
    'editor.tabs': {},
    'editor.saveTabs': { tabs: [{ id: 't1', title: 'Flags', sql: 'SELECT * FROM flags' }], active: 't1' },
    'import.inspect': { path: csvFile },
    'import.run': { path: csvFile, table: 'flags_again', replace: true },
    'mapping.list': {},
    'mapping.save': {
      sourceTable: 'flags',
      canonicalTable: 'reports',
      columns: { report_id: 'id', content_id: 'post_id', reason: 'reason' },
    },
    'reports.list': {},
    'reports.get': { id: reportId },
    'reports.save': {
      name: 'Flags by reason',
      sql: '-- [params]\n-- string :reason = spam\nSELECT count(*) FROM flags WHERE reason = :reason',
    },
    'reports.delete': { id: 9999 },
    'reports.setPinned': { id: reportId, pinned: true },
    'reports.setChart': {
      id: reportId,
      chart: { type: 'bar', x: 'reason', y: null, series: null, aggregate: 'count' },
    },
    'reports.params': { sql: '-- [params]\n-- int :n = 1\nSELECT :n' },
    'reports.run': { queryId: 'report', id: reportId, values: { reason: 'other' } },
    'reports.import': { path: reportFile },
    'reports.export': { id: reportId, format: 'dcquery' },
    'spike.overview': { source: 'reports', by: 'reason', bucket: 'hour', threshold: 3 },
    'spike.drill': { series: 'spam', start: '2024-03-01T00:00:00Z', end: '2024-03-02T00:00:00Z' },
    'models.list': {},
    'models.add': { path: 'models/text-distil' },
    'models.try': { model: 'text-distil', text: 'cheap followers and likes' },
    'models.score': { model: 'text-distil', sql: 'SELECT content_id, text FROM content' },
    'models.compare': {
      a: { model: 'text-distil', version: '2026.11.1' },
      b: { model: 'text-distil', version: '2026.11.1' },
    },
    'models.versions': {},
    'models.setDeployment': { model: 'text-distil', version: '2026.11.1', deployedAt: '2024-03-05T00:00:00Z' },
    'eval.run': { model: 'text-distil', bins: 10 },
    'robustness.run': { model: 'text-distil', transforms: ['leetspeak'], latencySample: 5 },
    'eval.errors': { model: 'text-distil', category: 'spam' },
    'eval.items': { model: 'text-distil', category: 'spam', kind: 'fp', limit: 5 },
    'eval.slices': { model: 'text-distil', minSliceN: 10 },
    'eval.metrics': { model: 'text-distil', highReachFraction: 0.05, bucket: 'day' },
    'eval.calibrate': { model: 'text-distil', method: 'platt' },
    'gate.run': {
      model: 'text-distil',
      candidate: '2026.11.1',
      gates: { categories: { spam: { max_ece: { max: 1, min_n: 1 } } } },
      labels: "SELECT content_id, 'spam' AS category, (content_id = 'c1')::INTEGER AS label FROM content",
    },
    'gates.set': { text: '{"categories": {"*": {"max_recall_drop": 0.01}}}' },
    'gates.get': {},
    'drift.compare': { model: 'text-distil', reference: { from: '2024-01-01T00:00:00Z', to: '2024-03-01T00:00:00Z' } },
    'drift.weekly': { model: 'text-distil', weeks: 4 },
    'models.saveRevision': { model: 'text-distil', thresholds: { spam: { remove: 0.95, escalate: 0.6 } } },
    'taxonomy.get': {},
    'sessions.list': {},
    'sessions.create': session,
    'sessions.retrain': { sessionId },
    'sessions.backtest': { sessionId, cut: '2024-03-10' },
    'sessions.get': { sessionId, annotator: 'ana' },
    'sessions.next': { sessionId, annotator: 'ana' },
    'keymap.get': { annotator: 'ana' },
    'keymap.set': { annotator: 'ana', bindings: { skip: ['k'] } },
    'labels.record': {
      sessionId,
      annotator: 'ana',
      action: { kind: 'label', contentId: 'c1', labels: [{ category: 'spam', value: 1, leaf: 'commercial_spam' }] },
    },
    'labels.recordMany': {
      sessionId,
      annotator: 'ana',
      actions: [{ kind: 'label', contentId: 'c1', labels: [{ category: 'spam', value: 1 }] }, { kind: 'undo' }],
    },
    'labels.agreement': { sessions: [sessionId] },
    // The session's labels are v1's (a v2 appears below).
    'datasets.export': { name: 'transport', sessions: [sessionId], formats: ['parquet', 'jsonl'], policyVersion: 'v1' },
    'datasets.list': { name: 'nothing-yet' },
    'auth.whoami': {},
    'annotators.list': {},
    'annotators.createToken': { name: 'cy' },
    'annotators.revoke': { name: 'nobody' },
    'datasets.verify': { dir: path.join(host.workspace.dir, 'exports', 'datasets', 'transport', 'v1') },
    'datasets.diff': {
      from: path.join(host.workspace.dir, 'exports', 'datasets', 'transport', 'v1'),
      to: path.join(host.workspace.dir, 'exports', 'datasets', 'transport', 'v2'),
    },
    'datasets.holdingMedia': { contentIds: ['c1'] },
    // After verify and diff (the contract's order); the second transport's call finds it deleted already.
    'datasets.delete': { dir: path.join(host.workspace.dir, 'exports', 'datasets', 'transport', 'v2') },
    'labels.export': { sessionId, format: 'csv' },
    'labels.import': { sessionId, path: packFile },
    'labels.disagreements': { sessionId },
    'policy.migrate': {},
    'jobs.list': {},
    'jobs.get': { jobId },
    'jobs.cancel': { jobId },
    'settings.get': {},
    'settings.update': { allowWrites: false },
    'monitors.list': {},
    'monitors.add': TRANSPORT_MONITOR,
    'monitors.update': { name: 'transport', playbook: 'Look at the burst first.' },
    'monitors.remove': { name: 'transport-gone' },
    'monitors.check': { name: 'transport' },
    'monitors.series': { name: 'transport', buckets: 24 },
    'alerts.list': { monitor: 'transport' },
    'alerts.acknowledge': { id: alertId, by: 'lead' },
    'alerts.resolve': { id: alertId, by: 'lead', note: 'a test burst' },
    'alerts.deliveries': { alertId },
    'watch.add': { dir: landing, table: 'landed' },
    'watch.remove': { dir: landing },
    'watch.list': {},
    'wellness.get': { annotator: 'ana' },
    'wellness.set': { annotator: 'ana', change: { blurPx: 16 } },
    'wellness.exposure.record': {
      annotator: 'ana',
      intervals: [{ contentId: 'c1', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z' }],
    },
    'wellness.exposure.list': {},
    'media.forItems': { contentIds: ['c1'] },
    'media.get': { contentId: 'c1', rendition: 'thumb' },
    'media.prepare': {},
    'media.clusters': {},
    'restricted.standing': { contentIds: ['c1'] },
    'restricted.request': { contentId: 'c1' },
    'restricted.approvals': {},
    'restricted.approve': { contentId: 'c1', reviewer: 'ana' },
    'restricted.revoke': { contentId: 'c1', reviewer: 'ana' },
    'restricted.audit': {},
    'restricted.retention.get': {},
    'restricted.retention.set': { days: null },
    'restricted.purge': {},
    'restricted.files': {},
    'restricted.reexportInput': { dir: path.join(host.workspace.dir, 'exports', 'datasets', 'transport', 'v1') },
  };
}

const TRANSPORT_MONITOR = { name: 'transport', source: 'content', by: 'total', bucket: 'hour' } as const;

describe('both transports', () => {
  it('wire every contract method over IPC', () => {
    expect([...ipcHandlers.keys()].sort()).toEqual(METHOD_NAMES.map((name) => ipcChannel(name)).sort());
  });

  it('answer every method with a valid input the same way', async () => {
    const first = await call(host, 'query.run', { queryId: 'setup', sql: 'SELECT 1' });
    const job = await importFile(host, csvFile, { table: 'flags_copy', replace: true });
    const scored = await call(host, 'models.score', {
      model: 'text-distil',
      sql: 'SELECT content_id, text FROM content',
    });
    expect((await host.jobs.wait(scored.jobId)).status).toBe('done');
    const report = await call(host, 'reports.save', {
      name: 'Spam flags',
      sql: '-- [params]\n-- string :reason = spam\nSELECT id FROM flags WHERE reason = :reason',
    });
    const reportFile = writeTemp(tempDir(), 'count.sql', '-- name: Count flags\nSELECT count(*) FROM flags');
    const created = await runJob(host, 'sessions.create', session);
    // A label to retrain on (c1 is not among the held-out fifth).
    await call(host, 'labels.record', {
      sessionId: created.id,
      annotator: 'ana',
      action: { kind: 'label', contentId: 'c1', labels: [{ category: 'spam', value: 1 }] },
    });
    // Another annotator's label pack (one event, as `labels export` writes them).
    const packFile = writeTemp(
      tempDir(),
      'pack.ndjson',
      `${JSON.stringify({ event_id: 'pack-e1', action_id: 'pack-a1', annotator_id: 'bo', content_id: 'c1', kind: 'label', category: 'spam', value: '1', policy_version: 'v1', created_at: '2024-03-02T00:00:00Z' })}\n`,
    );
    // A second policy version to carry labels over to (its spam definition changed).
    const v1 = JSON.parse(
      fs.readFileSync(path.join(host.workspace.dir, 'policy', 'taxonomy-v1.json'), 'utf8'),
    ) as Record<string, unknown>;
    fs.writeFileSync(
      path.join(host.workspace.dir, 'policy', 'taxonomy-v2.json'),
      JSON.stringify({ ...v1, version: 'v2', changes: [{ kind: 'definition', category: 'spam' }] }),
    );
    // A burst of content after a quiet day, for a monitor to raise an alert on (after the session took its pool).
    await host.workspace.withConnection((conn) =>
      conn.run(`INSERT INTO content (content_id, user_id, text, created_at)
        SELECT 'burst' || i, 'u1', 'burst', TIMESTAMP '2024-02-01 00:00:00' + INTERVAL (CASE WHEN i < 24 THEN i ELSE 24 END) HOUR
        FROM range(44) t(i)`),
    );
    await call(host, 'monitors.add', TRANSPORT_MONITOR);
    const [checked] = await call(host, 'monitors.check', { name: 'transport' });
    const inputs = validInputs(
      first.resultId!,
      job.id,
      report.id,
      reportFile,
      created.id,
      packFile,
      checked!.raised[0]!.id,
    );
    for (const method of METHOD_NAMES) {
      if (method === 'workspace.create') continue; // below: it switches workspaces, which ends the results in play
      // A long operation answers a job id; its job ends done before the next call (which may read what it made).
      const finished = async (outcome: CallOutcome) => {
        if (!isJobMethodName(method) || !outcome.ok) return;
        const job = await host.jobs.wait((outcome.value as JobStarted).jobId);
        // The fixture's labeled content shares one created_at, so no cut splits it: the backtest's answer is its refusal.
        if (method === 'sessions.backtest') expect(job.message).toContain('Cannot judge a cut at 2024-03-10');
        else expect(job.status, `${method}: ${job.message}`).toBe('done');
      };
      const ipc = await viaIpc(method, inputs[method]);
      await finished(ipc);
      const http = await viaHttp(method, inputs[method]);
      await finished(http.outcome);
      expect(ipc.ok, `${method} over IPC: ${JSON.stringify(ipc)}`).toBe(true);
      expect(http.outcome.ok, `${method} over HTTP: ${JSON.stringify(http.outcome)}`).toBe(true);
      expect(http.status).toBe(200);
    }
    const ipcPage = await viaIpc('query.page', inputs['query.page']);
    const httpPage = await viaHttp('query.page', inputs['query.page']);
    expect(ipcPage).toEqual(httpPage.outcome);
    // A new workspace each way (a new folder each time), then back to this one.
    const home = host.workspace.dir;
    const fresh = tempDir('sift-transport-new-');
    const ipcCreated = await viaIpc('workspace.create', { path: path.join(fresh, 'ipc') });
    expect(ipcCreated).toMatchObject({ ok: true, value: { name: 'ipc' } });
    expect((await viaIpc('workspace.open', { path: home })).ok).toBe(true);
    const httpCreated = await viaHttp('workspace.create', { path: path.join(fresh, 'http') });
    expect(httpCreated.outcome).toMatchObject({ ok: true, value: { name: 'http' } });
    expect((await viaHttp('workspace.open', { path: home })).outcome.ok).toBe(true);
    // Every method twice over, a scoring run and two workspace switches: over a minute on a loaded 2-core machine.
  }, 180_000);

  it('reject a malformed call to every method with a message, never a crash', async () => {
    for (const method of METHOD_NAMES) {
      for (const bad of [{ unexpected: true }, 'a string', [1, 2], 42]) {
        const ipc = await viaIpc(method, bad);
        const http = await viaHttp(method, bad);
        expect(ipc.ok, method).toBe(false);
        expect(http.status, method).toBe(400);
        if (!ipc.ok)
          expect(ipc.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining(`${method}:`) });
      }
    }
    const typed = await viaHttp('query.page', { resultId: 'x', offset: -1, limit: 10 });
    expect(typed.outcome).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('query.page: offset:') },
    });
  });

  it('name an unknown method, bad JSON, a missing token and a foreign window', async () => {
    expect(await viaHttp('nope.nothing', {})).toMatchObject({
      status: 404,
      outcome: { ok: false, error: { code: 'UNKNOWN_METHOD' } },
    });
    expect(await viaHttp('tables.list', '{not json')).toMatchObject({
      status: 400,
      outcome: { error: { message: expect.stringContaining('not valid JSON') } },
    });
    expect(await viaHttp('tables.list', {}, null)).toMatchObject({
      status: 401,
      outcome: { error: { code: 'UNAUTHORIZED' } },
    });
    expect(await viaHttp('tables.list', {}, 'wrong-token')).toMatchObject({ status: 401 });
    expect(await viaIpc('tables.list', {}, 99)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const twoArgs = await ipcHandlers.get(ipcChannel('tables.list'))!({ sender: { id: WINDOW_ID } }, {}, {});
    expect(twoArgs).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('push job events to the window and to the event stream', async () => {
    const events: HostEvent[] = [];
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${server.port}/api/events?token=${server.token}`, {
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const reading = (async () => {
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        for (const frame of text.split('\n\n').slice(0, -1))
          if (frame.startsWith('data: ')) events.push(JSON.parse(frame.slice(6)) as HostEvent);
        text = text.split('\n\n').pop()!;
        if (events.some((event) => event.channel === 'job' && event.event.type === 'done')) break;
      }
    })();
    sentToWindow.length = 0;
    await importFile(host, csvFile, { table: 'flags_events', replace: true });
    await reading;
    controller.abort();
    expect(events.some((event) => event.channel === 'job' && event.event.type === 'done')).toBe(true);
    expect(sentToWindow.some((payload) => (payload as HostEvent).channel === 'job')).toBe(true);
  });

  it('serve the UI with a strict CSP, and downloads only from the exports folder', async () => {
    const page = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<title>Sift</title>');
    const escape = await fetch(
      `http://127.0.0.1:${server.port}/api/download?path=${encodeURIComponent('/etc/passwd')}&token=${server.token}`,
    );
    expect(escape.status).toBe(404);
  });
});
