/**
 * npm run bench — on a generated 1M-item workspace:
 *   - import throughput (rows/s) for CSV and Parquet through Sift's importer, against DuckDB reading the same
 *     file directly in the same run;
 *   - the overhead of `sift query` and of the grid's first page against the same query run directly through
 *     @duckdb/node-api in the same run (ratios; medians of several runs).
 *   - models: throughput by batch size, single-item latency, end-to-end re-scoring, remote vs local (bench/models.ts);
 *   - evaluation: every figure and an isotonic fit for 5M (item, category) pairs, against scikit-learn when present
 *     (bench/evaluation.ts);
 *   - the distilled recipe on the real Davidson et al. corpus, 5-fold (bench/davidson.ts).
 *   - release gates: `sift gate` over 1M items × 5 categories, both versions, vs one `sift eval` (bench/gates.ts);
 *   - robustness: the obfuscation suite, 10,000 positives × 6 transforms, vs plain scoring (bench/robustness.ts).
 *   - labeling: durable appends through `sift labels ingest`, and keypress → next item in Chromium (bench/labeling.ts).
 *   - media in the labeling screen: keypress → next image item painted vs text items, in Chromium (bench/mediaPaint.ts).
 *   - feeds: a dropped file to queryable rows vs an import + the settle time, and a trivial call's p99 while a feed
 *     ingests 1M rows vs idle (bench/feeds.ts).
 *   - monitors: a feed commit → the alert's webhook received, monitor every 5 s, vs that interval + 200 ms (bench/monitors.ts).
 *   - spikes: the robust spike baseline against the trailing mean it replaced, on the committed sample (bench/spikeBaseline.ts).
 *   - the engine process: the serving process's event loop and a trivial call's latency while the engine evaluates
 *     and re-scores 1M items, the engine's restart after kill -9 (bench/engine.ts), and the spike drill's clustering
 *     of a 10,000-post campaign (bench/nearDuplicates.ts);
 *   - media: near-duplicate clusters of 100,000 perceptual hashes, hashes precomputed, vs the all-pairs comparison
 *     (bench/mediaClusters.ts); thumbnails of 10,000 1-MP JPEGs vs sharp's own resize, and a trivial call's p99 while
 *     media.prepare runs vs idle (bench/media.ts).
 * BENCH_ROWS changes the size (default 1,000,000); BENCH_ONLY=foundation|models|evaluation|gates|engine|labeling|mediaPaint|feeds|monitors|spikes|robustness|davidson|mediaClusters|media runs one section.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { main as siftMain } from '../electron/cli.js';
import { computeOnEveryCore, shutdownComputePool } from '../electron/host/compute/workerPool.js';
import { Host } from '../electron/host/host.js';
import { createSampleWorkspace } from '../electron/host/samples/sampleWorkspace.js';
import { startServer } from '../electron/server.js';
import { generatePlatformSample } from '../sample-data/generate.js';
import { davidsonAgreement, davidsonBenchmark } from './davidson.js';
import { cliStartBenchmark, engineBenchmark } from './engine.js';
import { engineSocketBenchmark } from './engineSocket.js';
import { evaluationBenchmark } from './evaluation.js';
import { feedsBenchmark } from './feeds.js';
import { gatesBenchmark } from './gates.js';
import { labelingBenchmark } from './labeling.js';
import { mediaBenchmark } from './media.js';
import { mediaClustersBenchmark } from './mediaClusters.js';
import { mediaPaintBenchmark } from './mediaPaint.js';
import { modelsBenchmark } from './models.js';
import { monitorsBenchmark } from './monitors.js';
import { nearDuplicateBenchmark } from './nearDuplicates.js';
import { robustnessBenchmark } from './robustness.js';
import { spikeBaselineBenchmark } from './spikeBaseline.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** BENCH_ONLY=foundation|models|evaluation|engine|davidson runs one section (the 1M workspace is made either way, but for davidson). */
const ONLY = process.env.BENCH_ONLY;
const runs = (section: string) => !ONLY || ONLY === section;
const REPEATS = 5;
const exec = promisify(execFile);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-bench-'));
process.env.SIFT_HOME = path.join(scratch, 'home');

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

