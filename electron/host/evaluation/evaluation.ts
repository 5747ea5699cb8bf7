/**
 * "Can I trust these scores to route content?" For one model version, per category: scores joined to ground
 * truth labels, then calibration (reliability bins, ECE, MCE, Brier), ranking (PR curve, AP, ROC AUC, operating
 * points), a fine score grid for live threshold routing, and slices. DuckDB aggregates the pairs — counts per
 * distinct score and per slice value — and each category's figures are computed from those counts in the compute
 * pool (evaluationFigures.ts). A million pairs cross to JavaScript as typed arrays of distinct scores, never as
 * objects; the renderer only receives the figures.
 */
import type { DuckDBConnection, DuckDBMaterializedResult, DuckDBVector } from '@duckdb/node-api';
import type { CalibrationFit, EvaluationResult, SliceEvaluation } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { DEFAULT_CRITICAL, DEFAULT_THRESHOLDS } from '../../../shared/routing.js';
import type { ScoreCounts } from '../../../shared/scoreCounts.js';
import { computePool } from '../compute/workerPool.js';
import { isInterrupt, messageOf } from '../query/duckdbErrors.js';
import { DEFAULT_BINS } from '../../../shared/calibration.js';
import { DEFAULT_MIN_SLICE_N, type SliceCounts, sliceTable } from '../../../shared/slices.js';
import { SLICE_DIMENSIONS, type SliceCount, transferables } from './evaluationFigures.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { describeReadOnlyQuery, readOnly, relationKind } from '../query/readOnlyQuery.js';
import type { Workspace } from '../workspace/workspace.js';

export const DEFAULT_LABELS_SQL = `SELECT content_id, category, CASE WHEN avg(TRY_CAST(value AS INTEGER)) > 0.5 THEN 1 ELSE 0 END AS label
FROM current_labels GROUP BY content_id, category`;


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

export function thresholdsFor(registry: ModelRegistry, model: string): { thresholds: Record<string, { remove: number; escalate: number }>; critical: string[] } {
  try {
    const { manifest } = registry.package(model);
    return { thresholds: manifest.thresholds, critical: manifest.critical };
  } catch {
    return { thresholds: {}, critical: DEFAULT_CRITICAL };
  }
}

/** A WITH clause defining `pairs` (category, category_index, content_id, score, label, the slice columns), its parameters, and the categories by index. */
export interface PairsQuery {
  withPairs: string;
  params: Record<string, string | number>;
  version: string;
  categories: string[];
}

async function pairsQuery(conn: DuckDBConnection, registry: ModelRegistry, input: { model: string; version?: string; labels?: string; sameItemsAs?: { model: string; version: string } }, slices: boolean): Promise<PairsQuery> {
  if (!(await tableExists(conn, 'model_scores'))) throw new SiftError({ code: 'NOT_FOUND', message: 'There is no model_scores table: score some content first.' });
  const version = await resolveVersion(conn, registry, input.model, input.version);
  const labelsSql = input.labels ? await checkLabelsQuery(conn, input.labels) : DEFAULT_LABELS_SQL;
  // Slices need content and its author; a calibration fit does not, and skips the two joins.
  const withContent = slices && (await tableExists(conn, 'content')) && (await tableExists(conn, 'users'));
  const params: Record<string, string | number> = { model: input.model, version };
  const categories = (
    await conn.runAndReadAll(`SELECT DISTINCT category FROM model_scores WHERE model = $model AND model_version = $version AND category IS NOT NULL ORDER BY 1`, params)
  )
    .getRowsJson()
    .map((row) => String(row[0]));
  if (input.sameItemsAs) Object.assign(params, { other_model: input.sameItemsAs.model, other_version: input.sameItemsAs.version });
  // Categories travel as small integers, so reading a million rows decodes no strings.
  const categoryIndex = categories.length ? `CASE s.category ${categories.map((category, i) => ((params[`k${i}`] = category), `WHEN $k${i} THEN ${i}`)).join(' ')} END` : 'NULL';
  const sliceSelect = withContent
    ? `c.language::VARCHAR AS language, c.surface::VARCHAR AS surface, c.content_type::VARCHAR AS content_type,
       CASE WHEN u.created_at IS NULL OR c.created_at IS NULL THEN NULL
            WHEN date_diff('hour', u.created_at, c.created_at) < 24 THEN 'under 1 day'
            WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 7 THEN '1–7 days'
            WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 30 THEN '7–30 days'
            WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 365 THEN '30–365 days'
            ELSE 'over 1 year' END AS account_age`
    : 'NULL::VARCHAR AS language, NULL::VARCHAR AS surface, NULL::VARCHAR AS content_type, NULL::VARCHAR AS account_age';
  return {
    params,
    version,
    categories,
    withPairs: `WITH labels AS (${labelsSql}),
      s AS (SELECT content_id::VARCHAR AS content_id, category, max(score) AS score FROM model_scores WHERE model = $model AND model_version = $version GROUP BY ALL)${
        input.sameItemsAs
          ? `, scored_by_other AS (SELECT DISTINCT content_id::VARCHAR AS content_id, category FROM model_scores WHERE model = $other_model AND model_version = $other_version)`
          : ''
      },
      pairs AS (
        SELECT s.category, (${categoryIndex})::INTEGER AS category_index, s.content_id, s.score, l.label::INTEGER AS label,
               (l.label::INTEGER NOT IN (0, 1) OR s.score IS NULL OR NOT (s.score BETWEEN 0 AND 1)) AS invalid, ${sliceSelect}
        FROM s JOIN labels l ON l.content_id::VARCHAR = s.content_id AND l.category = s.category
        ${input.sameItemsAs ? 'SEMI JOIN scored_by_other b ON b.content_id = s.content_id AND b.category = s.category' : ''}
        ${withContent ? 'LEFT JOIN content c ON c.content_id::VARCHAR = s.content_id LEFT JOIN users u ON u.user_id = c.user_id' : ''}
        WHERE l.label IS NOT NULL)`,
  };
}

