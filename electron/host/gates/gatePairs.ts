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

/** One category's judged items, aligned: the baseline's scores are absent when no baseline is judged. */
export interface AlignedPairs {
  candidate: Float64Array;
  baseline: Float64Array | null;
  labels: Uint8Array;
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

/** The struct list's fields as typed arrays (views into the chunk: copied before it goes), else item by item. */
function listedFields(vector: DuckDBVector, row: number): [Float64Array, Float64Array, Int8Array] {
  const list = vector as unknown as {
    childVector?: { entryVectors?: { items?: unknown }[] };
    getEntryOffset?: (row: number) => number;
    getEntryLength?: (row: number) => number;
  };
  const [c, b, y] = [0, 1, 2].map((k) => list.childVector?.entryVectors?.[k]?.items);
  if (c instanceof Float64Array && b instanceof Float64Array && y instanceof Int8Array && list.getEntryOffset) {
    const offset = list.getEntryOffset(row);
    const end = offset + list.getEntryLength!(row);
    return [c.slice(offset, end), b.slice(offset, end), y.slice(offset, end)];
  }
  const items = ((vector.getItem(row) as DuckDBListValue | null)?.items ?? []).map(
    (item) => (item as DuckDBStructValue).entries,
  );
  return [
    Float64Array.from(items, (entry) => Number(entry.c)),
    Float64Array.from(items, (entry) => Number(entry.b)),
    Int8Array.from(items, (entry) => Number(entry.y)),
  ];
}

/**
 * Every category's aligned items. A label not 0/1 or a candidate score outside [0, 1] is named as the evaluation
 * names it; a baseline score outside [0, 1] likewise.
 */
export async function readAlignedPairs(
  conn: DuckDBConnection,
  pairs: PairsQuery,
  withBaseline: boolean,
): Promise<{ aligned: Map<string, AlignedPairs>; items: number }> {
  const result = await conn.run(
    `${pairs.withPairs}${withBaseline ? `, ${BASE_CTE}` : ''}
     SELECT p.category_index, bool_or(p.invalid), ${withBaseline ? 'bool_or(b.score IS NULL OR NOT (b.score BETWEEN 0 AND 1))' : 'false'},
       list({c: coalesce(p.score, -1)::DOUBLE, b: ${withBaseline ? 'coalesce(b.score, -1)' : '-1'}::DOUBLE,
             y: (CASE WHEN p.invalid THEN 0 ELSE p.label END)::TINYINT})
     FROM pairs p ${withBaseline ? 'JOIN base b ON b.content_id = p.content_id AND b.category = p.category' : ''}
     GROUP BY ALL`,
    pairs.params,
  );
  const parts = new Map<number, [Float64Array, Float64Array, Int8Array][]>();
  let invalid = false;
  let baseInvalid = false;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    for (let row = 0; row < chunk.rowCount; row++) {
      const index = Number(chunk.getColumnVector(0).getItem(row));
      invalid ||= chunk.getColumnVector(1).getItem(row) === true;
      baseInvalid ||= chunk.getColumnVector(2).getItem(row) === true;
      parts.set(index, [...(parts.get(index) ?? []), listedFields(chunk.getColumnVector(3), row)]);
    }
  }
  if (invalid) await throwForBadPair(conn, pairs);
  if (baseInvalid) await throwForBadBaseline(conn, pairs);
  const aligned = new Map<string, AlignedPairs>();
  for (const [index, lists] of parts) {
    const size = lists.reduce((sum, [c]) => sum + c.length, 0);
    const joined: AlignedPairs = {
      candidate: new Float64Array(size),
      baseline: withBaseline ? new Float64Array(size) : null,
      labels: new Uint8Array(size),
    };
    let at = 0;
    for (const [c, b, y] of lists) {
      joined.candidate.set(c, at);
      joined.baseline?.set(b, at);
      joined.labels.set(y, at);
      at += c.length;
    }
    if (size > 0) aligned.set(pairs.categories[index]!, joined);
  }
  const items = (
    await conn.runAndReadAll(
      `${pairs.withPairs}${withBaseline ? `, ${BASE_CTE}` : ''} SELECT count(DISTINCT p.content_id) FROM pairs p
       ${withBaseline ? 'JOIN base b ON b.content_id = p.content_id AND b.category = p.category' : ''}`,
      pairs.params,
    )
  ).getRowsJson()[0]?.[0];
  return { aligned, items: Number(items ?? 0) };
}

