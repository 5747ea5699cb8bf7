/**
 * Model benchmarks: distilled-model throughput by batch size, single-item latency through the API the UI uses,
 * end-to-end re-scoring of a whole workspace, and remote scoring over loopback (JSON vs binary tensors) against
 * local in-process scoring, all in one run.
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Host } from '../electron/host/host.js';
import type { JobContext } from '../electron/host/jobs.js';
import type { ScoreItem } from '../electron/host/models/modelInputs.js';
import { loadPackage } from '../electron/host/models/modelPackage.js';
import { RemoteScorer } from '../electron/host/models/remoteScorer.js';
import { LocalScorer, type Scorer } from '../electron/host/models/runtime.js';
import { scoreQuery } from '../electron/host/models/scoring.js';
import { startServer } from '../electron/server.js';
import { startKServeServer } from '../tests/support/kserveServer.js';

const quietJob: JobContext = { signal: new AbortController().signal, progress: () => undefined, log: () => undefined };

async function sampleItems(sampleDir: string, n: number): Promise<ScoreItem[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const rows = (
    await conn.runAndReadAll(
      `SELECT content_id, text FROM '${path.join(sampleDir, 'content.parquet')}' ORDER BY content_id LIMIT ${n}`,
    )
  ).getRowsJson();
  conn.closeSync();
  instance.closeSync();
  return rows.map(([id, text]) => ({ contentId: String(id), text: String(text), imageEmb: null, account: null }));
}

async function throughput(scorer: Scorer, items: ScoreItem[], batch: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < items.length; i += batch) await scorer.score(items.slice(i, i + batch));
  return items.length / ((performance.now() - started) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function modelsBenchmark(
  host: Host,
  sampleDir: string,
  rows: number,
  log: (line: string) => void,
): Promise<void> {
  const pkg = loadPackage(path.resolve('models/text-distil'));
  const local = await LocalScorer.create(pkg, 'cpu');
  const items = await sampleItems(sampleDir, 8192);
  await local.score(items.slice(0, 256)); // warm up
  log('## Distilled model throughput (text-distil, CPU, featurising included)');
  const base = await throughput(local, items.slice(0, 2000), 1);
  log(`batch    1: ${Math.round(base).toLocaleString('en-US')} items/s (1.00×)`);
  for (const batch of [32, 256]) {
    const rate = await throughput(local, items, batch);
    log(
      `batch ${String(batch).padStart(4)}: ${Math.round(rate).toLocaleString('en-US')} items/s (${(rate / base).toFixed(2)}× batch 1)`,
    );
  }

  log('\n## Single-item latency through the API the UI uses (models.try; 1,000 calls after 50 warm-up)');
  const texts = items.slice(0, 1050).map((item) => item.text!);
  const inProcess: number[] = [];
  for (const [i, text] of texts.entries()) {
    const started = performance.now();
    const outcome = await host.dispatch('models.try', { model: 'text-distil', text });
    if (!outcome.ok) throw new Error(outcome.error.message);
    if (i >= 50) inProcess.push(performance.now() - started);
  }
  const server = await startServer({ host, staticDir: path.join(sampleDir, 'no-ui') });
  const overHttp: number[] = [];
  for (const [i, text] of texts.entries()) {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${server.port}/api/models.try`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sift-token': server.token! },
      body: JSON.stringify({ model: 'text-distil', text }),
    });
    await response.json();
    if (i >= 50) overHttp.push(performance.now() - started);
  }
  await server.close();
  for (const [label, values] of [
    ['host dispatch (Electron IPC path)', inProcess],
    ['browser mode, HTTP on loopback', overHttp],
  ] as const) {
    const sorted = [...values].sort((a, b) => a - b);
    log(
      `${label.padEnd(34)} p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms (budget 50 ms: p99 is ${((100 * percentile(sorted, 99)) / 50).toFixed(1)}% of it)`,
    );
  }

  log(`\n## End-to-end re-scoring: query → model → model_scores, ${rows.toLocaleString('en-US')} rows`);
  const outcome = await scoreQuery(
    host.workspace,
    host.models,
    { model: 'text-distil', sql: 'SELECT content_id, text FROM content', batchSize: 1024 },
    quietJob,
  );
  log(
    `${outcome.items.toLocaleString('en-US')} items, ${outcome.rows.toLocaleString('en-US')} scores in ${(outcome.elapsedMs / 1000).toFixed(1)} s = ${outcome.itemsPerSecond.toLocaleString('en-US')} items/s (${(outcome.itemsPerSecond / base).toFixed(2)}× the batch-1 rate)`,
  );

  log(`\n## Evaluation: every figure of the view for ${rows.toLocaleString('en-US')} scored items`);
  // Ground truth for every item (so the whole million is evaluated): the moderation decisions per category.
  const labels = `SELECT c.content_id, k.category, coalesce(bool_or(a.action IN ('remove', 'warn', 'hide') AND a.category = k.category), false)::INT AS label
    FROM content c CROSS JOIN (VALUES ('hate_speech'), ('nsfw'), ('spam'), ('misinformation'), ('csam')) k(category)
    LEFT JOIN moderation_actions a USING (content_id) GROUP BY ALL`;
  const evalStarted = performance.now();
  const evaluation = await host.dispatch('eval.run', {
    model: 'text-distil',
    version: outcome.version,
    labels,
    bins: 15,
  });
  if (!evaluation.ok) throw new Error(evaluation.error.message);
  const evalMs = performance.now() - evalStarted;
  const evaluated = (evaluation.value as { categories: { n: number }[] }).categories.reduce((sum, c) => sum + c.n, 0);
  const payload = JSON.stringify(evaluation.value).length;
  log(
    `${evaluated.toLocaleString('en-US')} (item, category) pairs: all figures in ${(evalMs / 1000).toFixed(2)} s = ${Math.round(evaluated / (evalMs / 1000)).toLocaleString('en-US')} pairs/s; the renderer receives ${(payload / 1024).toFixed(0)} KB (${((payload / evaluated) * 1000).toFixed(1)} bytes per 1,000 pairs), not the scores`,
  );
  const fitStarted = performance.now();
  const fit = await host.dispatch('eval.calibrate', {
    model: 'text-distil',
    version: outcome.version,
    labels,
    method: 'isotonic',
  });
  if (!fit.ok) throw new Error(fit.error.message);
  log(
    `isotonic calibration fit and held-out check for all categories: ${((performance.now() - fitStarted) / 1000).toFixed(2)} s`,
  );

  log('\n## Remote scoring over loopback (Open Inference Protocol), batches of 256, against local in-process');
  const kserve = await startKServeServer({ modelsDir: path.resolve('models') });
  const localRate = await throughput(local, items, 256);
  const json = await RemoteScorer.create(pkg, { url: kserve.url, binary: 'never' });
  const binary = await RemoteScorer.create(pkg, { url: kserve.url, binary: 'always' });
  const text = await RemoteScorer.create(pkg, { url: kserve.url, model: 'text-distil-text', binary: 'always' });
  await json.score(items.slice(0, 256));
  await binary.score(items.slice(0, 256));
  const jsonRate = await throughput(json, items, 256);
  const binaryRate = await throughput(binary, items, 256);
  const textRate = await throughput(text, items, 256);
  log(`local in-process       ${Math.round(localRate).toLocaleString('en-US')} items/s (1.00×)`);
  log(
    `remote, JSON tensors   ${Math.round(jsonRate).toLocaleString('en-US')} items/s (${(jsonRate / localRate).toFixed(2)}×)`,
  );
  log(
    `remote, binary tensors ${Math.round(binaryRate).toLocaleString('en-US')} items/s (${(binaryRate / localRate).toFixed(2)}×; ${(binaryRate / jsonRate).toFixed(2)}× JSON)`,
  );
  log(
    `remote, BYTES text in  ${Math.round(textRate).toLocaleString('en-US')} items/s (${(textRate / localRate).toFixed(2)}×; the server featurises)`,
  );
  await Promise.all([json.close(), binary.close(), text.close(), local.close()]);
  await kserve.close();
}