/** Runs `aggregate` over the scored, labelled pairs inside a READ ONLY transaction, with cancel. */
export async function aggregatePairs<T>(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string; sameItemsAs?: { model: string; version: string } },
  ctx: JobContext | undefined,
  cancelled: string,
  slices: boolean,
  aggregate: (conn: DuckDBConnection, pairs: PairsQuery) => Promise<T>,
): Promise<{ version: string; labelSource: string; value: T }> {
  return workspace.withConnection(async (conn) => {
    const onAbort = () => conn.interrupt();
    ctx?.signal.addEventListener('abort', onAbort);
    try {
      return await readOnly(conn, async () => {
        const pairs = await pairsQuery(conn, registry, input, slices);
        ctx?.progress(null, 'Aggregating scored, labelled pairs in DuckDB');
        const value = await aggregate(conn, pairs);
        return { version: pairs.version, labelSource: input.labels ? 'query' : 'current_labels (majority vote)', value };
      });
    } catch (error) {
      if (ctx?.signal.aborted || isInterrupt(error)) throw new SiftError({ code: 'CANCELLED', message: cancelled });
      if (error instanceof SiftError) throw error;
      throw new SiftError({ code: 'SQL_ERROR', message: `${input.labels ? 'The labels query' : 'Reading scores and labels'} failed: ${messageOf(error)}` });
    } finally {
      ctx?.signal.removeEventListener('abort', onAbort);
    }
  });
}

/** Names the first pair whose label is not 0/1 or whose score is not in [0, 1], the way the user can look it up. */
async function throwForBadPair(conn: DuckDBConnection, pairs: PairsQuery): Promise<never> {
  const row = (await conn.runAndReadAll(`${pairs.withPairs} SELECT content_id, category, score, label FROM pairs WHERE invalid ORDER BY category, content_id LIMIT 1`, pairs.params)).getRowsJson()[0];
  if (!row) throw new SiftError({ code: 'SQL_ERROR', message: 'The scores and labels changed while they were read; run the evaluation again.' });
  const [id, category, score, label] = row;
  if (label !== 0 && label !== 1) throw new SiftError({ code: 'BAD_REQUEST', message: `labels: label must be 0 or 1; content ${id} (${category}) has ${label}.` });
  throw new SiftError({ code: 'BAD_REQUEST', message: `model_scores: content ${id} (${category}) has score ${score ?? 'NULL'}, outside [0, 1].` });
}

/**
 * A numeric column of one chunk, whole. @duckdb/node-api keeps a numeric vector's values in a typed array over the
 * chunk's memory; taking it saves a call per value (for the 20M values of a 5M-pair evaluation, seconds). Only for
 * columns the query guarantees are not NULL; falls back to reading item by item if the binding changes shape.
 */
function numericColumn(vector: DuckDBVector, rows: number): ArrayLike<number> {
  const items = (vector as unknown as { items?: unknown }).items;
  if ((items instanceof Float64Array || items instanceof Int32Array) && items.length >= rows) return items;
  return Array.from({ length: rows }, (_, i) => Number(vector.getItem(i)));
}

