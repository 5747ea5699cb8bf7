/**
 * Reading the labelled pairs out of DuckDB: one scan lists each category's pairs (a million of them cross to
 * JavaScript as two typed arrays, never as rows) and, in the same scan, counts them per slice value at the remove
 * threshold. The reading yields to the event loop every few ms and copies the pairs out of native memory.
 */
import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBListValue,
  DuckDBMaterializedResult,
  DuckDBStructValue,
  DuckDBVector,
} from '@duckdb/node-api';
import { SiftError } from '../../../shared/errors.js';
import { DEFAULT_THRESHOLDS } from '../../../shared/routing.js';
import { SLICE_DIMENSIONS, type SliceCounts, type ThresholdCounts } from '../../../shared/slices.js';
import { type PairsQuery, throwForBadPair } from './pairsQuery.js';

/**
 * One category's labelled pairs as DuckDB lists them: each pair's score, and a code holding its label (bit 0) and its
 * calibration side (bit 1, a fixed hash of the content id).
 */
export interface PairLists {
  scores: Float64Array;
  codes: Int8Array;
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

export interface CategorySlices {
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
export async function scanPairs(
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
