/**
 * "Can I trust these scores to route content?" For one model version, per category: scores joined to ground
 * truth labels, then calibration (reliability bins, ECE, MCE, Brier), ranking (PR curve, AP, ROC AUC, operating
 * points), a fine score grid for live threshold routing, and slices. Everything is computed here in the host from
 * columns streamed out of DuckDB; the renderer only receives the aggregates.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { brierScore, expectedCalibrationError, maximumCalibrationError, type ReliabilityBin, reliabilityBins, scoreHistogram } from '../../shared/calibration.js';
import { fitIsotonic, fitPlatt, isotonicPredict, plattPredict } from '../../shared/calibrationFit.js';
import type { CalibrationFit, CategoryEvaluation, EvaluationResult, SliceMetrics } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import { fnv1a } from '../../shared/nearDuplicates.js';
import { averagePrecision, precisionAtRecall, precisionRecallCurve, recallAtPrecision, rocAuc } from '../../shared/rankingMetrics.js';
import type { JobContext } from './jobs.js';
import type { ModelRegistry } from './models/registry.js';
import { assertStreamFinished, describeReadOnlyQuery, readOnly, relationKind } from './readOnlyQuery.js';
import type { Workspace } from './workspace.js';

export const DEFAULT_LABELS_SQL = `SELECT content_id, category, CASE WHEN avg(TRY_CAST(value AS INTEGER)) > 0.5 THEN 1 ELSE 0 END AS label
FROM label_events WHERE kind = 'label' GROUP BY content_id, category`;

const SLICE_DIMENSIONS = ['language', 'surface', 'content_type', 'account_age'] as const;
const GRID = 1000;
const DEFAULT_THRESHOLDS = { remove: 0.9, escalate: 0.5 };

interface CategoryData {
  ids: string[];
  scores: number[];
  labels: number[];
  slices: Record<(typeof SLICE_DIMENSIONS)[number], (string | null)[]>;
}

const tableExists = async (conn: DuckDBConnection, name: string) => (await relationKind(conn, name)) !== null;

async function checkLabelsQuery(conn: DuckDBConnection, sql: string): Promise<string> {
  const { text, columns } = await describeReadOnlyQuery(conn, sql, 'labels', 'content_id, category, label');
  const missing = ['content_id', 'category', 'label'].filter((name) => !columns.includes(name));
  if (missing.length) throw new SiftError({ code: 'BAD_REQUEST', message: `labels: the query must return content_id, category and label (0/1); it lacks ${missing.join(', ')}.` });
  return text;
}

/** Which version to evaluate: the one asked for, else the registered one if it has scores, else the latest scored. */
async function resolveVersion(conn: DuckDBConnection, registry: ModelRegistry, model: string, version?: string): Promise<string> {
  if (version) return version;
  const scored = (await conn.runAndReadAll(`SELECT model_version FROM model_scores WHERE model = $model GROUP BY 1 ORDER BY max(scored_at) DESC`, { model })).getRowsJson().map((row) => String(row[0]));
  if (scored.length === 0) throw new SiftError({ code: 'NOT_FOUND', message: `model: ${model} has no scores in model_scores yet; score some content first.` });
  try {
    const registered = registry.package(model).manifest.version;
    if (scored.includes(registered)) return registered;
  } catch {
    // known only from its scores
  }
  return scored[0]!;
}

async function loadData(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string },
  ctx?: JobContext,
): Promise<{ version: string; labelSource: string; byCategory: Map<string, CategoryData> }> {
  return workspace.withConnection(async (conn) => {
    const onAbort = () => conn.interrupt();
    ctx?.signal.addEventListener('abort', onAbort);
    try {
      return await readOnly(conn, () => readScoredLabels(conn, registry, input, ctx));
    } catch (error) {
      if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Evaluation cancelled.' });
      throw error;
    } finally {
      ctx?.signal.removeEventListener('abort', onAbort);
    }
  });
}

