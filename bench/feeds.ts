/**
 * Folder feeds (issue 24), in the engine process as the app and `sift serve` run them:
 *   - a 100k-row CSV dropped into a watched folder → its rows queryable, against a plain import of the same file
 *     (the import.run job in the same engine) plus the settle time (target ≤ 1.3×);
 *   - a trivial call's p99 while a feed ingests 1M-row files (3, then 3 more with a monitor watching the table),
 *     against the same call's p99 in idle windows between them, interleaved so the machine's load weighs on both alike
 *     (target ≤ 1.5×).
 * Every number is a ratio against a baseline measured in the same run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { EngineClient } from '../electron/engine/engineClient.js';
import { Host } from '../electron/host/host.js';
import type { CallOutcome, FeedEvent } from '../shared/contract.js';
import { DEFAULT_SETTLE_MS } from '../shared/feedRules.js';

const REPEATS = 3;
/** 1M-row files ingested without a monitor, and again with one: each round an idle window, then an ingest. */
const ROUNDS = 3;
const IDLE_WINDOW_MS = 2_500;
/** Calls after the file is taken still count as busy: its checkpoint and the monitor's check follow it. */
const AFTER_TAKEN_MS = 750;

async function writeCsv(file: string, rows: number, offset = 0): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  // Shaped as user reports, so a monitor on source reports can watch the table the feed fills.
  await conn.run(`COPY (SELECT ${offset} + range AS report_id, 'c' || (range % 50000) AS content_id,
      ['spam', 'harassment', 'other'][(range % 3) + 1] AS reason, TIMESTAMP '2024-03-01' + to_seconds(range) AS created_at
    FROM range(${rows})) TO '${file.replace(/'/g, "''")}' (FORMAT csv, HEADER)`);
  conn.closeSync();
  instance.closeSync();
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const p99 = (values: number[]) => percentile(sorted(values), 99);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function valueOf<T>(outcome: CallOutcome): T {
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value as T;
}