async function median(work: () => Promise<unknown>, repeats = REPEATS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push((await timed(work)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const rate = (rows: number, ms: number) => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`;
const ratio = (ms: number, baseline: number) => `${(ms / baseline).toFixed(2)}×`;

async function main(): Promise<void> {
  computeOnEveryCore(); // the in-process host's pool sized as the engine process sizes its own (engineMain.ts)
  console.log(
    `Sift benchmark — ${ROWS.toLocaleString('en-US')} content items, ${os.cpus().length} cores, node ${process.version}\n`,
  );

  if (ONLY === 'davidson') {
    console.log('## Real-data check: the distilled recipe on Davidson et al. 2017');
    await davidsonAgreement(console.log);
    await davidsonBenchmark(console.log);
    return;
  }
  if (ONLY === 'feeds') {
    // Files of its own: feeds need no million-item workspace.
    await feedsBenchmark(scratch, console.log);
    fs.rmSync(scratch, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'monitors') {
    // A workspace of its own: a feed commit to a webhook needs no million-item workspace.
    await monitorsBenchmark(scratch, console.log);
    fs.rmSync(scratch, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'spikes') {
    // On the committed sample: the baseline needs no million-item workspace.
    await spikeBaselineBenchmark(console.log);
    fs.rmSync(scratch, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'robustness') {
    // A 10,000-item workspace of its own: the suite needs no million-item workspace.
    await robustnessBenchmark(scratch, console.log);
    fs.rmSync(scratch, { recursive: true, force: true });
    await shutdownComputePool();
    return;
  }
  if (ONLY === 'mediaPaint') {
    // On the committed sample with its content replaced by generated image and text items.
    await mediaPaintBenchmark(scratch, console.log);
    fs.rmSync(scratch, { recursive: true, force: true });
    await shutdownComputePool();
    return;
  }
  if (ONLY === 'mediaClusters') {
    // Generated hashes: clustering needs no workspace.
    mediaClustersBenchmark(console.log);
    fs.rmSync(scratch, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'media') {
    // 1-MP JPEGs of its own: thumbnails need no million-item workspace.
    await mediaBenchmark(scratch, console.log);
    fs.rmSync(scratch, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'labeling') {
    // On the committed sample: labeling needs no million-item workspace.
    await labelingBenchmark(scratch, console.log);
    fs.rmSync(scratch, { recursive: true, force: true });
    await shutdownComputePool();
    return;
  }
  const sampleDir = path.join(scratch, 'sample');
  const generated = await timed(() => generatePlatformSample({ rows: ROWS, seed: 7, out: sampleDir, media: 'none' }));
  console.log(
    `generate sample: ${(generated.ms / 1000).toFixed(1)} s (${Object.entries(generated.value.counts)
      .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
      .join(', ')})`,
  );
  const workspaceDir = path.join(scratch, 'workspace');
  const created = await timed(async () => (await createSampleWorkspace(workspaceDir, { from: sampleDir })).close());
  console.log(`create workspace: ${(created.ms / 1000).toFixed(1)} s\n`);

  if (runs('foundation')) await foundationBenchmark(sampleDir, workspaceDir);
  if (runs('models')) {
    console.log('');
    const host = await Host.open(workspaceDir, { remember: false });
    await modelsBenchmark(host, sampleDir, ROWS, console.log);
    await host.close();
  }
  if (runs('evaluation')) {
    console.log(
      `\n## Evaluation at scale: every figure and an isotonic fit, ${ROWS.toLocaleString('en-US')} items × 5 categories`,
    );
    const host = await Host.open(workspaceDir, { remember: false });
    await evaluationBenchmark(host, scratch, console.log);
    await host.close();
  }
  if (runs('gates')) {
    const host = await Host.open(workspaceDir, { remember: false });
    await gatesBenchmark(host, console.log);
    await host.close();
  }
  if (runs('engine')) {
    console.log('');
    fs.mkdirSync(path.join(scratch, 'no-ui'), { recursive: true });
    await engineBenchmark(workspaceDir, path.join(scratch, 'no-ui'), console.log);
    nearDuplicateBenchmark(console.log);
    await cliStartBenchmark(workspaceDir, path.join(scratch, 'sample-workspace'), console.log);
    await engineSocketBenchmark(path.join(scratch, 'sample-workspace'), console.log);
  }
  if (runs('spikes')) await spikeBaselineBenchmark(console.log);
  if (runs('robustness')) {
    console.log('');
    await robustnessBenchmark(scratch, console.log);
  }
  if (runs('labeling')) {
    console.log('');
    await labelingBenchmark(scratch, console.log);
  }
  if (runs('mediaPaint')) {
    console.log('');
    await mediaPaintBenchmark(scratch, console.log);
  }
  if (runs('feeds')) {
    console.log('');
    await feedsBenchmark(scratch, console.log);
  }
  if (runs('monitors')) {
    console.log('');
    await monitorsBenchmark(scratch, console.log);
  }
  if (runs('mediaClusters')) mediaClustersBenchmark(console.log);
  if (runs('media')) {
    console.log('');
    await mediaBenchmark(scratch, console.log);
  }
  if (runs('davidson')) {
    console.log('\n## Real-data check: the distilled recipe on Davidson et al. 2017');
    await davidsonAgreement(console.log);
    await davidsonBenchmark(console.log);
  }
  console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  fs.rmSync(scratch, { recursive: true, force: true });
  await shutdownComputePool(); // else an idle worker's port keeps the benchmark from exiting
}