async function readScoredLabels(conn: DuckDBConnection, registry: ModelRegistry, input: { model: string; version?: string; labels?: string }, ctx?: JobContext) {
  {
    if (!(await tableExists(conn, 'model_scores'))) throw new SiftError({ code: 'NOT_FOUND', message: 'There is no model_scores table: score some content first.' });
    const version = await resolveVersion(conn, registry, input.model, input.version);
    const labelsSql = input.labels ? await checkLabelsQuery(conn, input.labels) : DEFAULT_LABELS_SQL;
    const withContent = (await tableExists(conn, 'content')) && (await tableExists(conn, 'users'));
    const sliceSelect = withContent
      ? `c.language::VARCHAR, c.surface::VARCHAR, c.content_type::VARCHAR,
         CASE WHEN u.created_at IS NULL OR c.created_at IS NULL THEN NULL
              WHEN date_diff('hour', u.created_at, c.created_at) < 24 THEN 'under 1 day'
              WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 7 THEN '1–7 days'
              WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 30 THEN '7–30 days'
              WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 365 THEN '30–365 days'
              ELSE 'over 1 year' END`
      : 'NULL, NULL, NULL, NULL';
    const result = await conn.stream(
      `WITH labels AS (${labelsSql}),
            s AS (SELECT content_id::VARCHAR AS content_id, category, max(score) AS score FROM model_scores WHERE model = $model AND model_version = $version GROUP BY ALL)
       SELECT s.category, s.content_id, s.score, l.label::INTEGER AS label, ${sliceSelect}
       FROM s JOIN labels l ON l.content_id::VARCHAR = s.content_id AND l.category = s.category
       ${withContent ? 'LEFT JOIN content c ON c.content_id::VARCHAR = s.content_id LEFT JOIN users u ON u.user_id = c.user_id' : ''}
       WHERE l.label IS NOT NULL
       ORDER BY s.category, s.content_id`, // a fixed order: sums in the same order give the same last digits every run
      { model: input.model, version },
    );
    const byCategory = new Map<string, CategoryData>();
    let read = 0;
    for (;;) {
      if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Evaluation cancelled.' });
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const columns = Array.from({ length: 8 }, (_, i) => chunk.getColumnValues(i));
      for (let row = 0; row < chunk.rowCount; row++) {
        const category = String(columns[0]![row]);
        let data = byCategory.get(category);
        if (!data) {
          data = { ids: [], scores: [], labels: [], slices: { language: [], surface: [], content_type: [], account_age: [] } };
          byCategory.set(category, data);
        }
        const label = Number(columns[3]![row]);
        const score = Number(columns[2]![row]);
        if (label !== 0 && label !== 1) throw new SiftError({ code: 'BAD_REQUEST', message: `labels: label must be 0 or 1; content ${columns[1]![row]} (${category}) has ${label}.` });
        if (!(score >= 0 && score <= 1)) throw new SiftError({ code: 'BAD_REQUEST', message: `model_scores: content ${columns[1]![row]} (${category}) has score ${score}, outside [0, 1].` });
        data.ids.push(String(columns[1]![row]));
        data.scores.push(score);
        data.labels.push(label);
        SLICE_DIMENSIONS.forEach((dimension, d) => data!.slices[dimension].push(columns[4 + d]![row] === null ? null : String(columns[4 + d]![row])));
      }
      read += chunk.rowCount;
      if (read % (2048 * 50) < chunk.rowCount) ctx?.progress(null, `Read ${read.toLocaleString('en-US')} scored, labelled pairs`);
    }
    await assertStreamFinished(conn, input.labels ? 'The labels query' : 'Reading scores and labels');
    return { version, labelSource: input.labels ? 'query' : 'label_events (majority vote)', byCategory };
  }
}

/** Keeps a curve's shape with at most `limit` points (always the ends). */
function downsample<T>(points: T[], limit: number): T[] {
  if (points.length <= limit) return points;
  const step = (points.length - 1) / (limit - 1);
  return Array.from({ length: limit }, (_, i) => points[Math.round(i * step)]!);
}

function rates(scores: number[], labels: number[], threshold: number) {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i]) positives++;
    if (scores[i]! >= threshold) {
      if (labels[i]) tp++;
      else fp++;
    }
  }
  const negatives = scores.length - positives;
  return { positives, recall: positives ? tp / positives : null, fpr: negatives ? fp / negatives : null, precision: tp + fp ? tp / (tp + fp) : null };
}

function sliceMetrics(data: CategoryData, threshold: number, margin: number): SliceMetrics[] {
  const overall = rates(data.scores, data.labels, threshold);
  const result: SliceMetrics[] = [];
  for (const dimension of SLICE_DIMENSIONS) {
    const groups = new Map<string, number[]>();
    data.slices[dimension].forEach((value, i) => {
      if (value === null) return;
      const members = groups.get(value);
      if (members) members.push(i);
      else groups.set(value, [i]);
    });
    for (const [value, indices] of [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))) {
      const r = rates(indices.map((i) => data.scores[i]!), indices.map((i) => data.labels[i]!), threshold);
      const recallGap = r.recall !== null && overall.recall !== null ? r.recall - overall.recall : null;
      const fprGap = r.fpr !== null && overall.fpr !== null ? r.fpr - overall.fpr : null;
      result.push({
        dimension,
        value,
        n: indices.length,
        positives: r.positives,
        recall: r.recall,
        fpr: r.fpr,
        precision: r.precision,
        recallGap,
        fprGap,
        flagged: (recallGap !== null && Math.abs(recallGap) > margin) || (fprGap !== null && Math.abs(fprGap) > margin),
      });
    }
  }
  return result;
}

