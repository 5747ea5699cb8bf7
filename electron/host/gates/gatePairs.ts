/**
 * What a gate run reads: per category, the labelled items both versions scored, aligned item by item (the
 * candidate's score, the baseline's, the label) as typed arrays — one scan through the evaluation's pairs
 * (evaluation/pairsQuery.ts), joined to the baseline's scores — and, for the gates that need them, false positive
 * counts per slice value, on the golden safe set and on high-reach content, counted in DuckDB.
 */
import type { DuckDBConnection, DuckDBMaterializedResult } from '@duckdb/node-api';
import { SiftError } from '../../../shared/errors.js';
import { highReachCutoffSql } from '../../../shared/releaseMetrics.js';
import { describeReadOnlyQuery, relationKind } from '../query/readOnlyQuery.js';
import { type PairsQuery, throwForBadPair } from '../evaluation/pairsQuery.js';

/**
 * One category's judged items, aligned: the baseline's scores are absent when no baseline is judged. `slices[k]` holds
 * each item's value code of the k-th slice column asked for (−1: no value), `highReach[k]` whether it is high-reach at
 * the k-th fraction asked for.
 */
export interface AlignedPairs {
  candidate: Float64Array;
  baseline: Float64Array | null;
  labels: Uint8Array;
  slices: Int32Array[];
  highReach: Int8Array[];
}

/** What the FPR gates read beside the pairs, in the same scan: slice columns of content, and high-reach fractions. */
export interface PairExtras {
  sliceColumns: string[];
  reachFractions: number[];
}

/** False positives at each version's escalate threshold among `negatives` items (a slice, the golden set, …). */
export interface FalsePositiveCounts {
  negatives: number;
  candidate: number;
  baseline: number;
}

/** The baseline's scores per item and category, as the evaluation reads the candidate's (`s` in pairsQuery). */
const BASE_CTE = `base AS (SELECT content_id::VARCHAR AS content_id, category, max(score) AS score FROM model_scores
  WHERE model = $other_model AND model_version = $other_version GROUP BY ALL)`;

/** A slice column's values, coded 0… in sorted order (the same codes wherever this CTE is used). */
const sliceValuesCte = (k: number, column: string) =>
  `sv${k} AS (SELECT v, (row_number() OVER (ORDER BY v) - 1)::INTEGER AS code FROM (SELECT DISTINCT "${column}"::VARCHAR AS v FROM content WHERE "${column}" IS NOT NULL))`;

type Column = Float64Array | Int8Array | Int32Array;

/** Bits of a row's `y` beside its label (bit 0): the candidate's pair is invalid, the baseline's score is. */
const CANDIDATE_INVALID = 2;
const BASELINE_INVALID = 4;

/**
 * Both versions' scores per item and category in one aggregation over model_scores (`c`, `b`: each version's max, as
 * `s` and `base` read them), only where both versions scored the item (a row, its score NULL or not).
 */
function scoredSql(withBaseline: boolean): string {
  if (!withBaseline)
    return `sb AS (SELECT content_id::VARCHAR AS content_id, category, max(score) AS c, NULL::DOUBLE AS b FROM model_scores
      WHERE model = $model AND model_version = $version GROUP BY ALL)`;
  const isCandidate = 'model = $model AND model_version = $version';
  const isBaseline = 'model = $other_model AND model_version = $other_version';
  return `sb AS (SELECT content_id::VARCHAR AS content_id, category,
      max(score) FILTER (${isCandidate}) AS c, max(score) FILTER (${isBaseline}) AS b FROM model_scores
      WHERE (${isCandidate}) OR (${isBaseline}) GROUP BY ALL
      HAVING count(*) FILTER (${isCandidate}) > 0 AND count(*) FILTER (${isBaseline}) > 0)`;
}

