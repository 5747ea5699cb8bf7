/**
 * What a gate run reads: per category, the labelled items both versions scored, aligned item by item (the
 * candidate's score, the baseline's, the label) as typed arrays — one scan through the evaluation's pairs
 * (evaluation/pairsQuery.ts), joined to the baseline's scores — and, for the gates that need them, false positive
 * counts per slice value, on the golden safe set and on high-reach content, counted in DuckDB.
 */
import type { DuckDBConnection, DuckDBListValue, DuckDBStructValue, DuckDBVector } from '@duckdb/node-api';
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

/** The struct list's fields as typed arrays (copied out of the chunk), else read item by item. */
function listedFields(vector: DuckDBVector, row: number, names: string[]): Column[] {
  const list = vector as unknown as {
    childVector?: { entryVectors?: { items?: unknown }[] };
    getEntryOffset?: (row: number) => number;
    getEntryLength?: (row: number) => number;
  };
  const typed = names.map((_, k) => list.childVector?.entryVectors?.[k]?.items);
  const isTyped = (a: unknown): a is Column =>
    a instanceof Float64Array || a instanceof Int8Array || a instanceof Int32Array;
  if (typed.every(isTyped) && list.getEntryOffset && list.getEntryLength) {
    const offset = list.getEntryOffset(row);
    const end = offset + list.getEntryLength(row);
    return typed.map((array) => array.slice(offset, end));
  }
  const items = ((vector.getItem(row) as DuckDBListValue | null)?.items ?? []).map(
    (item) => (item as DuckDBStructValue).entries,
  );
  return names.map((name, k) =>
    k < 2 ? Float64Array.from(items, (e) => Number(e[name])) : Int32Array.from(items, (e) => Number(e[name])),
  );
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
    ...(withBaseline ? [BASE_CTE] : []),
    ...extras.sliceColumns.map((column, k) => sliceValuesCte(k, column)),
    ...extras.reachFractions.map(
      (fraction, k) => ((params[`reach${k}`] = fraction), `cut${k} AS (${highReachCutoffSql(`$reach${k}`)})`),
    ),
  ];
  const joins = [
    ...(withBaseline ? ['JOIN base b ON b.content_id = p.content_id AND b.category = p.category'] : []),
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
  const fields = [
    'c: coalesce(p.score, -1)::DOUBLE',
    `b: ${withBaseline ? 'coalesce(b.score, -1)' : '-1'}::DOUBLE`,
    'y: (CASE WHEN p.invalid THEN 0 ELSE p.label END)::TINYINT',
    ...extras.sliceColumns.map((_, k) => `s${k}: coalesce(sv${k}.code, -1)::INTEGER`),
    ...extras.reachFractions.map((_, k) => `r${k}: coalesce(k.views >= (SELECT cutoff FROM cut${k}), false)::TINYINT`),
  ];
  const names = fields.map((field) => field.split(':')[0]!);
  const result = await conn.run(
    `${pairs.withPairs}${ctes.map((cte) => `, ${cte}`).join('')},
     j AS MATERIALIZED (SELECT p.category_index, p.content_id, p.invalid,
       ${withBaseline ? '(b.score IS NULL OR NOT (b.score BETWEEN 0 AND 1))' : 'false'} AS base_invalid,
       {${fields.join(', ')}} AS item
       FROM pairs p ${joins.join(' ')})
     SELECT category_index, bool_or(invalid), bool_or(base_invalid), list(item), NULL::BIGINT FROM j GROUP BY ALL
     UNION ALL SELECT -1, false, false, NULL, count(DISTINCT content_id) FROM j`,
    params,
  );
  const parts = new Map<number, Column[][]>();
  let invalid = false;
  let baseInvalid = false;
  let items = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    for (let row = 0; row < chunk.rowCount; row++) {
      const index = Number(chunk.getColumnVector(0).getItem(row));
      if (index === -1) {
        items = Number(chunk.getColumnVector(4).getItem(row));
        continue;
      }
      invalid ||= chunk.getColumnVector(1).getItem(row) === true;
      baseInvalid ||= chunk.getColumnVector(2).getItem(row) === true;
      parts.set(index, [...(parts.get(index) ?? []), listedFields(chunk.getColumnVector(3), row, names)]);
    }
  }
  if (invalid) {
    // The evaluation's own pairs name the bad one; they bind no baseline parameters (DuckDB refuses an unused one).
    const { other_model: _model, other_version: _version, ...own } = pairs.params;
    await throwForBadPair(conn, { ...pairs, params: own });
  }
  if (baseInvalid) await throwForBadBaseline(conn, pairs);
  const aligned = new Map<string, AlignedPairs>();
  for (const [index, lists] of parts) {
    const joined = names.map((_, k) => concatenated(lists.map((list) => list[k]!)));
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

function concatenated(parts: Column[]): Column {
  const size = parts.reduce((sum, part) => sum + part.length, 0);
  const Kind = parts[0]!.constructor as new (size: number) => Column;
  const joined = new Kind(size);
  let at = 0;
  for (const part of parts) {
    joined.set(part as never, at);
    at += part.length;
  }
  return joined;
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
