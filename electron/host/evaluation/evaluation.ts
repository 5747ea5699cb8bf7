/**
 * "Can I trust these scores to route content?" For one model version, per category: scores joined to ground
 * truth labels, then calibration (reliability bins, ECE, MCE, Brier), ranking (PR curve, AP, ROC AUC, operating
 * points), a fine score grid for live threshold routing, and slices. One scan in DuckDB joins scores to labels, counts
 * each slice value and lists the pairs; a million pairs cross to JavaScript as two typed arrays, never as objects.
 * Each category's figures are computed in the compute pool (evaluationFigures.ts) after one radix sort; the renderer
 * only receives the figures.
 */
import { randomUUID } from 'node:crypto';
import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBListValue,
  DuckDBMaterializedResult,
  DuckDBStructValue,
  DuckDBVector,
} from '@duckdb/node-api';
import type { CalibrationFit, EvaluationResult, SliceEvaluation } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { voteOutcomeSql } from '../../../shared/labeling.js';
import { DEFAULT_CRITICAL, DEFAULT_THRESHOLDS } from '../../../shared/routing.js';
import { computePool } from '../compute/workerPool.js';
import { evaluateCategoryTask, fitCalibrationCategoryTask } from './computeTasks.js';
import { isInterrupt, messageOf } from '../query/duckdbErrors.js';
import { DEFAULT_BINS } from '../../../shared/calibration.js';
import {
  DEFAULT_MIN_SLICE_N,
  SLICE_DIMENSIONS,
  type SliceCounts,
  sliceTable,
  type ThresholdCounts,
} from '../../../shared/slices.js';
import { type PairLists, transferables } from './evaluationFigures.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { describeReadOnlyQuery, readOnly, relationKind } from '../query/readOnlyQuery.js';
import type { Workspace } from '../workspace/workspace.js';

/**
 * The default ground truth, per item and category, by the one vote rule (shared/labeling.ts): the adjudicated value,
 * else the majority of the current labels. `outcomes` keeps the ties, which have no label: left out, and counted.
 */
const DEFAULT_LABEL_CTES = `outcomes AS (${voteOutcomeSql('current_labels')}),
      labels AS (SELECT content_id, category, label FROM outcomes WHERE label IS NOT NULL)`;

const tableExists = async (conn: DuckDBConnection, name: string) => (await relationKind(conn, name)) !== null;

async function checkLabelsQuery(conn: DuckDBConnection, sql: string): Promise<string> {
  const { text, columns } = await describeReadOnlyQuery(conn, sql, 'labels', 'content_id, category, label');
  const missing = ['content_id', 'category', 'label'].filter((name) => !columns.includes(name));
  if (missing.length)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `labels: the query must return content_id, category and label (0/1); it lacks ${missing.join(', ')}.`,
    });
  return text;
}

/** Which version to evaluate: the one asked for, else the registered one if it has scores, else the latest scored. */
async function resolveVersion(
  conn: DuckDBConnection,
  registry: ModelRegistry,
  model: string,
  version?: string,
): Promise<string> {
  if (version) return version;
  const scored = (
    await conn.runAndReadAll(
      `SELECT model_version FROM model_scores WHERE model = $model GROUP BY 1 ORDER BY max(scored_at) DESC`,
      { model },
    )
  )
    .getRowsJson()
    .map((row) => String(row[0]));
  if (scored.length === 0)
    throw new SiftError({
      code: 'NOT_FOUND',
      message: `model: ${model} has no scores in model_scores yet; score some content first.`,
    });
  try {
    const registered = registry.package(model).manifest.version;
    if (scored.includes(registered)) return registered;
  } catch {
    // known only from its scores
  }
  return scored[0]!;
}

export function thresholdsFor(
  registry: ModelRegistry,
  model: string,
): { thresholds: Record<string, { remove: number; escalate: number }>; critical: string[] } {
  try {
    const { manifest } = registry.package(model);
    return { thresholds: manifest.thresholds, critical: manifest.critical };
  } catch {
    return { thresholds: {}, critical: DEFAULT_CRITICAL };
  }
}

/** One hash of an item's four slice values (a NULL value hashes too). */
const SLICE_KEY = `hash(${SLICE_DIMENSIONS.join(', ')})`;