async function checkContentColumns(conn: DuckDBConnection, columns: { column: string; field: string }[]) {
  if (columns.length === 0) return;
  if (!(await relationKind(conn, 'content')))
    throw new SiftError({ code: 'NOT_FOUND', message: 'There is no content table to find slices or reach in.' });
  const present = new Set(
    (await conn.runAndReadAll('SELECT column_name FROM (DESCRIBE content)')).getRowsJson().map((row) => String(row[0])),
  );
  for (const { column, field } of columns)
    if (!present.has(column))
      throw new SiftError({ code: 'BAD_REQUEST', message: `${field}: the content table has no ${column} column.` });
}

/**
 * Every category's aligned items, and how many distinct items they are, in one pass over the pairs (materialized
 * once, then listed per category and counted). A label not 0/1 or a candidate score outside [0, 1] is named as the
 * evaluation names it; a baseline score outside [0, 1] likewise.
 */
export async function readAlignedPairs(
  conn: DuckDBConnection,
  pairs: PairsQuery,
  withBaseline: boolean,
  extras: PairExtras & { fields: Record<string, string> },
): Promise<{ aligned: Map<string, AlignedPairs>; items: number; sliceValues: string[][] }> {
  await checkContentColumns(conn, [
    ...extras.sliceColumns.map((column) => ({ column, field: extras.fields[`slice:${column}`]! })),
    ...(extras.reachFractions.length ? [{ column: 'views_24h', field: extras.fields.high_reach! }] : []),
  ]);
  const params: Record<string, string | number> = { ...pairs.params };
  const ctes = [
    scoredSql(withBaseline),
    ...extras.sliceColumns.map((column, k) => sliceValuesCte(k, column)),
    ...extras.reachFractions.map(
      (fraction, k) => ((params[`reach${k}`] = fraction), `cut${k} AS (${highReachCutoffSql(`$reach${k}`)})`),
    ),
  ];
  const joins = [
    ...(extras.sliceColumns.length || extras.reachFractions.length
      ? [
          `LEFT JOIN (SELECT content_id::VARCHAR AS content_id, ${[
            ...extras.sliceColumns.map((column, k) => `any_value("${column}")::VARCHAR AS s${k}`),
            ...(extras.reachFractions.length ? ['any_value(views_24h) AS views'] : []),
          ].join(', ')} FROM content GROUP BY 1) k ON k.content_id = p.content_id`,
        ]
      : []),
    ...extras.sliceColumns.map((_, k) => `LEFT JOIN sv${k} ON sv${k}.v = k.s${k}`),
  ];
  const categoryIndex = pairs.categories.length
    ? `CASE sb.category ${pairs.categories.map((_, i) => `WHEN $k${i} THEN ${i}`).join(' ')} END`
    : 'NULL';
  // The pairs as the evaluation's (pairsQuery: `pairs`), the baseline's score beside each; the label and both
  // validity flags travel in one small integer.
  const columns = [
    'p.c',
    'p.b',
    'p.y',
    ...extras.sliceColumns.map((_, k) => `coalesce(sv${k}.code, -1)::INTEGER`),
    ...extras.reachFractions.map((_, k) => `coalesce(k.views >= (SELECT cutoff FROM cut${k}), false)::TINYINT`),
  ];
  const result = await conn.run(
    `${pairs.withLabels}, ${ctes.join(', ')},
     p AS (SELECT (${categoryIndex})::INTEGER AS category_index, sb.content_id,
       coalesce(sb.c, -1)::DOUBLE AS c, coalesce(sb.b, -1)::DOUBLE AS b,
       ((CASE WHEN l.label::INTEGER NOT IN (0, 1) OR sb.c IS NULL OR NOT (sb.c BETWEEN 0 AND 1) THEN ${CANDIDATE_INVALID} ELSE l.label::INTEGER END)
        + ${withBaseline ? `(CASE WHEN sb.b IS NULL OR NOT (sb.b BETWEEN 0 AND 1) THEN ${BASELINE_INVALID} ELSE 0 END)` : '0'})::TINYINT AS y
       FROM sb JOIN labels l ON l.content_id::VARCHAR = sb.content_id AND l.category = sb.category
       WHERE l.label IS NOT NULL),
     j AS MATERIALIZED (SELECT p.category_index, p.content_id, ${columns.map((column, k) => `${column} AS v${k}`).join(', ')}
       FROM p ${joins.join(' ')})
     SELECT category_index, ${columns.map((_, k) => `v${k}`).join(', ')} FROM j
     UNION ALL SELECT -1, count(DISTINCT content_id)::DOUBLE, ${columns
       .slice(1)
       .map(() => 'NULL')
       .join(', ')} FROM j`,
    params,
  );
  const { columnsOf, items, invalid, baseInvalid } = readColumns(result, pairs.categories.length, columns.length);
  if (invalid) {
    // The evaluation's own pairs name the bad one; they bind no baseline parameters.
    const { other_model: _model, other_version: _version, ...own } = pairs.params;
    await throwForBadPair(conn, { ...pairs, params: own });
  }
  if (baseInvalid) await throwForBadBaseline(conn, pairs);
  const aligned = new Map<string, AlignedPairs>();
  for (const [index, joined] of columnsOf.entries()) {
    const [candidate, baseline, labels, ...rest] = joined;
    if (candidate!.length === 0) continue;
    aligned.set(pairs.categories[index]!, {
      candidate: candidate as Float64Array,
      baseline: withBaseline ? (baseline as Float64Array) : null,
      labels: new Uint8Array((labels as Int8Array).buffer),
      slices: rest.slice(0, extras.sliceColumns.length) as Int32Array[],
      highReach: rest.slice(extras.sliceColumns.length) as Int8Array[],
    });
  }
  const sliceValues: string[][] = [];
  for (const [k, column] of extras.sliceColumns.entries())
    sliceValues.push(
      (await conn.runAndReadAll(`WITH ${sliceValuesCte(k, column)} SELECT v FROM sv${k} ORDER BY code`))
        .getRowsJson()
        .map((row) => String(row[0])),
    );
  return { aligned, items, sliceValues };
}