/** A Float64Array that grows as values are appended. */
class GrowingColumn {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  take(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

class GrowingCounts {
  private readonly scores = new GrowingColumn();
  private readonly positives = new GrowingColumn();
  private readonly negatives = new GrowingColumn();
  push(score: number, positives: number, negatives: number): void {
    this.scores.push(score);
    this.positives.push(positives);
    this.negatives.push(negatives);
  }
  take(): ScoreCounts {
    return { scores: this.scores.take(), positives: this.positives.take(), negatives: this.negatives.take() };
  }
}

/** How long the engine's event loop may be held by one stretch of reading before other calls get a turn. */
const READ_SLICE_MS = 5;

/** Visits every row of a materialised result chunk by chunk, yielding to the event loop every few ms and stopping on abort. */
async function eachChunk(result: DuckDBMaterializedResult, signal: AbortSignal | undefined, visit: (chunk: ReturnType<DuckDBMaterializedResult['getChunk']>) => void): Promise<void> {
  let sliceStarted = performance.now();
  for (let c = 0; c < result.chunkCount; c++) {
    if (performance.now() - sliceStarted > READ_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Cancelled.' });
      sliceStarted = performance.now();
    }
    visit(result.getChunk(c));
  }
}

/** Added to the category index to mark a row of the slice grouping set (categories are far fewer). */
const SLICE_ROW = 1 << 20;

/** Per category: its pairs counted per distinct score (in no order), and per slice value. */
interface CategoryCounts {
  counts: ScoreCounts;
  slices: SliceCount[];
}

/**
 * One aggregation in DuckDB gives every evaluation figure its input, in two grouping sets over one join: counts per
 * (category, distinct score) — ties together, as scikit-learn's curves and isotonic fit need — and per (category,
 * language, surface, content type, account age) the counts and the true and false positives at that category's
 * remove threshold, which JavaScript rolls up per dimension (a few thousand rows). Unsorted: the workers sort each
 * category's distinct scores. A group holding a label that is not 0/1 or a score outside [0, 1] reports -1 positives.
 */
async function countPairs(conn: DuckDBConnection, pairs: PairsQuery, removeThreshold: (category: string) => number, signal: AbortSignal | undefined): Promise<Map<string, CategoryCounts>> {
  const params: Record<string, string | number> = { ...pairs.params };
  const threshold = pairs.categories.length
    ? `CASE category_index ${pairs.categories.map((category, i) => ((params[`t${i}`] = removeThreshold(category)), `WHEN ${i} THEN $t${i}`)).join(' ')} END`
    : 'NULL';
  const result = await conn.run(
    `${pairs.withPairs}
     SELECT (GROUPING(score) * ${SLICE_ROW} + category_index)::INTEGER AS group_key,
            coalesce(score, -1)::DOUBLE AS score,
            (CASE WHEN bool_or(invalid) THEN -1 ELSE count(*) FILTER (label = 1) END)::DOUBLE AS positives,
            (count(*) FILTER (label = 0))::DOUBLE AS negatives,
            (count(*) FILTER (label = 1 AND score >= ${threshold}))::DOUBLE AS true_positives,
            (count(*) FILTER (label = 0 AND score >= ${threshold}))::DOUBLE AS false_positives,
            ${SLICE_DIMENSIONS.join(', ')}
     FROM pairs
     GROUP BY GROUPING SETS ((category_index, score), (category_index, ${SLICE_DIMENSIONS.join(', ')}))`,
    params,
  );
  const scoreCounts = pairs.categories.map(() => new GrowingCounts());
  const slices = pairs.categories.map(() => new Map<string, SliceCount>());
  let invalid = false;
  await eachChunk(result, signal, (chunk) => {
    const rows = chunk.rowCount;
    const [keys, scores, positives, negatives] = [0, 1, 2, 3].map((i) => numericColumn(chunk.getColumnVector(i), rows)) as [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
    // The slice columns are read only for a chunk that holds slice rows (a few thousand rows in all).
    let sliceColumns: { truePositives: ArrayLike<number>; falsePositives: ArrayLike<number>; values: DuckDBVector[] } | undefined;
    for (let row = 0; row < rows; row++) {
      if (positives[row]! < 0) invalid = true;
      const key = keys[row]!;
      if (key < SLICE_ROW) {
        scoreCounts[key]!.push(scores[row]!, positives[row]!, negatives[row]!);
        continue;
      }
      sliceColumns ??= {
        truePositives: numericColumn(chunk.getColumnVector(4), rows),
        falsePositives: numericColumn(chunk.getColumnVector(5), rows),
        values: SLICE_DIMENSIONS.map((_, d) => chunk.getColumnVector(6 + d)),
      };
      const bySlice = slices[key - SLICE_ROW]!;
      SLICE_DIMENSIONS.forEach((dimension, d) => {
        const value = sliceColumns!.values[d]!.getItem(row);
        if (value === null) return;
        const id = `${dimension}\u0000${String(value)}`;
        const slice = bySlice.get(id) ?? { dimension, value: String(value), n: 0, positives: 0, truePositives: 0, falsePositives: 0 };
        slice.n += positives[row]! + negatives[row]!;
        slice.positives += positives[row]!;
        slice.truePositives += sliceColumns!.truePositives[row]!;
        slice.falsePositives += sliceColumns!.falsePositives[row]!;
        bySlice.set(id, slice);
      });
    }
  });
  if (invalid) await throwForBadPair(conn, pairs);
  const byCategory = new Map<string, CategoryCounts>();
  pairs.categories.forEach((category, i) => {
    const counts = scoreCounts[i]!.take();
    if (counts.scores.length) byCategory.set(category, { counts, slices: [...slices[i]!.values()] });
  });
  return byCategory;
}

export async function evaluate(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string; bins?: number; minSliceN?: number; thresholds?: Record<string, { remove: number; escalate: number }>; sameItemsAs?: { model: string; version: string }; category?: string },
  ctx?: JobContext,
): Promise<EvaluationResult> {
  const started = performance.now();
  const bins = input.bins ?? DEFAULT_BINS;
  const { thresholds, critical } = thresholdsFor(registry, input.model);
  // The thresholds in force: the caller's (moved in the UI), else the model's.
  const thresholdOf = (category: string) => input.thresholds?.[category] ?? thresholds[category] ?? DEFAULT_THRESHOLDS;
  const { version, labelSource, value: byCategory } = await aggregatePairs(workspace, registry, input, ctx, 'Evaluation cancelled.', true, (conn, pairs) =>
    countPairs(conn, pairs, (category) => thresholdOf(category).remove, ctx?.signal),
  );
  const categories = [...byCategory.keys()].filter((c) => !input.category || c === input.category).sort();
  // Each category's figures are computed in the worker pool, in parallel, off the engine's event loop.
  const evaluations = await eachInPool(categories, ctx, 'Evaluation cancelled.', (category) => `Computed ${category}`, (category) => {
    const { counts, slices } = byCategory.get(category)!;
    return computePool().run('evaluateCategory', [category, counts, slices, bins, thresholdOf(category), critical.includes(category), input.minSliceN ?? DEFAULT_MIN_SLICE_N], {
      transfer: transferables(counts),
      signal: ctx?.signal,
    });
  });
  return { model: input.model, version, labelSource, bins, categories: evaluations, elapsedMs: Math.round(performance.now() - started) };
}

/** Runs one pool task per item, all queued at once (the pool bounds them), with progress; a cancel reads as one. */
async function eachInPool<T, R>(items: T[], ctx: JobContext | undefined, cancelled: string, finishedMessage: (item: T) => string, task: (item: T) => Promise<R>): Promise<R[]> {
  let finished = 0;
  ctx?.progress(0, `Computing ${items.length} categories`);
  try {
    return await Promise.all(
      items.map(async (item) => {
        const result = await task(item);
        ctx?.progress(++finished / items.length, finishedMessage(item));
        return result;
      }),
    );
  } catch (error) {
    if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: cancelled });
    throw error;
  }
}