/**
 * WITH clauses defining `pairs` (category, category_index, content_id, score, label, invalid) and `tied` (category,
 * content_id: the scored items whose votes tie, left out of the pairs; none with a labels query), and the same pairs with
 * their item's slice key and values (content and author joined), a query decoding the keys, their parameters, and the
 * categories by index.
 */
export interface PairsQuery {
  withPairs: string;
  withSlicedPairs: string;
  /** Each slice key's values (language, surface, content type, account age); null when there is no content to slice by. */
  sliceValues: string | null;
  params: Record<string, string | number>;
  version: string;
  categories: string[];
}

async function pairsQuery(
  conn: DuckDBConnection,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string; sameItemsAs?: { model: string; version: string } },
): Promise<PairsQuery> {
  if (!(await tableExists(conn, 'model_scores')))
    throw new SiftError({ code: 'NOT_FOUND', message: 'There is no model_scores table: score some content first.' });
  const version = await resolveVersion(conn, registry, input.model, input.version);
  const labelCtes = input.labels ? `labels AS (${await checkLabelsQuery(conn, input.labels)})` : DEFAULT_LABEL_CTES;
  const withContent = (await tableExists(conn, 'content')) && (await tableExists(conn, 'users'));
  const params: Record<string, string | number> = { model: input.model, version };
  const categories = (
    await conn.runAndReadAll(
      `SELECT DISTINCT category FROM model_scores WHERE model = $model AND model_version = $version AND category IS NOT NULL ORDER BY 1`,
      params,
    )
  )
    .getRowsJson()
    .map((row) => String(row[0]));
  if (input.sameItemsAs)
    Object.assign(params, { other_model: input.sameItemsAs.model, other_version: input.sameItemsAs.version });
  // Categories travel as small integers, so reading a million rows decodes no strings.
  const categoryIndex = categories.length
    ? `CASE s.category ${categories.map((category, i) => ((params[`k${i}`] = category), `WHEN $k${i} THEN ${i}`)).join(' ')} END`
    : 'NULL';
  // Slice values depend on the content item, not the pair: computed once per item, and grouped on as one hashed key, so
  // the grouping of 5M pairs is by two integers, not four strings (sliceValues decodes the keys). The values stay in
  // `pairs` for a drill to one slice; a scan that does not read them does not carry them.
  const contentSlices = withContent
    ? `content_slices AS (SELECT *, ${SLICE_KEY} AS slice_key FROM (
        SELECT c.content_id::VARCHAR AS content_id, c.language::VARCHAR AS language, c.surface::VARCHAR AS surface, c.content_type::VARCHAR AS content_type,
          CASE WHEN u.created_at IS NULL OR c.created_at IS NULL THEN NULL
               WHEN date_diff('hour', u.created_at, c.created_at) < 24 THEN 'under 1 day'
               WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 7 THEN '1–7 days'
               WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 30 THEN '7–30 days'
               WHEN date_diff('hour', u.created_at, c.created_at) < 24 * 365 THEN '30–365 days'
               ELSE 'over 1 year' END AS account_age
        FROM content c LEFT JOIN users u ON u.user_id = c.user_id)),`
    : '';
  // Only the slices need content and its author: the pairs alone skip the joins (DuckDB keeps an unused LEFT JOIN).
  const sameItems = input.sameItemsAs
    ? 'SEMI JOIN scored_by_other b ON b.content_id = s.content_id AND b.category = s.category'
    : '';
  const tied = input.labels
    ? `tied AS (SELECT NULL::VARCHAR AS category, NULL::VARCHAR AS content_id WHERE false),`
    : `tied AS (SELECT s.category, s.content_id FROM s JOIN outcomes o ON o.content_id::VARCHAR = s.content_id AND o.category = s.category ${sameItems} WHERE o.status = 'tied'),`;
  const withPairs = (sliced: boolean) => `WITH ${labelCtes},
      s AS (SELECT content_id::VARCHAR AS content_id, category, max(score) AS score FROM model_scores WHERE model = $model AND model_version = $version GROUP BY ALL),${
        input.sameItemsAs
          ? ` scored_by_other AS (SELECT DISTINCT content_id::VARCHAR AS content_id, category FROM model_scores WHERE model = $other_model AND model_version = $other_version),`
          : ''
      }${sliced ? contentSlices : ''}
      ${tied}
      pairs AS (
        SELECT s.category, (${categoryIndex})::INTEGER AS category_index, s.content_id, s.score, l.label::INTEGER AS label,
               (l.label::INTEGER NOT IN (0, 1) OR s.score IS NULL OR NOT (s.score BETWEEN 0 AND 1)) AS invalid${sliced ? `, ${withContent ? `k.slice_key, ${SLICE_DIMENSIONS.map((d) => `k.${d}`).join(', ')}` : `NULL::UBIGINT AS slice_key, ${SLICE_DIMENSIONS.map((d) => `NULL::VARCHAR AS ${d}`).join(', ')}`}` : ''}
        FROM s JOIN labels l ON l.content_id::VARCHAR = s.content_id AND l.category = s.category
        ${sameItems}
        ${sliced && withContent ? 'LEFT JOIN content_slices k ON k.content_id = s.content_id' : ''}
        WHERE l.label IS NOT NULL)`;
  const sliceValues = withContent
    ? `WITH ${contentSlices.replace(/,$/, '')} SELECT DISTINCT slice_key, ${SLICE_DIMENSIONS.join(', ')} FROM content_slices`
    : null;
  return { params, version, categories, withPairs: withPairs(false), withSlicedPairs: withPairs(true), sliceValues };
}

