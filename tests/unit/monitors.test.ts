/**
 * Monitors with real parts: a real DuckDB workspace, a real HTTP receiver (node:http) that fails and then dedupes
 * by the idempotency key, the real CLI on the sample, and the desktop notification's wiring.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireAlertNotifications } from '../../electron/alertNotifications';
import type { Host } from '../../electron/host/host';
import { IDEMPOTENCY_HEADER } from '../../electron/host/monitors/delivery';
import type { AlertInfo } from '../../shared/contract';
import type { HostEvent } from '../../shared/jobs';
import { call, openTempHost, tempDir } from './support';

const ANNOTATOR = { role: 'annotator', annotator: 'ana' } as const;
const SECRET_PATH = '/services/T000/B000/very-secret-token';

/** A receiver that answers its first tries badly (500, then too late), and takes each idempotency key once. */
async function startReceiver(badTries: ('500' | 'slow')[]) {
  const accepted = new Map<string, Record<string, unknown>>();
  const tries: { key: string; body: Record<string, unknown> }[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const key = String(request.headers[IDEMPOTENCY_HEADER.toLowerCase()] ?? '');
      const payload = JSON.parse(body) as Record<string, unknown>;
      tries.push({ key, body: payload });
      const bad = badTries.shift();
      if (bad === '500') return void response.writeHead(500).end('try again');
      // Taken, but answered after the sender gave up: the sender tries again with the same key.
      if (!accepted.has(key)) accepted.set(key, payload);
      if (bad === 'slow') return void setTimeout(() => response.writeHead(200).end('late'), 1_500).unref();
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
  return { url, accepted, tries, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Hourly content: `perHour` items an hour for `hours` hours from 2024-03-01, with extra items in some hours. */
async function addContent(host: Host, hours: number, perHour: number, extra: Record<number, number> = {}) {
  const rows: string[] = [];
  for (let hour = 0; hour < hours; hour++)
    for (let i = 0; i < perHour + (extra[hour] ?? 0); i++)
      rows.push(
        `('h${hour}-${i}-${rows.length}', 'en', TIMESTAMP '2024-03-01 00:00:00' + INTERVAL ${hour} HOUR + INTERVAL ${i} SECOND)`,
      );
  await host.workspace.withConnection(async (conn) => {
    await conn.run('CREATE TABLE IF NOT EXISTS content (content_id VARCHAR, language VARCHAR, created_at TIMESTAMP)');
    await conn.run(`INSERT INTO content VALUES ${rows.join(', ')}`);
  });
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a monitor on a workspace', () => {
  let host: Host;
  const events: HostEvent[] = [];
  const logged: string[] = [];
  const originalError = console.error;

  beforeAll(async () => {
    ({ host } = await openTempHost());
    host.onEvent((event) => events.push(event));
    console.error = (...args: unknown[]) => logged.push(args.map(String).join(' '));
    // Two quiet days, then a burst in hour 49.
    await addContent(host, 50, 10, { 49: 60 });
  });
  afterAll(async () => {
    console.error = originalError;
    await host.close();
  });

  it('delivers an alert to a webhook that fails twice exactly once, and records every try', async () => {
    const receiver = await startReceiver(['500', 'slow']);
    host.monitors.delivery = { timeoutMs: 400, backoffMs: () => 50, maxAttempts: 6 };
    try {
      const monitor = await call(host, 'monitors.add', {
        name: 'burst',
        source: 'content',
        by: 'total',
        bucket: 'hour',
        every: '5s',
        webhooks: [receiver.url],
        playbook: 'Open the spike drill at the window.',
      });
      expect(monitor.webhooks).toEqual([
        expect.objectContaining({ shown: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…$/) }),
      ]);
      const [result] = await call(host, 'monitors.check', { name: 'burst' });
      expect(result!.raised).toHaveLength(1);
      const alert = result!.raised[0]!;
      expect(alert).toMatchObject({
        series: 'all',
        windowStart: '2024-03-03T01:00:00.000Z',
        count: 70,
        status: 'open',
      });
      // The first try failed (500); the state says so until a try succeeds.
      expect((await call(host, 'monitors.list', {}))[0]!.state).toBe('delivery failing');
      await waitFor(async () => (await call(host, 'alerts.list', {}))[0]!.delivery === 'delivered', 'the delivery');
      expect(receiver.tries.length).toBe(3);
      expect(new Set(receiver.tries.map((t) => t.key)).size).toBe(1);
      expect(receiver.accepted.size).toBe(1);
      expect([...receiver.accepted.values()][0]).toMatchObject({
        monitor: 'burst',
        series: 'all',
        window_start: '2024-03-03T01:00:00.000Z',
        window_end: '2024-03-03T02:00:00.000Z',
        count: 70,
        expected: alert.expected,
        z: alert.z,
        text: expect.stringContaining('burst'),
      });
      const deliveries = await call(host, 'alerts.deliveries', { alertId: alert.id });
      expect(deliveries.map((d) => [d.attempt, d.outcome, d.httpStatus])).toEqual([
        [3, 'delivered', 200],
        [2, 'failed', null],
        [1, 'failed', 500],
      ]);
      expect((await call(host, 'monitors.list', {}))[0]).toMatchObject({ state: 'alerting', openAlerts: 1 });
      expect(events).toContainEqual({
        channel: 'monitor',
        event: { type: 'alert', alert: expect.objectContaining({ id: alert.id }) },
      });
      // The URL is a secret: never in a list, a delivery record, a log line or an event.
      const seen = JSON.stringify([await call(host, 'monitors.list', {}), deliveries, events, logged]);
      expect(seen).not.toContain(SECRET_PATH);
      expect(await call(host, 'alerts.list', {})).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('checks by data time: rows appended to an old bucket are judged again, and a window alerts once', async () => {
    expect((await call(host, 'monitors.check', { name: 'burst' }))[0]!.bucketsChecked).toBe(0);
    // More rows in the burst's hour, and a burst in an old hour (hour 30) that arrived late.
    await addContent(host, 50, 0, { 49: 20, 30: 60 });
    const [late] = await call(host, 'monitors.check', { name: 'burst' });
    expect(late!.bucketsChecked).toBe(2);
    expect(late!.raised.map((a) => a.windowStart)).toEqual(['2024-03-02T06:00:00.000Z']);
    const alerts = await call(host, 'alerts.list', { monitor: 'burst' });
    expect(alerts.map((a) => [a.windowStart, a.count])).toEqual([
      ['2024-03-02T06:00:00.000Z', 70],
      ['2024-03-03T01:00:00.000Z', 90],
    ]);
    // The next hour keeps on: the same window grows, no second alert.
    await addContent(host, 51, 0, { 50: 80 });
    const [grown] = await call(host, 'monitors.check', { name: 'burst' });
    expect(grown!.raised).toEqual([]);
    const burst = (await call(host, 'alerts.list', {})).find((a) => a.windowStart === '2024-03-03T01:00:00.000Z')!;
    expect([burst.windowEnd, burst.count]).toEqual(['2024-03-03T03:00:00.000Z', 170]);
  });

  it('records who acknowledged and resolved an alert', async () => {
    const [alert] = await call(host, 'alerts.list', { status: 'open' });
    expect(await call(host, 'alerts.acknowledge', { id: alert!.id, by: 'lead' })).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'lead',
    });
    const resolved = await call(host, 'alerts.resolve', { id: alert!.id, by: 'lead', note: 'a test burst' });
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'lead', note: 'a test burst' });
    expect(resolved.resolvedAt).not.toBeNull();
  });

  it("refuses an annotator's token every monitor method, and keeps the store (and the URLs) out of SQL", async () => {
    for (const [method, input] of [
      ['monitors.add', { name: 'x', source: 'content', by: 'total', bucket: 'hour' }],
      ['monitors.update', { name: 'burst', addWebhooks: ['https://evil.example.com/'] }],
      ['monitors.remove', { name: 'burst' }],
      ['monitors.list', {}],
      ['alerts.acknowledge', { id: 'x' }],
    ] as const) {
      const outcome = await host.dispatch(method, input, ANNOTATOR);
      expect(outcome, method).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    for (const sql of [
      'SELECT url FROM monitor_webhooks',
      `SELECT * FROM read_text('${path.join(host.workspace.dir, '.sift', 'store.duckdb')}')`,
      `ATTACH '${path.join(host.workspace.dir, '.sift', 'store.duckdb')}' AS s`,
    ]) {
      const outcome = await host.dispatch('query.run', { queryId: 'peek', sql });
      expect(outcome.ok, sql).toBe(false);
    }
  });

  it('refuses bad definitions by field', async () => {
    const bad = async (input: Record<string, unknown>) =>
      (await host.dispatch('monitors.add', { name: 'bad', source: 'content', by: 'total', bucket: 'hour', ...input }))
        .ok === false;
    expect(await bad({ every: '3x' })).toBe(true);
    expect(await bad({ by: 'reason' })).toBe(true);
    expect(await bad({ webhooks: ['ftp://x/'] })).toBe(true);
    expect(await bad({ measure: 'auto_rate' })).toBe(true);
  });
});

describe('a monitor on the sample', () => {
  it('marks the spam campaign and stays quiet on normal weeks (sift monitor add, check, alerts)', async () => {
    const ws = path.join(tempDir('sift-monitor-sample-'), 'ws');
    const sift = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn('node', ['bin/sift.mjs', ...args, '--workspace', ws], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('close', (code) => resolve({ code, stdout }));
      });
    expect((await sift('sample')).code).toBe(0);
    const added = await sift(
      'monitor',
      'add',
      '--name',
      'reasons',
      '--source',
      'reports',
      '--by',
      'reason',
      '--bucket',
      'hour',
      '--every',
      '1m',
    );
    expect(added.code).toBe(0);
    expect((await sift('monitor', 'check')).code).toBe(0);
    const alerts = JSON.parse((await sift('alerts', '--json')).stdout) as Record<string, unknown>[];
    const campaign = alerts.find((a) => a.series === 'spam' && a.window_start === '2024-03-10T14:00:00.000Z');
    expect(campaign).toMatchObject({ monitor: 'reasons', status: 'open' });
    expect(Number(campaign!.z)).toBeGreaterThan(10);
    // Outside the campaign's day: at most one window per series per week (two weeks of data).
    const outside = alerts.filter((a) => !String(a.window_start).startsWith('2024-03-10'));
    const perSeries = new Map<string, number>();
    for (const alert of outside) perSeries.set(String(alert.series), (perSeries.get(String(alert.series)) ?? 0) + 1);
    for (const [series, count] of perSeries) expect(count, series).toBeLessThanOrEqual(2);
    // Newest first, with the keys scripts read.
    expect(Object.keys(alerts[0]!).slice(0, 8)).toEqual([
      'monitor',
      'series',
      'window_start',
      'window_end',
      'count',
      'expected',
      'z',
      'status',
    ]);
    const listed = JSON.parse((await sift('monitor', 'list', '--json')).stdout) as { name: string; state: string }[];
    expect(listed).toMatchObject([{ name: 'reasons', state: 'alerting' }]);
  }, 120_000);
});

