/**
 * Release gates at scale: `gate.run` (what `sift gate` runs) judging a candidate against a baseline over every content
 * item in five categories (5M pairs per version at 1M items), every per-category gate the file can hold but the ones
 * that re-score through a runtime — against one `eval.run` of one version on the same items, in the same run. Scores
 * as a model writes them (float32, nearly all distinct); the candidate is the baseline shifted a little.
 */
import type { Host } from '../electron/host/host.js';
import { ensureScoresTable } from '../electron/host/models/scoring.js';
import type { GateReport } from '../shared/gates.js';

const CATEGORIES = ['csam', 'hate_speech', 'misinformation', 'nsfw', 'spam'];
const MODEL = 'bench-gates';
const REPEATS = 3;

const GATES = {
  categories: {
    '*': {
      recall_at_precision: { precision: 0.8, min_recall: 0.1 },
      precision_at_recall: { recall: 0.7, min_precision: 0.1 },
      max_recall_drop: 0.05,
      max_precision_drop: 0.05,
      max_ece: 0.5,
      max_psi: 1,
      slice: { by: 'language', max_fpr_gap: 1 },
      high_reach: { top_fraction: 0.01, max_fpr: 1 },
    },
  },
};

async function medianMs(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!;
}

export async function gatesBenchmark(host: Host, log: (line: string) => void): Promise<void> {
  const items = await host.workspace.withConnection(async (conn) => {
    await ensureScoresTable(conn);
    await conn.run(`DELETE FROM model_scores WHERE model = '${MODEL}'`);
    await conn.run(`CREATE OR REPLACE TABLE bench_gate_labels AS
      SELECT content_id::VARCHAR AS content_id, category, (hash(content_id::VARCHAR || category) % 100 < 20)::INT AS label
      FROM content CROSS JOIN (VALUES ${CATEGORIES.map((c) => `('${c}')`).join(', ')}) k(category)`);
    for (const [version, shift] of [
      ['1', 0],
      ['2', 0.05],
    ] as const)
      await conn.run(`INSERT INTO model_scores (content_id, model, model_version, category, score, scored_at)
        SELECT content_id, '${MODEL}', '${version}', category,
          (1 / (1 + exp(-(2 * label - 1.8 - ${shift} + 1.5 * ((hash(content_id || category || 'a') % 1000003) / 1000003.0 + (hash(content_id || category || 'b') % 1000003) / 1000003.0 - 1)))))::FLOAT::DOUBLE,
          now()
        FROM bench_gate_labels`);
    return Number((await conn.runAndReadAll('SELECT count(*) FROM content')).getRowsJson()[0]![0]);
  });
  const labels = 'SELECT content_id, category, label FROM bench_gate_labels';
  let report: GateReport | null = null;
  const gateMs = await medianMs(async () => {
    const outcome = await host.dispatchJob('gate.run', {
      model: MODEL,
      candidate: '2',
      baseline: '1',
      labels,
      gates: GATES,
    });
    if (!outcome.ok) throw new Error(outcome.error.message);
    report = outcome.value as GateReport;
  });
  const evalMs = await medianMs(async () => {
    const outcome = await host.dispatchJob('eval.run', { model: MODEL, version: '1', labels, bins: 15 });
    if (!outcome.ok) throw new Error(outcome.error.message);
  });
  const judged = report as GateReport | null;
  log(`\n## Release gates (bench/gates.ts)`);
  log(
    `sift gate, ${items.toLocaleString('en-US')} items × ${CATEGORIES.length} categories, both versions, ${judged?.gates.length ?? 0} gates (judged on ${judged?.items.toLocaleString('en-US')} items): ${gateMs.toFixed(0)} ms`,
  );
  log(`sift eval of one version on the same items: ${evalMs.toFixed(0)} ms`);
  log(`gate / eval: ${(gateMs / evalMs).toFixed(2)}× (target ≤ 2×)`);
}