/** Runs `aggregate` over the scored, labelled pairs inside a READ ONLY transaction, with cancel. */
export async function aggregatePairs<T>(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; labels?: string; sameItemsAs?: { model: string; version: string } },
  ctx: JobContext | undefined,
  cancelled: string,
  aggregate: (conn: DuckDBConnection, pairs: PairsQuery) => Promise<T>,
): Promise<{ version: string; labelSource: string; value: T }> {
  return workspace.withConnection(async (conn) => {
    const onAbort = () => conn.interrupt();
    ctx?.signal.addEventListener('abort', onAbort);
    try {
      return await readOnly(conn, async () => {
        const pairs = await pairsQuery(conn, registry, input);
        ctx?.progress(null, 'Aggregating scored, labelled pairs in DuckDB');
        const value = await aggregate(conn, pairs);
        return {
          version: pairs.version,
          labelSource: input.labels ? 'query' : 'current_labels (majority vote)',
          value,
        };
      });
    } catch (error) {
      if (ctx?.signal.aborted || isInterrupt(error)) throw new SiftError({ code: 'CANCELLED', message: cancelled });
      if (error instanceof SiftError) throw error;
      throw new SiftError({
        code: 'SQL_ERROR',
        message: `${input.labels ? 'The labels query' : 'Reading scores and labels'} failed: ${messageOf(error)}`,
      });
    } finally {
      ctx?.signal.removeEventListener('abort', onAbort);
    }
  });
}

/** Names the first pair whose label is not 0/1 or whose score is not in [0, 1], the way the user can look it up. */
async function throwForBadPair(conn: DuckDBConnection, pairs: PairsQuery): Promise<never> {
  const row = (
    await conn.runAndReadAll(
      `${pairs.withPairs} SELECT content_id, category, score, label FROM pairs WHERE invalid ORDER BY category, content_id LIMIT 1`,
      pairs.params,
    )
  ).getRowsJson()[0];
  if (!row)
    throw new SiftError({
      code: 'SQL_ERROR',
      message: 'The scores and labels changed while they were read; run the evaluation again.',
    });
  const [id, category, score, label] = row;
  if (label !== 0 && label !== 1)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `labels: label must be 0 or 1; content ${id} (${category}) has ${label}.`,
    });
  throw new SiftError({
    code: 'BAD_REQUEST',
    message: `model_scores: content ${id} (${category}) has score ${score ?? 'NULL'}, outside [0, 1].`,
  });
}

/**
 * A list column's entries for one row, whole, as views (no copy). @duckdb/node-api keeps a list's elements in one
 * child vector whose numeric fields are typed arrays over the chunk's native memory; taking them is free, where
 * reading them value by value takes seconds. The views are valid only while the chunk is alive: copy them
 * (`gathered`) before letting go of it. Falls back to reading item by item if the binding changes shape.
 */