async function throwForBadBaseline(conn: DuckDBConnection, pairs: PairsQuery): Promise<never> {
  const row = (
    await conn.runAndReadAll(
      `WITH ${BASE_CTE} SELECT content_id, category, score FROM base WHERE score IS NULL OR NOT (score BETWEEN 0 AND 1) ORDER BY 2, 1 LIMIT 1`,
      pairs.params,
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

/** What an FPR gate counts over; `field` names the gate in errors (categories.spam.slice). */
export type FprScope =
  | { kind: 'slice'; by: string; field: string }
  | { kind: 'golden'; query: string; field: string }
  | { kind: 'high_reach'; topFraction: number; field: string };

/**
 * False positives of both versions at their escalate thresholds, per category (and per slice value for a slice):
 * among labelled negatives both scored (slice, high reach), or among the golden set's items both scored (known safe,
 * labelled or not).
 */
export async function falsePositiveCounts(
  conn: DuckDBConnection,
  pairs: PairsQuery,
  withBaseline: boolean,
  escalate: { candidate: (category: string) => number; baseline: (category: string) => number },
  scope: FprScope,
): Promise<Map<string, Map<string | null, FalsePositiveCounts>>> {
  const params = { ...pairs.params };
  const cAt = escalateSql(pairs, params, 'ce', escalate.candidate);
  const bAt = escalateSql(pairs, params, 'be', escalate.baseline);
  const baseJoin = withBaseline ? 'JOIN base b ON b.content_id = x.content_id AND b.category = x.category' : '';
  const both = (from: string, label: string) =>
    `SELECT x.category, x.content_id, x.score AS c, ${withBaseline ? 'b.score' : 'NULL::DOUBLE'} AS b, ${label} AS label FROM ${from} x ${baseJoin}`;
  let ctes: string;
  let value = 'NULL';
  let from = 'j';
  if (scope.kind === 'golden') {
    const golden = await describeReadOnlyQuery(conn, scope.query, scope.field, 'content_id');
    if (!golden.columns.includes('content_id'))
      throw new SiftError({ code: 'BAD_REQUEST', message: `${scope.field}: the query must return content_id.` });
    ctes = `golden AS (SELECT DISTINCT content_id::VARCHAR AS content_id FROM (${golden.text})),
      j AS (${both('s', '0')} WHERE x.content_id IN (SELECT content_id FROM golden))`;
  } else {
    if (!(await relationKind(conn, 'content')))
      throw new SiftError({ code: 'NOT_FOUND', message: 'There is no content table to find slices or reach in.' });
    const column = scope.kind === 'slice' ? scope.by : 'views_24h';
    const has = (
      await conn.runAndReadAll(`SELECT count(*) FROM (DESCRIBE content) WHERE column_name = $column`, { column })
    ).getRowsJson()[0]?.[0];
    if (Number(has) === 0)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${scope.field}: the content table has no ${column} column.`,
      });
    ctes = `j AS (${both('pairs', 'x.label')}),
      k AS (SELECT content_id::VARCHAR AS content_id, any_value("${column}") AS v FROM content GROUP BY 1)`;
    if (scope.kind === 'slice') {
      value = 'k.v::VARCHAR';
      from = 'j JOIN k USING (content_id)';
    } else {
      // High reach as the release metrics define it (shared/releaseMetrics.ts), once.
      params.top_fraction = scope.topFraction;
      ctes += `, cut AS (${highReachCutoffSql('$top_fraction')})`;
      from = 'j JOIN k USING (content_id) WHERE k.v >= (SELECT cutoff FROM cut)';
    }
  }
  const result = await conn.runAndReadAll(
    `${pairs.withPairs}${withBaseline ? `, ${BASE_CTE}` : ''}, ${ctes}
     SELECT category, ${value} AS value, count(*) FILTER (label = 0)::DOUBLE,
       count(*) FILTER (label = 0 AND c >= ${cAt})::DOUBLE, count(*) FILTER (label = 0 AND b >= ${bAt})::DOUBLE
     FROM ${from} GROUP BY ALL`,
    params,
  );
  const rows = result.getRowsJson();
  const counts = new Map<string, Map<string | null, FalsePositiveCounts>>();
  for (const [category, value, negatives, candidate, baseline] of rows) {
    const byValue = counts.get(String(category)) ?? new Map<string | null, FalsePositiveCounts>();
    counts.set(String(category), byValue);
    if (scope.kind === 'slice' && value === null) continue; // no value: in no slice
    byValue.set(value === null ? null : String(value), {
      negatives: Number(negatives),
      candidate: Number(candidate),
      baseline: Number(baseline),
    });
  }
  return counts;
}