async function foundationBenchmark(sampleDir: string, workspaceDir: string): Promise<void> {
  // Files to import: the content table (text-heavy, 10 columns) as CSV and Parquet.
  const csvFile = path.join(scratch, 'content.csv');
  const parquetFile = path.join(sampleDir, 'content.parquet');
  {
    // The baseline writes into a file-backed database too, as a workspace does, so the ratio is Sift's own cost.
    const instance = await DuckDBInstance.create(path.join(scratch, 'direct.duckdb'));
    const conn = await instance.connect();
    await conn.run(
      `COPY (SELECT * EXCLUDE (image_emb) FROM '${parquetFile}') TO '${csvFile}' (FORMAT csv, HEADER true)`,
    );
    console.log('## Import throughput (median of 3)');
    for (const [label, file, reader] of [
      ['CSV', csvFile, 'read_csv'],
      ['Parquet', parquetFile, 'read_parquet'],
    ] as const) {
      let n = 0;
      const direct = await median(
        async () => conn.run(`CREATE OR REPLACE TABLE t${n++} AS SELECT * FROM ${reader}('${file}')`),
        3,
      );
      const host = await Host.open(workspaceDir, { remember: false });
      let k = 0;
      const sift = await median(
        async () => host.runJob('import.run', { path: file, table: `bench_${label.toLowerCase()}_${k++}` }),
        3,
      );
      await host.close();
      const mb = fs.statSync(file).size / 1e6;
      console.log(
        `${label.padEnd(8)} ${mb.toFixed(0)} MB  sift import ${fmt(sift)} = ${rate(ROWS, sift)}   duckdb direct ${fmt(direct)} = ${rate(ROWS, direct)}   overhead ${ratio(sift, direct)}`,
      );
    }
    conn.closeSync();
    instance.closeSync();
  }

  const queries = {
    aggregate:
      'SELECT language, surface, content_type, count(*) AS n, avg(views_24h) AS views FROM content GROUP BY ALL ORDER BY n DESC',
    wide: "SELECT content_id, user_id, language, text, created_at FROM content WHERE language IN ('en', 'es') ORDER BY created_at",
  };

  console.log('\n## `sift query` against @duckdb/node-api (median of 5)');
  for (const [name, sql] of Object.entries(queries)) {
    const outDirect = path.join(scratch, `${name}-direct.csv`);
    const outSift = path.join(scratch, `${name}-sift.csv`);
    const instance = await DuckDBInstance.create(path.join(workspaceDir, 'workspace.duckdb'));
    const conn = await instance.connect();
    const directRead = await median(async () => (await conn.runAndReadAll(sql)).getRowsJson());
    const directCopy = await median(async () => conn.run(`COPY (${sql}) TO '${outDirect}' (FORMAT csv, HEADER true)`));
    conn.closeSync();
    instance.closeSync();
    const inProcess = await median(async () => {
      const code = await siftMain([
        'query',
        '--workspace',
        workspaceDir,
        '--sql',
        sql,
        '--format',
        'csv',
        '--out',
        outSift,
      ]);
      if (code !== 0) throw new Error('sift query failed');
    });
    const subprocess = await median(
      () =>
        exec(
          'node',
          ['bin/sift.mjs', 'query', '--workspace', workspaceDir, '--sql', sql, '--format', 'csv', '--out', outSift],
          { env: process.env },
        ),
      3,
    );
    const rows = fs.readFileSync(outSift, 'utf8').split('\n').length - 2;
    console.log(
      `${name.padEnd(9)} ${rows.toLocaleString('en-US').padStart(9)} rows  direct read ${fmt(directRead)}, direct COPY ${fmt(directCopy)} | sift query (in process) ${fmt(inProcess)} = ${ratio(inProcess, directCopy)} of COPY | sift query (new process) ${fmt(subprocess)} = ${ratio(subprocess, directCopy)}`,
    );
  }

  console.log("\n## The grid's first page against the same query through @duckdb/node-api (median of 5)");
  const host = await Host.open(workspaceDir, { remember: false });
  const server = await startServer({ host, staticDir: path.join(scratch, 'no-ui') });
  {
    // The issue's measure: a result of ten rows per item (10M at 1M items) — never read whole here.
    const sql = 'SELECT c.content_id, c.language, k.k FROM content c CROSS JOIN range(10) k(k)';
    let id = 0;
    const directFirst = await median(() =>
      host.workspace.withConnection(async (conn) => (await conn.runAndReadAll(`${sql} LIMIT 200`)).getRowsJson()),
    );
    const grid = await median(async () => {
      const result = await host.queries.run({ queryId: `t${id++}`, sql, pageSize: 200 }, false);
      await host.queries.close(result.resultId!);
    });
    console.log(
      `${(ROWS * 10).toLocaleString('en-US')}-row result: direct LIMIT 200 ${fmt(directFirst)} | grid first page ${fmt(grid)} = ${ratio(grid, directFirst)} (target ≤ 1.5× + 30 ms = ${fmt(directFirst * 1.5 + 30)}) ${grid <= directFirst * 1.5 + 30 ? '✓' : '✗'}`,
    );
  }
  for (const [name, sql] of Object.entries(queries)) {
    let id = 0;
    const directAll = await median(() =>
      host.workspace.withConnection(async (conn) => (await conn.runAndReadAll(sql)).getRowsJson()),
    );
    const directFirst = await median(() =>
      host.workspace.withConnection(async (conn) => (await conn.runAndReadAll(`${sql} LIMIT 200`)).getRowsJson()),
    );
    const grid = await median(async () => {
      const result = await host.queries.run({ queryId: `g${id++}`, sql, pageSize: 200 }, false);
      await host.queries.close(result.resultId!);
    });
    const http = await median(async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/query.run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sift-token': server.token! },
        body: JSON.stringify({ queryId: `h${id++}`, sql, pageSize: 200 }),
      });
      const outcome = (await response.json()) as { ok: boolean; value: { resultId: string } };
      await host.queries.close(outcome.value.resultId);
    });
    const result = await host.queries.run({ queryId: 'deep', sql, pageSize: 0 }, false);
    const deepPage = await median(
      () => host.queries.page({ resultId: result.resultId!, offset: Math.max(0, result.rowCount - 200), limit: 200 }),
      9,
    );
    console.log(
      `${name.padEnd(9)} direct (all rows) ${fmt(directAll)}, direct LIMIT 200 ${fmt(directFirst)} | grid first page ${fmt(grid)} = ${ratio(grid, directAll)} of all rows, ${ratio(grid, directFirst)} of LIMIT 200 | over HTTP ${fmt(http)} = ${ratio(http, directAll)} | a page at the end ${fmt(deepPage)}`,
    );
  }
  await server.close();
  await host.close();
}

main().catch((error: unknown) => {
  console.error(error);
  fs.rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
});