export function listedPairs(vector: DuckDBVector, row: number): PairLists {
  const list = vector as unknown as {
    childVector?: { entryVectors?: { items?: unknown }[] };
    getEntryOffset?: (row: number) => number;
    getEntryLength?: (row: number) => number;
  };
  const [scores, codes] = [list.childVector?.entryVectors?.[0]?.items, list.childVector?.entryVectors?.[1]?.items];
  if (scores instanceof Float64Array && codes instanceof Int8Array && list.getEntryOffset && list.getEntryLength) {
    const offset = list.getEntryOffset(row);
    const end = offset + list.getEntryLength(row);
    return { scores: scores.subarray(offset, end), codes: codes.subarray(offset, end) };
  }
  const items = (vector.getItem(row) as DuckDBListValue | null)?.items ?? [];
  const fields = items.map((item) => (item as DuckDBStructValue).entries);
  return {
    scores: Float64Array.from(fields, (entry) => Number(entry.score)),
    codes: Int8Array.from(fields, (entry) => Number(entry.code)),
  };
}

/** Pairs copied between two pauses of `gathered`: about a millisecond's copying. */
const GATHER_BLOCK = 1 << 16;

/**
 * One category's pairs in buffers of their own (to hold, or to transfer to a worker), from its slice groups' views.
 * A million pairs take tens of ms to copy (fresh memory faults in as it is written): `pause` lets the caller yield
 * between blocks.
 */
export async function gathered(
  parts: PairLists[],
  pause: () => Promise<void> = async () => undefined,
): Promise<PairLists> {
  const size = parts.reduce((sum, part) => sum + part.scores.length, 0);
  const joined = { scores: new Float64Array(size), codes: new Int8Array(size) };
  let at = 0;
  for (const part of parts) {
    for (let from = 0; from < part.scores.length; from += GATHER_BLOCK) {
      await pause();
      const to = Math.min(part.scores.length, from + GATHER_BLOCK);
      joined.scores.set(part.scores.subarray(from, to), at);
      joined.codes.set(part.codes.subarray(from, to), at);
      at += to - from;
    }
  }
  return joined;
}

/** How long the engine's event loop may be held by one stretch of reading before other calls get a turn. */
const READ_SLICE_MS = 5;

interface CategorySlices {
  overall: ThresholdCounts;
  slices: SliceCounts[];
}

/** Adds one group's counts to a slice (or to the overall counts). */
function addCounts(into: ThresholdCounts, counts: ThresholdCounts): void {
  into.n += counts.n;
  into.positives += counts.positives;
  into.truePositives += counts.truePositives;
  into.falsePositives += counts.falsePositives;
}

/** The SQL of each category's remove threshold, by category index, with its parameters added to `params`. */
function thresholdSql(
  pairs: PairsQuery,
  params: Record<string, string | number>,
  removeAt: (category: string) => number,
): string {
  return pairs.categories.length
    ? `CASE category_index ${pairs.categories.map((category, i) => ((params[`t${i}`] = removeAt(category)), `WHEN ${i} THEN $t${i}`)).join(' ')} END`
    : String(DEFAULT_THRESHOLDS.remove);
}

/**
 * Every labelled pair (`lists`), per category, as DuckDB lists them (ties and all; the workers sort), so a million pairs cross
 * to JavaScript as two typed arrays, never as rows; with `removeAt`, in the same scan, the counts per slice value
 * (language, surface, content type, account age) and overall: n, positives, and the true and false positives at
 * the category's remove threshold. The pairs are listed per (category, slice key) — a few hundred groups — and
 * gathered into one pair of buffers per category. Reading yields to the event loop every few ms. A label that is not 0/1 or a score outside [0, 1] is named instead.
 */
