/**
 * Monitors (issue 24), in the engine process as the app, `sift serve` and `sift watch run` run them: a file a feed
 * commits to `reports` → the alert's webhook POST received by a local HTTP receiver, with the monitor checking every
 * 5 s. Target: ≤ one check interval + 200 ms. The monitors check when a feed takes a file (MonitorsAlwaysOn), so the
 * interval is the ceiling, not the wait; the ratio is against that budget, and the check's own time (a
 * `monitors.check` with nothing new, in the same engine) is given beside it.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { EngineClient } from '../electron/engine/engineClient.js';
import { Host } from '../electron/host/host.js';
import type { CallOutcome, FeedEvent } from '../shared/contract.js';

const REPEATS = 5;
const EVERY_MS = 5_000;
const HOUR = 3_600_000;
const START = Date.UTC(2024, 2, 1);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function valueOf<T>(outcome: CallOutcome): T {
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value as T;
}

/** Reports CSV lines: `perHour` reports an hour over `hours` hours from `fromHour`, ids from `firstId`. */
function reportsCsv(fromHour: number, hours: number, perHour: number, firstId: number, reason?: string): string {
  const reasons = ['spam', 'harassment', 'other', 'hate'];
  const lines = ['report_id,content_id,reason,created_at'];
  let id = firstId;
  for (let hour = fromHour; hour < fromHour + hours; hour++)
    for (let i = 0; i < perHour; i++) {
      const at = new Date(START + hour * HOUR + Math.floor((i * HOUR) / perHour)).toISOString();
      lines.push(`${id},c${id % 997},${reason ?? reasons[id % reasons.length]},${at}`);
      id++;
    }
  return `${lines.join('\n')}\n`;
}

export async function monitorsBenchmark(scratch: string, log: (line: string) => void): Promise<void> {
  log('## Monitors: a feed commit to the webhook received (monitor every 5 s)');
  const root = fs.mkdtempSync(path.join(scratch, 'monitors-'));
  const workspace = path.join(root, 'ws');
  const landing = path.join(root, 'landing');
  fs.mkdirSync(landing);
  await (await Host.open(workspace, { create: true, remember: false })).close();

  const received: { windowStart: string; at: number }[] = [];
  const receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({
        windowStart: String((JSON.parse(body) as { window_start: string }).window_start),
        at: performance.now(),
      });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/bench`;

  const engine = await EngineClient.start({ dir: workspace, fileAccess: { kind: 'any' } });
  try {
    const takenAt = new Map<string, number>();
    engine.onEvent((event) => {
      if (event.channel === 'feed') {
        const feed: FeedEvent = event.event;
        if (feed.type === 'taken') takenAt.set(feed.path, performance.now());
        else throw new Error(`${feed.path}: ${feed.type} ${feed.error ?? ''}`);
      }
    });
    const until = async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + 60_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    const drop = async (name: string, csv: string) => {
      const staged = path.join(root, name);
      fs.writeFileSync(staged, csv);
      const target = path.join(landing, name);
      fs.renameSync(staged, target);
      await until(() => takenAt.has(target), `${name} taken`);
      return takenAt.get(target)!;
    };
    valueOf(await engine.dispatch('watch.add', { dir: landing, table: 'reports', settleMs: 100 }));
    // Three quiet days of history, then the monitor (its first check judges them).
    await drop('history.csv', reportsCsv(0, 72, 20, 0));
    valueOf(
      await engine.dispatch('monitors.add', {
        name: 'bench',
        source: 'reports',
        by: 'reason',
        bucket: 'hour',
        every: '5s',
        webhooks: [webhook],
      }),
    );
    valueOf(await engine.dispatch('monitors.check', { name: 'bench' }));
    const checks: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      valueOf(await engine.dispatch('monitors.check', { name: 'bench' }));
      checks.push(performance.now() - started);
    }
    const latencies: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      // A burst of spam an hour after the last one's window: a new window, one alert (an adjacent one would grow it).
      const hour = 72 + 2 * i;
      const windowStart = new Date(START + hour * HOUR).toISOString();
      const committed = await drop(`burst-${i}.csv`, reportsCsv(hour, 1, 200, 1_000_000 * (i + 1), 'spam'));
      await until(() => received.some((entry) => entry.windowStart === windowStart), `the alert of ${windowStart}`);
      latencies.push(received.find((entry) => entry.windowStart === windowStart)!.at - committed);
    }
    const budget = EVERY_MS + 200;
    log(
      `feed commit → webhook received: ${median(latencies).toFixed(0)} ms (median of ${REPEATS}; max ${Math.max(...latencies).toFixed(0)} ms); budget one check interval + 200 ms = ${budget} ms; ratio ${(median(latencies) / budget).toFixed(3)}× (target ≤ 1×); a check with nothing new ${median(checks).toFixed(0)} ms`,
    );
  } finally {
    // Nothing left for the engine to stay on for: it exits when let go.
    await engine.dispatch('monitors.remove', { name: 'bench' });
    await engine.dispatch('watch.remove', { dir: landing });
    await engine.close();
    await new Promise((resolve) => receiver.close(resolve));
  }
}