function evaluateCategory(category: string, data: CategoryData, bins: number, threshold: { remove: number; escalate: number }, critical: boolean, margin: number): CategoryEvaluation {
  const { scores, labels } = data;
  const curve = precisionRecallCurve(labels, scores);
  const points = curve.thresholds.map((t, i) => ({ precision: curve.precision[i]!, recall: curve.recall[i]!, threshold: t }));
  const grid = { positive: new Array<number>(GRID).fill(0), negative: new Array<number>(GRID).fill(0) };
  scores.forEach((score, i) => {
    const cell = Math.min(GRID - 1, Math.floor(score * GRID));
    if (labels[i]) grid.positive[cell]!++;
    else grid.negative[cell]!++;
  });
  return {
    category,
    critical,
    n: scores.length,
    positives: labels.reduce((a, b) => a + b, 0),
    averagePrecision: scores.length ? averagePrecision(labels, scores) : null,
    rocAuc: rocAuc(labels, scores),
    brier: scores.length ? brierScore(labels, scores) : null,
    ece: scores.length ? expectedCalibrationError(labels, scores, bins) : null,
    mce: scores.length ? maximumCalibrationError(labels, scores, bins) : null,
    reliability: { uniform: reliabilityBins(labels, scores, bins, 'uniform'), quantile: scores.length ? reliabilityBins(labels, scores, bins, 'quantile') : [] },
    histogram: scoreHistogram(labels, scores, 50),
    pr: downsample(points, 400),
    operating: {
      recallAtPrecision90: recallAtPrecision(curve, 0.9),
      recallAtPrecision95: recallAtPrecision(curve, 0.95),
      precisionAtRecall80: precisionAtRecall(curve, 0.8),
      precisionAtRecall90: precisionAtRecall(curve, 0.9),
    },
    thresholds: threshold,
    grid,
    slices: sliceMetrics(data, threshold.remove, margin),
  };
}

function thresholdsFor(registry: ModelRegistry, model: string): { thresholds: Record<string, { remove: number; escalate: number }>; critical: string[] } {
  try {
    const { manifest } = registry.package(model);
    return { thresholds: manifest.thresholds, critical: manifest.critical };
  } catch {
    return { thresholds: {}, critical: ['csam'] };
  }
}

export async function evaluate(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string; bins?: number; sliceMargin?: number; category?: string },
  ctx?: JobContext,
): Promise<EvaluationResult> {
  const started = performance.now();
  const bins = input.bins ?? 15;
  const { version, labelSource, byCategory } = await loadData(workspace, registry, input, ctx);
  const { thresholds, critical } = thresholdsFor(registry, input.model);
  const categories = [...byCategory.keys()].filter((c) => !input.category || c === input.category).sort();
  const evaluations: CategoryEvaluation[] = [];
  for (const [index, category] of categories.entries()) {
    if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Evaluation cancelled.' });
    ctx?.progress(index / categories.length, `Computing ${category}`);
    evaluations.push(evaluateCategory(category, byCategory.get(category)!, bins, thresholds[category] ?? DEFAULT_THRESHOLDS, critical.includes(category), input.sliceMargin ?? 0.05));
    // One category at a time, then let the host answer other calls (the Electron main process serves the window).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { model: input.model, version, labelSource, bins, categories: evaluations, elapsedMs: Math.round(performance.now() - started) };
}

const logit = (p: number) => {
  const clipped = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(clipped / (1 - clipped));
};

/** Fits Platt or isotonic calibration on one half of the labelled items and shows its effect on the other half. */
export async function fitCalibration(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string; method: 'platt' | 'isotonic'; bins?: number; fitOn?: 'even' | 'odd' },
): Promise<CalibrationFit> {
  const bins = input.bins ?? 15;
  const { version, byCategory } = await loadData(workspace, registry, input);
  const categories: CalibrationFit['categories'] = [];
  for (const [category, data] of [...byCategory.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    // A fixed split by content id: the same items fit and evaluate on every run.
    const fitIdx: number[] = [];
    const testIdx: number[] = [];
    const fitParity = input.fitOn === 'odd' ? 1 : 0;
    data.ids.forEach((id, i) => ((fnv1a(id) & 1) === fitParity ? fitIdx : testIdx).push(i));
    const fitLabels = fitIdx.map((i) => data.labels[i]!);
    const positives = fitLabels.reduce((a, b) => a + b, 0);
    if (fitIdx.length < 10 || positives === 0 || positives === fitLabels.length) {
      categories.push({ category, fitted: false, reason: `too few labelled items of both classes to fit (${fitIdx.length} items, ${positives} positive)`, params: null, before: null, after: null });
      continue;
    }
    const testScores = testIdx.map((i) => data.scores[i]!);
    const testLabels = testIdx.map((i) => data.labels[i]!);
    let params: { a: number; b: number } | { x: number[]; y: number[] };
    let calibrated: number[];
    if (input.method === 'platt') {
      const platt = fitPlatt(fitIdx.map((i) => logit(data.scores[i]!)), fitLabels);
      params = platt;
      calibrated = testScores.map((s) => plattPredict(platt, logit(s)));
    } else {
      const isotonic = fitIsotonic(fitIdx.map((i) => data.scores[i]!), fitLabels);
      params = isotonic;
      calibrated = testScores.map((s) => isotonicPredict(isotonic, s));
    }
    const summary = (scores: number[]) => ({
      ece: expectedCalibrationError(testLabels, scores, bins),
      brier: brierScore(testLabels, scores),
      reliability: reliabilityBins(testLabels, scores, bins, 'uniform') as ReliabilityBin[],
    });
    categories.push({ category, fitted: true, params, before: summary(testScores), after: summary(calibrated), fitItems: fitIdx.length, testItems: testIdx.length });
  }
  return { model: input.model, version, method: input.method, categories };
}