async function scanPairs(
  conn: DuckDBConnection,
  pairs: PairsQuery,
  signal: AbortSignal | undefined,
  want: { lists: boolean; removeAt?: (category: string) => number },
): Promise<{ lists: Map<string, PairLists>; slices: Map<string, CategorySlices> }> {
  const { removeAt } = want;
  const params: Record<string, string | number> = { ...pairs.params };
  const threshold = removeAt ? thresholdSql(pairs, params, removeAt) : '1';
  const result = await conn.run(
    `${removeAt ? pairs.withSlicedPairs : pairs.withPairs}
     SELECT category_index, bool_or(invalid) AS invalid,
            ${want.lists ? 'list({score: coalesce(score, -1), code: (CASE WHEN invalid THEN 0 ELSE label + 2 * (hash(content_id) % 2) END)::TINYINT})' : 'NULL'} AS pairs,
            count(*)::DOUBLE AS n, count(*) FILTER (label = 1)::DOUBLE AS positives,
            count(*) FILTER (label = 1 AND score >= ${threshold})::DOUBLE AS tp, count(*) FILTER (label = 0 AND score >= ${threshold})::DOUBLE AS fp
            ${removeAt ? ', slice_key' : ''}
     FROM pairs GROUP BY ALL`,
    params,
  );
  if (signal?.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Cancelled.' });
  // Views into the result's native memory, per category: the result and its chunks are held until each category's
  // pairs are copied out (a view outliving them would read freed memory).
  const parts = pairs.categories.map(() => [] as PairLists[]);
  const native: { result: DuckDBMaterializedResult | null; chunks: DuckDBDataChunk[] } = { result, chunks: [] };
  const overall = pairs.categories.map(() => ({ n: 0, positives: 0, truePositives: 0, falsePositives: 0 }));
  // Per category, the counts of each slice key, decoded into slice values below.
  const byKey = pairs.categories.map(() => new Map<string, ThresholdCounts>());
  let invalid = false;
  let sliceStarted = performance.now();
  // Other calls get a turn whenever reading or copying has held the event loop for a few ms.
  const yieldEvery = async () => {
    if (performance.now() - sliceStarted <= READ_SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Cancelled.' });
    sliceStarted = performance.now();
  };
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    native.chunks.push(chunk);
    for (let row = 0; row < chunk.rowCount; row++) {
      await yieldEvery();
      if (chunk.getColumnVector(1).getItem(row) === true) invalid = true;
      const index = Number(chunk.getColumnVector(0).getItem(row));
      if (want.lists) parts[index]!.push(listedPairs(chunk.getColumnVector(2), row));
      const [n, positives, truePositives, falsePositives] = [3, 4, 5, 6].map((column) =>
        Number(chunk.getColumnVector(column).getItem(row)),
      ) as [number, number, number, number];
      const counts = { n, positives, truePositives, falsePositives };
      addCounts(overall[index]!, counts);
      const key = removeAt ? chunk.getColumnVector(7).getItem(row) : null;
      if (key === null) continue; // no content row for the item: in no slice
      const keyed = byKey[index]!.get(String(key)) ?? { n: 0, positives: 0, truePositives: 0, falsePositives: 0 };
      byKey[index]!.set(String(key), keyed);
      addCounts(keyed, counts);
    }
  }
  const sliced =
    removeAt && pairs.sliceValues ? await slicesByValue(conn, pairs.sliceValues, byKey) : byKey.map(() => []);
  if (invalid) await throwForBadPair(conn, pairs);
  const lists = new Map<string, PairLists>();
  const slices = new Map<string, CategorySlices>();
  for (const [i, category] of pairs.categories.entries()) {
    if (overall[i]!.n === 0) continue;
    slices.set(category, { overall: overall[i]!, slices: sliced[i]! });
    if (want.lists) lists.set(category, await gathered(parts[i]!, yieldEvery));
  }
  // Copied out: the native memory may go now, and not before.
  native.result = null;
  native.chunks = [];
  return { lists, slices };
}

/**
 * Each category's counts per slice value, from its counts per slice key: a key's four values each add the key's counts
 * to their dimension's slice (a NULL value is in no slice). Two value sets sharing a 64-bit hash would merge their
 * counts, so that is checked, not assumed.
 */
async function slicesByValue(
  conn: DuckDBConnection,
  sliceValues: string,
  byKey: Map<string, ThresholdCounts>[],
): Promise<SliceCounts[][]> {
  const values = new Map<string, (string | null)[]>();
  for (const [key, ...dimensions] of (await conn.runAndReadAll(sliceValues)).getRows()) {
    if (values.has(String(key)))
      throw new SiftError({
        code: 'SQL_ERROR',
        message: 'Slices: two sets of slice values share a hash key; the slices cannot be told apart.',
      });
    values.set(
      String(key),
      dimensions.map((value) => (value === null ? null : String(value))),
    );
  }
  return byKey.map((keys) => {
    const slices = new Map<string, SliceCounts>();
    for (const [key, counts] of keys) {
      SLICE_DIMENSIONS.forEach((dimension, d) => {
        const value = values.get(key)?.[d] ?? null;
        if (value === null) return;
        const id = `${dimension}\u0000${value}`;
        const slice = slices.get(id) ?? { dimension, value, n: 0, positives: 0, truePositives: 0, falsePositives: 0 };
        slices.set(id, slice);
        addCounts(slice, counts);
      });
    }
    return [...slices.values()];
  });
}

export async function evaluate(
  workspace: Workspace,
  registry: ModelRegistry,
  input: {
    model: string;
    version?: string;
    labels?: string;
    bins?: number;
    minSliceN?: number;
    thresholds?: Record<string, { remove: number; escalate: number }>;
    sameItemsAs?: { model: string; version: string };
    category?: string;
  },
  ctx?: JobContext,
): Promise<EvaluationResult> {
  const started = performance.now();
  const bins = input.bins ?? DEFAULT_BINS;
  const { thresholds, critical } = thresholdsFor(registry, input.model);
  // The thresholds in force: the caller's (moved in the UI), else the model's.
  const thresholdOf = (category: string) => input.thresholds?.[category] ?? thresholds[category] ?? DEFAULT_THRESHOLDS;
  computePool().prestart(); // the workers boot while DuckDB scans
  const { version, labelSource, value } = await aggregatePairs(
    workspace,
    registry,
    input,
    ctx,
    'Evaluation cancelled.',
    async (conn, pairs) => ({
      ...(await scanPairs(conn, pairs, ctx?.signal, {
        lists: true,
        removeAt: (category) => thresholdOf(category).remove,
      })),
      tied: await tiedItems(conn, pairs, input.category),
    }),
  );
  const categories = [...value.lists.keys()].filter((c) => !input.category || c === input.category).sort();
  // Each category's figures are computed in the worker pool, off the engine's event loop. The pairs are then held
  // for a calibration fit of exactly these items, so the workers get copies (when not held, the buffers themselves).
  const hold = !input.sameItemsAs;
  const evaluations = await eachInPool(
    categories,
    ctx,
    'Evaluation cancelled.',
    (category) => `Computed ${category}`,
    (category) => {
      const pairs = value.lists.get(category)!;
      return computePool().run(
        evaluateCategoryTask,
        [
          category,
          pairs,
          value.slices.get(category)?.slices ?? [],
          bins,
          thresholdOf(category),
          critical.includes(category),
          input.minSliceN ?? DEFAULT_MIN_SLICE_N,
        ],
        {
          transfer: hold ? [] : transferables(pairs),
          signal: ctx?.signal,
        },
      );
    },
  );
  const evaluationId = randomUUID();
  if (hold)
    holdPairs(workspace, evaluationId, { model: input.model, version, labels: input.labels, lists: value.lists });
  return {
    model: input.model,
    version,
    labelSource,
    bins,
    categories: evaluations,
    tied: value.tied,
    elapsedMs: Math.round(performance.now() - started),
    evaluationId,
  };
}

/** The scored items whose votes tie, left out of the pairs: how many, and how many per category. */
async function tiedItems(
  conn: DuckDBConnection,
  pairs: PairsQuery,
  category: string | undefined,
): Promise<EvaluationResult['tied']> {
  const rows = (
    await conn.runAndReadAll(
      `${pairs.withPairs} SELECT category, count(DISTINCT content_id) FROM tied ${category ? 'WHERE category = $category' : ''} GROUP BY ROLLUP (category) ORDER BY category NULLS FIRST`,
      category ? { ...pairs.params, category } : pairs.params,
    )
  ).getRowsJson();
  const tied: EvaluationResult['tied'] = { items: 0, byCategory: {} };
  for (const [name, count] of rows) {
    if (name === null) tied.items = Number(count);
    else tied.byCategory[String(name)] = Number(count);
  }
  return tied;
}

/** The pairs an evaluation read, held so that a calibration fit beside it is of exactly those items. */
interface HeldPairs {
  model: string;
  version: string;
  labels: string | undefined;
  lists: Map<string, PairLists>;
}

/** How many evaluations' pairs a workspace holds (about 45 MB each at 5M pairs); the oldest goes first. */
const HELD_EVALUATIONS = 2;
const heldPairs = new WeakMap<Workspace, Map<string, HeldPairs>>();

function holdPairs(workspace: Workspace, id: string, pairs: HeldPairs): void {
  const held = heldPairs.get(workspace) ?? new Map<string, HeldPairs>();
  heldPairs.set(workspace, held);
  held.set(id, pairs);
  for (const oldest of held.keys()) if (held.size > HELD_EVALUATIONS) held.delete(oldest);
}

/**
 * The pairs of the evaluation named, if they are still held; a model, version or labels query that contradicts that
 * evaluation is refused rather than fitted on the wrong items.
 */
function pairsOfEvaluation(
  workspace: Workspace,
  input: { model: string; version?: string; labels?: string; evaluation?: string },
): HeldPairs | null {
  const held = input.evaluation ? heldPairs.get(workspace)?.get(input.evaluation) : undefined;
  if (!held) return null;
  const clash =
    held.model !== input.model
      ? 'model'
      : input.version !== undefined && input.version !== held.version
        ? 'version'
        : input.labels !== held.labels
          ? 'labels query'
          : null;
  if (clash)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `evaluation: ${input.evaluation} evaluated ${held.model} ${held.version}${held.labels ? ' with its own labels query' : ''}; its ${clash} differs from this request's.`,
    });
  return held;
}

