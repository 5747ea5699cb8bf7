/**
 * "Can I trust these scores to route content?" For one model version, per category: scores joined to ground
 * truth labels, then calibration (reliability bins, ECE, MCE, Brier), ranking (PR curve, AP, ROC AUC, operating
 * points), a fine score grid for live threshold routing, and slices. Columns stream out of DuckDB here; each
 * category's figures are computed in the compute pool (evaluationFigures.ts); the renderer only receives the aggregates.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CalibrationFit, EvaluationResult } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import { DEFAULT_CRITICAL, DEFAULT_THRESHOLDS } from '../../shared/routing.js';
import { fnv1a } from '../../shared/nearDuplicates.js';
import { computePool } from './compute/workerPool.js';
import { type PackedCategory, SLICE_DIMENSIONS, type SliceDimension, transferables } from './evaluationFigures.js';
import type { JobContext } from './jobs.js';
import type { ModelRegistry } from './models/registry.js';
import { assertStreamFinished, describeReadOnlyQuery, readOnly, relationKind } from './readOnlyQuery.js';
import type { Workspace } from './workspace.js';

export const DEFAULT_LABELS_SQL = `SELECT content_id, category, CASE WHEN avg(TRY_CAST(value AS INTEGER)) > 0.5 THEN 1 ELSE 0 END AS label
FROM label_events WHERE kind = 'label' GROUP BY content_id, category`;


/** One category's pairs as they are read: plain arrays while they grow, then packed for the worker pool. */
interface CategoryData {
  ids: string[];
  scores: number[];
  labels: number[];
  slices: Record<SliceDimension, { codes: number[]; values: string[]; index: Map<string, number> }>;
}

function emptyCategory(): CategoryData {
  const slice = () => ({ codes: [] as number[], values: [] as string[], index: new Map<string, number>() });
  return { ids: [], scores: [], labels: [], slices: { language: slice(), surface: slice(), content_type: slice(), account_age: slice() } };
}

function pack(data: CategoryData): PackedCategory {
  const slices = Object.fromEntries(
    SLICE_DIMENSIONS.map((dimension) => [dimension, { codes: Int32Array.from(data.slices[dimension].codes), values: data.slices[dimension].values }]),
  ) as PackedCategory['slices'];
  return { scores: Float64Array.from(data.scores), labels: Uint8Array.from(data.labels), slices };
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
          data = emptyCategory();
          byCategory.set(category, data);
        }
        const label = Number(columns[3]![row]);
        const score = Number(columns[2]![row]);
        if (label !== 0 && label !== 1) throw new SiftError({ code: 'BAD_REQUEST', message: `labels: label must be 0 or 1; content ${columns[1]![row]} (${category}) has ${label}.` });
        if (!(score >= 0 && score <= 1)) throw new SiftError({ code: 'BAD_REQUEST', message: `model_scores: content ${columns[1]![row]} (${category}) has score ${score}, outside [0, 1].` });
        data.ids.push(String(columns[1]![row]));
        data.scores.push(score);
        data.labels.push(label);
        SLICE_DIMENSIONS.forEach((dimension, d) => {
          const raw = columns[4 + d]![row];
          const slice = data!.slices[dimension];
          if (raw === null) return void slice.codes.push(-1);
          const value = String(raw);
          let code = slice.index.get(value);
          if (code === undefined) {
            code = slice.values.length;
            slice.index.set(value, code);
            slice.values.push(value);
          }
          slice.codes.push(code);
        });
      }
      read += chunk.rowCount;
      if (read % (2048 * 50) < chunk.rowCount) ctx?.progress(null, `Read ${read.toLocaleString('en-US')} scored, labelled pairs`);
    }
    await assertStreamFinished(conn, input.labels ? 'The labels query' : 'Reading scores and labels');
    return { version, labelSource: input.labels ? 'query' : 'label_events (majority vote)', byCategory };
  }
}

function thresholdsFor(registry: ModelRegistry, model: string): { thresholds: Record<string, { remove: number; escalate: number }>; critical: string[] } {
  try {
    const { manifest } = registry.package(model);
    return { thresholds: manifest.thresholds, critical: manifest.critical };
  } catch {
    return { thresholds: {}, critical: DEFAULT_CRITICAL };
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
  // Each category's figures are computed in the worker pool, in parallel, off the engine's event loop.
  const evaluations = await eachInPool(categories, ctx, 'Evaluation cancelled.', (category) => `Computed ${category}`, (category) => {
    const packed = pack(byCategory.get(category)!);
    return computePool().run('evaluateCategory', [category, packed, bins, thresholds[category] ?? DEFAULT_THRESHOLDS, critical.includes(category), input.sliceMargin ?? 0.05], {
      transfer: transferables(packed),
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
  const bins = input.bins ?? 15;
  const { version, byCategory } = await loadData(workspace, registry, input, ctx);
  const fitParity = input.fitOn === 'odd' ? 1 : 0;
  const ordered = [...byCategory.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  // Each category is fitted in the compute pool, off the engine's event loop.
  const categories = await eachInPool(ordered, ctx, 'Calibration fit cancelled.', ([category]) => `Fitted ${category}`, ([category, data]) => {
    // A fixed split by content id: the same items fit and evaluate on every run.
    const fitMask = Uint8Array.from(data.ids, (id) => ((fnv1a(id) & 1) === fitParity ? 1 : 0));
    const packed = pack(data);
    return computePool().run('fitCalibrationCategory', [category, packed.scores, packed.labels, fitMask, input.method, bins], {
      transfer: [packed.scores.buffer as ArrayBuffer, packed.labels.buffer as ArrayBuffer, fitMask.buffer as ArrayBuffer],
      signal: ctx?.signal,
    });
  });
  return { model: input.model, version, method: input.method, categories };
}