/**
 * The result's columns per category as typed arrays, copied out of DuckDB's vectors a chunk at a time (counted first,
 * then filled: no growing); the row of category −1 holds the distinct item count. The label's validity bits are read
 * and cleared.
 */
function readColumns(
  result: DuckDBMaterializedResult,
  categories: number,
  width: number,
): { columnsOf: Column[][]; items: number; invalid: boolean; baseInvalid: boolean } {
  const chunks = Array.from({ length: result.chunkCount }, (_, c) => result.getChunk(c));
  const vectors = chunks.map((chunk) =>
    Array.from({ length: width + 1 }, (_, k) => (chunk.getColumnVector(k) as unknown as { items: Column }).items),
  );
  const sizes = new Array<number>(categories).fill(0);
  let items = 0;
  for (const [c, chunk] of chunks.entries()) {
    const index = vectors[c]![0] as Int32Array;
    for (let row = 0; row < chunk.rowCount; row++) {
      const category = index[row]!;
      if (category >= 0) sizes[category]!++;
      else items = (vectors[c]![1] as Float64Array)[row]!;
    }
  }
  const kinds = vectors[0]?.slice(1).map((items) => items.constructor as new (size: number) => Column) ?? [];
  const columnsOf = sizes.map((size) => kinds.map((Kind) => new Kind(size)));
  const at = new Array<number>(categories).fill(0);
  let flags = 0;
  for (const [c, chunk] of chunks.entries()) {
    const [index, ...values] = vectors[c]! as [Int32Array, ...Column[]];
    for (let row = 0; row < chunk.rowCount; row++) {
      const category = index[row]!;
      if (category < 0) continue;
      const into = columnsOf[category]!;
      const i = at[category]!++;
      for (let k = 0; k < values.length; k++) into[k]![i] = values[k]![row]!;
      const y = into[2]![i]!;
      flags |= y;
      into[2]![i] = y & 1;
    }
  }
  return {
    columnsOf,
    items,
    invalid: (flags & CANDIDATE_INVALID) !== 0,
    baseInvalid: (flags & BASELINE_INVALID) !== 0,
  };
}