/** Fits Platt or isotonic calibration on one half of the labelled items and shows its effect on the other half. */
export async function fitCalibration(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string; method: 'platt' | 'isotonic'; bins?: number; fitOn?: 'even' | 'odd' },
  ctx?: JobContext,
): Promise<CalibrationFit> {
  const bins = input.bins ?? DEFAULT_BINS;
  const fitSide = input.fitOn === 'odd' ? 1 : 0;
  // A fixed split by a hash of the content id: the same items fit and check on every run. Counted per distinct
  // score on each side, so the fit is PAV (or Newton, for Platt) over distinct scores.
  const { version, value: sides } = await aggregatePairs(workspace, registry, input, ctx, 'Calibration fit cancelled.', false, async (conn, pairs) => {
    const result = await conn.run(
      `${pairs.withPairs}
       SELECT category_index, (hash(content_id) % 2)::INTEGER AS side, coalesce(score, -1)::DOUBLE AS score,
              (CASE WHEN bool_or(invalid) THEN -1 ELSE count(*) FILTER (label = 1) END)::DOUBLE AS positives,
              (count(*) FILTER (label = 0))::DOUBLE AS negatives
       FROM pairs GROUP BY ALL`,
      pairs.params,
    );
    const grouped = pairs.categories.map(() => [new GrowingCounts(), new GrowingCounts()] as const);
    let invalid = false;
    await eachChunk(result, ctx?.signal, (chunk) => {
      const rows = chunk.rowCount;
      const [categories, side, scores, positives, negatives] = Array.from({ length: 5 }, (_, i) => numericColumn(chunk.getColumnVector(i), rows));
      for (let row = 0; row < rows; row++) {
        if (positives![row]! < 0) invalid = true;
        grouped[categories![row]!]![side![row]!]!.push(scores![row]!, positives![row]!, negatives![row]!);
      }
    });
    if (invalid) await throwForBadPair(conn, pairs);
    return pairs.categories
      .map((category, i) => ({ category, fit: grouped[i]![fitSide]!.take(), test: grouped[i]![1 - fitSide]!.take() }))
      .filter((side) => side.fit.scores.length + side.test.scores.length > 0);
  });
  // Each category is fitted in the compute pool, off the engine's event loop.
  const categories = await eachInPool(sides, ctx, 'Calibration fit cancelled.', ({ category }) => `Fitted ${category}`, ({ category, fit, test }) =>
    computePool().run('fitCalibrationCategory', [category, fit, test, input.method, bins], { transfer: [...transferables(fit), ...transferables(test)], signal: ctx?.signal }),
  );
  return { model: input.model, version, method: input.method, categories };
}