describe('desktop notifications', () => {
  it('show one Electron Notification per raised alert, and none for other events', () => {
    let listener: (event: HostEvent) => void = () => undefined;
    const shown: { title: string; body: string }[] = [];
    const clicked: string[] = [];
    const unwire = wireAlertNotifications(
      { onEvent: (l) => ((listener = l), () => (listener = () => undefined)) },
      {
        isSupported: () => true,
        make: (options) => ({
          show: () => shown.push(options),
          on: (_event, onClick) => clicked.push(String(onClick.length)),
        }),
      },
    );
    const alert = {
      id: 'a1',
      monitor: 'reasons',
      series: 'spam',
      count: 784,
      expected: 46,
      z: 39.5,
      windowStart: '2024-03-10T14:00:00.000Z',
      windowEnd: '2024-03-10T19:00:00.000Z',
    } as AlertInfo;
    listener({ channel: 'monitor', event: { type: 'alert', alert } });
    listener({ channel: 'monitor', event: { type: 'changed', monitor: 'reasons', what: 'checked' } });
    listener({ channel: 'workspace', event: { type: 'changed' } });
    expect(shown).toEqual([
      {
        title: 'Sift alert: reasons',
        body: 'spam rose to 784 (expected 46, z 39.5) from 2024-03-10 14:00 to 2024-03-10 19:00 UTC',
      },
    ]);
    expect(clicked).toHaveLength(1);
    unwire();
    listener({ channel: 'monitor', event: { type: 'alert', alert } });
    expect(shown).toHaveLength(1);
  });
});