/** False positives per code (a slice value, or 1 for high reach) among labelled negatives, for both versions. */
export function countFalsePositives(
  pairs: AlignedPairs,
  codes: Int32Array | Int8Array,
  escalate: { candidate: number; baseline: number },
): Map<number, FalsePositiveCounts> {
  const counts = new Map<number, FalsePositiveCounts>();
  for (let i = 0; i < codes.length; i++) {
    if (pairs.labels[i] !== 0 || codes[i]! < 0) continue;
    let entry = counts.get(codes[i]!);
    if (!entry) counts.set(codes[i]!, (entry = { negatives: 0, candidate: 0, baseline: 0 }));
    entry.negatives++;
    if (pairs.candidate[i]! >= escalate.candidate) entry.candidate++;
    if (pairs.baseline && pairs.baseline[i]! >= escalate.baseline) entry.baseline++;
  }
  return counts;
}

async function throwForBadBaseline(conn: DuckDBConnection, pairs: PairsQuery): Promise<never> {
  const row = (
    await conn.runAndReadAll(
      `WITH ${BASE_CTE} SELECT content_id, category, score FROM base WHERE score IS NULL OR NOT (score BETWEEN 0 AND 1) ORDER BY 2, 1 LIMIT 1`,
      // Only what BASE_CTE binds: DuckDB refuses a parameter the statement does not use.
      { other_model: pairs.params.other_model!, other_version: pairs.params.other_version! },
    )
  ).getRowsJson()[0];
  throw new SiftError({
    code: 'BAD_REQUEST',
    message: `model_scores: the baseline's content ${row?.[0]} (${row?.[1]}) has score ${row?.[2] ?? 'NULL'}, outside [0, 1].`,
  });
}

/** Each version's escalate threshold per category, as SQL over `category`, its parameters added to `params`. */
function escalateSql(
  pairs: PairsQuery,
  params: Record<string, string | number>,
  prefix: string,
  escalateAt: (category: string) => number,
): string {
  const cases = pairs.categories.map((category, i) => ((params[`${prefix}${i}`] = escalateAt(category)), i));
  return cases.length ? `CASE category ${cases.map((i) => `WHEN $k${i} THEN $${prefix}${i}`).join(' ')} END` : '2';
}

/**
 * The golden safe set's counts per category: its items (the query's content_ids) that both versions scored, labelled
 * or not (known safe: every one is a negative), and how many each version flags at its escalate threshold.
 */
export async function goldenCounts(
  conn: DuckDBConnection,
  pairs: PairsQuery,
  withBaseline: boolean,
  escalate: { candidate: (category: string) => number; baseline: (category: string) => number },
  golden: { query: string; field: string },
): Promise<Map<string, FalsePositiveCounts>> {
  const params = { ...pairs.params };
  const cAt = escalateSql(pairs, params, 'ce', escalate.candidate);
  const bAt = escalateSql(pairs, params, 'be', escalate.baseline);
  const described = await describeReadOnlyQuery(conn, golden.query, golden.field, 'content_id');
  if (!described.columns.includes('content_id'))
    throw new SiftError({ code: 'BAD_REQUEST', message: `${golden.field}: the query must return content_id.` });
  const rows = (
    await conn.runAndReadAll(
      `${pairs.withPairs}${withBaseline ? `, ${BASE_CTE}` : ''},
       golden AS (SELECT DISTINCT content_id::VARCHAR AS content_id FROM (${described.text})),
       j AS (SELECT x.category, x.score AS c, ${withBaseline ? 'b.score' : 'NULL::DOUBLE'} AS b FROM s x
             ${withBaseline ? 'JOIN base b ON b.content_id = x.content_id AND b.category = x.category' : ''}
             WHERE x.content_id IN (SELECT content_id FROM golden))
       SELECT category, count(*)::DOUBLE, count(*) FILTER (c >= ${cAt})::DOUBLE, count(*) FILTER (b >= ${bAt})::DOUBLE
       FROM j GROUP BY ALL`,
      params,
    )
  ).getRowsJson();
  return new Map(
    rows.map(([category, negatives, candidate, baseline]) => [
      String(category),
      { negatives: Number(negatives), candidate: Number(candidate), baseline: Number(baseline) },
    ]),
  );
}