/** Runs one pool task per item, all queued at once (the pool bounds them), with progress; a cancel reads as one. */
async function eachInPool<T, R>(
  items: T[],
  ctx: JobContext | undefined,
  cancelled: string,
  finishedMessage: (item: T) => string,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
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
  input: {
    model: string;
    version?: string;
    labels?: string;
    method: 'platt' | 'isotonic';
    bins?: number;
    fitOn?: 'even' | 'odd';
    evaluation?: string;
  },
  ctx?: JobContext,
): Promise<CalibrationFit> {
  const bins = input.bins ?? DEFAULT_BINS;
  const fitSide = input.fitOn === 'odd' ? 1 : 0;
  // A fixed split by a hash of the content id: the same items fit and check on every run. The workers count each
  // side per distinct score, so the fit is PAV (or Newton, for Platt) over distinct scores.
  const held = pairsOfEvaluation(workspace, input);
  computePool().prestart();
  const {
    version,
    value: { lists },
  } = held
    ? { version: held.version, value: { lists: held.lists } }
    : await aggregatePairs(workspace, registry, input, ctx, 'Calibration fit cancelled.', (conn, pairs) =>
        scanPairs(conn, pairs, ctx?.signal, { lists: true }),
      );
  const categories = await eachInPool(
    [...lists.keys()].sort(),
    ctx,
    'Calibration fit cancelled.',
    (category) => `Fitted ${category}`,
    (category) => {
      const pairs = lists.get(category)!;
      // Held pairs stay held (the workers get copies); pairs read for this fit are handed over.
      return computePool().run(fitCalibrationCategoryTask, [category, pairs, fitSide, input.method, bins], {
        transfer: held ? [] : transferables(pairs),
        signal: ctx?.signal,
      });
    },
  );
  return {
    model: input.model,
    version,
    method: input.method,
    categories,
    ...(held ? { evaluationId: input.evaluation } : {}),
  };
}

/**
 * Every category's slices at the thresholds in force — light enough to recompute as the user drags a threshold:
 * one grouped aggregation over the labelled pairs, no curves.
 */
export async function evaluateSlices(
  workspace: Workspace,
  registry: ModelRegistry,
  input: {
    model: string;
    version?: string;
    labels?: string;
    thresholds?: Record<string, { remove: number; escalate: number }>;
    minSliceN?: number;
  },
  ctx?: JobContext,
): Promise<SliceEvaluation> {
  const { thresholds } = thresholdsFor(registry, input.model);
  const removeAt = (category: string) =>
    (input.thresholds?.[category] ?? thresholds[category] ?? DEFAULT_THRESHOLDS).remove;
  const minN = input.minSliceN ?? DEFAULT_MIN_SLICE_N;
  const { version, value } = await aggregatePairs(workspace, registry, input, ctx, 'Slices cancelled.', (conn, pairs) =>
    scanPairs(conn, pairs, ctx?.signal, { lists: false, removeAt }),
  );
  const categories = [...value.slices.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([category, entry]) => {
      const table = sliceTable(entry.overall, entry.slices, removeAt(category), minN);
      return { category, baseline: table.baseline, slices: table.slices };
    });
  return { model: input.model, version, categories };
}
