/**
 * The scored, labelled pairs an evaluation reads, as SQL: which model version, which ground truth (the vote rule's
 * outcomes or the user's labels query), the pairs with and without their slice values, and the tied items left out.
 * `aggregatePairs` runs a scan over them in a READ ONLY transaction, with cancel.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EvaluationResult } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { voteOutcomeSql } from '../../../shared/labeling.js';
import { DEFAULT_CRITICAL } from '../../../shared/routing.js';
import { SLICE_DIMENSIONS } from '../../../shared/slices.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { isInterrupt, messageOf } from '../workspace/duckdbErrors.js';
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

/**
 * WITH clauses defining `labels` (content_id, category, label): the labels query's rows, else the vote rule's outcomes
 * without the ties (and `outcomes`, which keeps them). The robustness run reads its positives from the same.
 */
export async function labelCtes(conn: DuckDBConnection, labels: string | undefined): Promise<string> {
  return labels ? `labels AS (${await checkLabelsQuery(conn, labels)})` : DEFAULT_LABEL_CTES;
}

/** Which version to evaluate: the one asked for, else the registered one if it has scores, else the latest scored. */
export async function resolveVersion(
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

/** Refuses a version with no scores at all (a typo, most often), naming the field. */
export async function requireScores(
  conn: DuckDBConnection,
  model: string,
  version: string,
  field: string,
): Promise<void> {
  const found = await conn.runAndReadAll(
    'SELECT 1 FROM model_scores WHERE model = $model AND model_version = $version LIMIT 1',
    { model, version },
  );
  if (found.currentRowCount === 0)
    throw new SiftError({ code: 'NOT_FOUND', message: `${field}: ${model} ${version} has no scores in model_scores.` });
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
  const labelsWith = await labelCtes(conn, input.labels);
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
  const withPairs = (sliced: boolean) => `WITH ${labelsWith},
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
export async function throwForBadPair(conn: DuckDBConnection, pairs: PairsQuery): Promise<never> {
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

/** The scored items whose votes tie, left out of the pairs: how many, and how many per category. */
export async function tiedItems(
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