export async function feedsBenchmark(scratch: string, log: (line: string) => void): Promise<void> {
  log('## Folder feeds: a dropped file to queryable rows, and calls served while a feed ingests');
  const root = fs.mkdtempSync(path.join(scratch, 'feeds-'));
  const workspace = path.join(root, 'ws');
  const landing = path.join(root, 'landing');
  const staging = path.join(root, 'staging');
  for (const dir of [landing, staging]) fs.mkdirSync(dir);
  await (await Host.open(workspace, { create: true, remember: false })).close();
  const small = path.join(staging, 'small.csv');
  await writeCsv(small, 100_000);
  const bigFiles: string[] = [];
  for (let i = 1; i <= 2 * ROUNDS; i++) {
    bigFiles.push(path.join(staging, `big-${i}.csv`));
    await writeCsv(bigFiles.at(-1)!, 1_000_000, i * 1_000_000);
  }
  const bigLanding = path.join(root, 'landing-big');
  fs.mkdirSync(bigLanding);

  // Reaching the workspace and these folders, as `sift serve --folder` does. The CLI's reach (the whole file system)
  // lists the workspace's parent folders entry by entry (docs/safety.md), and the scratch folder's parent (/tmp),
  // which every process on the machine writes to, would reopen the data engine at each change: a cost of /tmp's
  // traffic, not of the ingest measured here.
  const engine = await EngineClient.start({
    dir: workspace,
    fileAccess: { kind: 'confined', folders: [landing, staging, bigLanding] },
  });
  try {
    const feedEvents: FeedEvent[] = [];
    let monitorChecks = 0;
    engine.onEvent((event) => {
      if (event.channel === 'feed') feedEvents.push(event.event);
      if (event.channel === 'monitor' && event.event.type === 'changed' && event.event.what === 'checked')
        monitorChecks++;
    });
    const taken = (file: string) =>
      new Promise<FeedEvent>((resolve, reject) => {
        const check = setInterval(() => {
          const found = feedEvents.find((event) => event.path === file);
          if (!found) return;
          clearInterval(check);
          if (found.type === 'taken') resolve(found);
          else reject(new Error(`${file}: ${found.type} ${found.error ?? ''}`));
        }, 5);
      });

    // The baseline: the same file imported as a table by the import job, in the same engine.
    const imports: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      const { jobId } = valueOf<{ jobId: string }>(
        await engine.dispatch('import.run', { path: small, table: `imported_${i}` }),
      );
      await waitForJob(engine, jobId);
      imports.push(performance.now() - started);
    }
    valueOf(await engine.dispatch('watch.add', { dir: landing, table: 'landed' }));
    const feeds: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      // Each drop a distinct file (a copy of the same content would be a duplicate): one row differs.
      const drop = path.join(staging, `drop-${i}.csv`);
      fs.writeFileSync(drop, fs.readFileSync(small, 'utf8').replace(/\n0,/, `\n${-1 - i},`));
      const target = path.join(landing, `drop-${i}.csv`);
      // Written just now, as a file dropped in is: the settle time runs from the drop.
      const now = new Date();
      fs.utimesSync(drop, now, now);
      const started = performance.now();
      fs.renameSync(drop, target);
      await taken(target);
      const count = valueOf<{ rows: unknown[][] }>(
        await engine.dispatch('query.run', { queryId: `feed-${i}`, sql: 'SELECT count(*)::INTEGER FROM landed' }),
      );
      feeds.push(performance.now() - started);
      if (count.rows[0]![0] !== 100_000 * (i + 1)) throw new Error(`landed holds ${String(count.rows[0]![0])} rows`);
    }
    const baseline = median(imports) + DEFAULT_SETTLE_MS;
    log(
      `100k-row CSV dropped into a watched folder → rows queryable: ${median(feeds).toFixed(0)} ms (median of ${REPEATS}); import.run ${median(imports).toFixed(0)} ms + settle ${DEFAULT_SETTLE_MS} ms = ${baseline.toFixed(0)} ms; ratio ${(median(feeds) / baseline).toFixed(2)}× (target ≤ 1.3×)`,
    );

    // A trivial call's latency while a feed ingests 1M-row files, against the same call idle, interleaved: each round
    // measures an idle window, then drops a file and measures until it is taken and its checkpoint (and, later, the
    // monitor's check it sets off) is over. Pooled over the rounds, each p99 rests on ~1,000 calls.
    // Each turn makes the trivial call (workspace.info: a count from DuckDB's catalog) and one that does not reach
    // DuckDB (settings.get: a small file read), so the engine's own loop and DuckDB's share are told apart.
    type Times = { info: number[]; settings: number[] };
    const trivial = async (until: () => boolean): Promise<Times> => {
      const times: Times = { info: [], settings: [] };
      while (!until()) {
        let started = performance.now();
        valueOf(await engine.dispatch('workspace.info', {}));
        times.info.push(performance.now() - started);
        started = performance.now();
        valueOf(await engine.dispatch('settings.get', {}));
        times.settings.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return times;
    };
    const forMs = (ms: number) => {
      const end = performance.now() + ms;
      return () => performance.now() >= end;
    };
    // A feed of its own with a short settle time, so the calls measured meet the ingest, not the wait before it.
    valueOf(await engine.dispatch('watch.add', { dir: bigLanding, table: 'reports', settleMs: 100 }));
    await trivial(forMs(500)); // warm
    // The steady state: the table exists (a first file made it).
    const first = path.join(bigLanding, 'first.csv');
    const firstTaken = taken(first);
    fs.copyFileSync(small, first);
    await firstTaken;
    const rounds = async (files: string[], withMonitor: boolean) => {
      const label = withMonitor ? ' and a monitor runs' : '';
      const idle: Times = { info: [], settings: [] };
      const busy: Times = { info: [], settings: [] };
      const perRound: string[] = [];
      for (const file of files) {
        const idleNow = await trivial(forMs(IDLE_WINDOW_MS));
        const target = path.join(bigLanding, path.basename(file));
        const fileTaken = taken(target);
        let after: (() => boolean) | null = null;
        void fileTaken.then(() => (after = forMs(AFTER_TAKEN_MS)));
        const checksBefore = monitorChecks;
        fs.renameSync(file, target);
        // From the drop: its settle time (100 ms), hashing, the 1M-row append, the checkpoint after it, and the
        // monitor's check the take sets off.
        const busyNow = await trivial(
          () => after !== null && after() && (!withMonitor || monitorChecks > checksBefore),
        );
        await fileTaken;
        for (const key of ['info', 'settings'] as const) {
          idle[key].push(...idleNow[key]);
          busy[key].push(...busyNow[key]);
        }
        perRound.push((p99(busyNow.info) / p99(idleNow.info)).toFixed(2));
      }
      const spread = (times: number[]) =>
        `p50 ${percentile(sorted(times), 50).toFixed(1)}, p90 ${percentile(sorted(times), 90).toFixed(1)}, max ${Math.max(...times).toFixed(1)}`;
      log(
        `trivial call (workspace.info) p99 while a feed ingests 1M rows${label}: ${p99(busy.info).toFixed(1)} ms over ${busy.info.length} calls in ${files.length} ingests (${spread(busy.info)}); idle between them ${p99(idle.info).toFixed(1)} ms over ${idle.info.length} calls (${spread(idle.info)}); ratio ${(p99(busy.info) / p99(idle.info)).toFixed(2)}× (per round ${perRound.join(', ')}) (target ≤ 1.5×)`,
      );
      log(
        `  the same windows, a call that does not reach DuckDB (settings.get): p99 ${p99(busy.settings).toFixed(1)} ms (${spread(busy.settings)}) vs idle ${p99(idle.settings).toFixed(1)} ms (${spread(idle.settings)}); ratio ${(p99(busy.settings) / p99(idle.settings)).toFixed(2)}× (the engine's loop)`,
      );
    };
    await rounds(bigFiles.slice(0, ROUNDS), false);
    // Then with a monitor watching the table. It checks whenever a feed takes a file (and every hour): checking every
    // few seconds too would put checks in the idle windows, raising the baseline the busy ones are judged against.
    const monitor = await engine.dispatch('monitors.add', {
      name: 'bench-reports',
      source: 'reports',
      by: 'reason',
      bucket: 'hour',
      every: '1h',
    });
    if (monitor.ok) await rounds(bigFiles.slice(ROUNDS), true);
    else log(`(no monitor: ${monitor.error.message})`);
  } finally {
    await engine.close();
  }
}

async function waitForJob(engine: EngineClient, jobId: string): Promise<void> {
  for (;;) {
    const job = valueOf<{ status: string; message: string }>(await engine.dispatch('jobs.get', { jobId }));
    if (job.status === 'done') return;
    if (job.status !== 'running') throw new Error(`import: ${job.status} ${job.message}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