/**
 * Every category's slices at the thresholds in force — light enough to recompute as the user drags a threshold:
 * one grouped aggregation over the labelled pairs, no curves.
 */
export async function evaluateSlices(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string; thresholds?: Record<string, { remove: number; escalate: number }>; minSliceN?: number },
  ctx?: JobContext,
): Promise<SliceEvaluation> {
  const { thresholds } = thresholdsFor(registry, input.model);
  const removeAt = (category: string) => (input.thresholds?.[category] ?? thresholds[category] ?? DEFAULT_THRESHOLDS).remove;
  const minN = input.minSliceN ?? DEFAULT_MIN_SLICE_N;
  const { version, value } = await aggregatePairs(workspace, registry, input, ctx, 'Slices cancelled.', true, async (conn, pairs) => {
    const params: Record<string, string | number> = { ...pairs.params };
    const threshold = pairs.categories.length
      ? `CASE category_index ${pairs.categories.map((category, i) => ((params[`t${i}`] = removeAt(category)), `WHEN ${i} THEN $t${i}`)).join(' ')} END`
      : String(DEFAULT_THRESHOLDS.remove);
    const counts = (dimension: string, expression: string) =>
      `SELECT category, '${dimension}' AS dimension, ${expression}::VARCHAR AS value, count(*) AS n, sum(label) AS positives,
              sum(CASE WHEN hit THEN label ELSE 0 END) AS tp, sum(CASE WHEN hit THEN 1 - label ELSE 0 END) AS fp
       FROM hits ${expression === "'all'" ? '' : `WHERE ${expression} IS NOT NULL`} GROUP BY ALL`;
    const rows = (
      await conn.runAndReadAll(
        `${pairs.withPairs}, hits AS (SELECT *, score >= ${threshold} AS hit FROM pairs WHERE NOT invalid)
         ${[counts('all', "'all'"), ...SLICE_DIMENSIONS.map((dimension) => counts(dimension, dimension))].join(' UNION ALL ')}`,
        params,
      )
    ).getRowsJson();
    const byCategory = new Map<string, { overall?: SliceCounts; slices: SliceCounts[] }>();
    for (const [category, dimension, sliceValue, n, positives, tp, fp] of rows) {
      const entry = byCategory.get(String(category)) ?? { slices: [] };
      const counted = { dimension: dimension as SliceCounts['dimension'], value: String(sliceValue), n: Number(n), positives: Number(positives), truePositives: Number(tp), falsePositives: Number(fp) };
      if (dimension === 'all') entry.overall = counted;
      else entry.slices.push(counted);
      byCategory.set(String(category), entry);
    }
    return byCategory;
  });
  const categories = [...value.entries()]
    .filter(([, entry]) => entry.overall)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([category, entry]) => {
      const table = sliceTable(entry.overall!, entry.slices, removeAt(category), minN);
      return { category, baseline: table.baseline, slices: table.slices };
    });
  return { model: input.model, version, categories };
}
