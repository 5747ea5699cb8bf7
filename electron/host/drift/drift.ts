/**
 * Score drift of a model version (shared/drift.ts): a period or version against a reference, each week against the
 * week before, and — for the release gate's max_psi — a candidate against its baseline on the items both scored.
 * Periods are of `scored_at` (when the version scored the item); one score per item and category (the largest, as
 * the evaluation reads them).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DriftComparison, DriftSide, WeeklyDrift } from '../../../shared/contract.js';
import type { CategoryDrift } from '../../../shared/drift.js';
import { SiftError } from '../../../shared/errors.js';
import { requireScores, resolveVersion } from '../evaluation/pairsQuery.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { readOnly, relationKind } from '../query/readOnlyQuery.js';
import { isInterrupt, messageOf } from '../workspace/duckdbErrors.js';
import type { Workspace } from '../workspace/workspace.js';
import { driftOfGroups, pairKey } from './driftGroups.js';

export const DEFAULT_DRIFT_WEEKS = 26;

/** A date-time as the naive UTC timestamp the tables hold (a date alone is its UTC midnight). */
const utc = (time: string) => new Date(time).toISOString().replace('T', ' ').replace('Z', '');

/** One version's scores (in a period), one per item and category: `content_id, category, score, scored_at`. */
function scoresSql(side: { version: string; from?: string | null; to?: string | null }, prefix: string) {
  const params: Record<string, string> = { [`${prefix}_version`]: side.version };
  const where = [`model = $model`, `model_version = $${prefix}_version`, `score IS NOT NULL`];
  if (side.from) {
    where.push(`scored_at::TIMESTAMP >= $${prefix}_from::TIMESTAMP`);
    params[`${prefix}_from`] = utc(side.from);
  }
  if (side.to) {
    where.push(`scored_at::TIMESTAMP < $${prefix}_to::TIMESTAMP`);
    params[`${prefix}_to`] = utc(side.to);
  }
  return {
    sql: `SELECT content_id::VARCHAR AS content_id, category, max(score) AS score, min(scored_at)::TIMESTAMP AS scored_at
          FROM model_scores WHERE ${where.join(' AND ')} GROUP BY content_id, category`,
    params,
  };
}

/** Runs `work` in a READ ONLY transaction, with cancel, with errors named for the user. */
async function readScores<T>(
  workspace: Workspace,
  ctx: { signal: AbortSignal } | undefined,
  work: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  return workspace.withConnection(async (conn) => {
    const onAbort = () => conn.interrupt();
    ctx?.signal.addEventListener('abort', onAbort);
    try {
      return await readOnly(conn, async () => {
        if ((await relationKind(conn, 'model_scores')) === null)
          throw new SiftError({
            code: 'NOT_FOUND',
            message: 'There is no model_scores table: score some content first.',
          });
        return await work(conn);
      });
    } catch (error) {
      if (ctx?.signal.aborted || isInterrupt(error))
        throw new SiftError({ code: 'CANCELLED', message: 'Drift cancelled.' });
      if (error instanceof SiftError) throw error;
      throw new SiftError({ code: 'SQL_ERROR', message: `Reading scores for drift failed: ${messageOf(error)}` });
    } finally {
      ctx?.signal.removeEventListener('abort', onAbort);
    }
  });
}

/** A version (or period) against a reference version (or period of the same version). */
export async function compareDrift(
  workspace: Workspace,
  registry: ModelRegistry,
  input: {
    model: string;
    version?: string;
    from?: string;
    to?: string;
    reference: { version?: string; from?: string; to?: string };
    sameItems?: boolean;
  },
  ctx?: JobContext,
): Promise<DriftComparison> {
  return readScores(workspace, ctx, async (conn) => {
    const version = await resolveVersion(conn, registry, input.model, input.version);
    const current: DriftSide = { version, from: input.from ?? null, to: input.to ?? null };
    const ref = input.reference;
    const reference: DriftSide = { version: ref.version ?? version, from: ref.from ?? null, to: ref.to ?? null };
    if (reference.version === version && !ref.from && !ref.to)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: 'reference: give another version, or a period (from, to) of the same version.',
      });
    await requireScores(conn, input.model, version, 'version');
    await requireScores(conn, input.model, reference.version, 'reference');
    if (input.sameItems && (reference.version === version || input.from || input.to || ref.from || ref.to))
      throw new SiftError({
        code: 'BAD_REQUEST',
        message:
          'sameItems: compares two versions on every item both scored; give another reference version and no period.',
      });
    ctx?.progress(null, 'Counting scores in reference deciles');
    if (input.sameItems)
      return {
        model: input.model,
        current,
        reference,
        sameItems: true,
        categories: await candidateDrift(conn, { model: input.model, candidate: version, baseline: reference.version }),
      };
    const cur = scoresSql(current, 'cur');
    const refScores = scoresSql(reference, 'ref');
    const drift = await driftOfGroups(
      conn,
      {
        withScored: `WITH cur AS (${cur.sql}), ref AS (${refScores.sql}),
          scored AS (SELECT category, 'current' AS grp, score FROM cur UNION ALL SELECT category, 'reference', score FROM ref)`,
        params: { model: input.model, ...cur.params, ...refScores.params },
      },
      [{ current: 'current', reference: 'reference' }],
    );
    return {
      model: input.model,
      current,
      reference,
      sameItems: false,
      categories: drift.get(pairKey({ current: 'current', reference: 'reference' }))!,
    };
  });
}

/** The Monday before an ISO date (YYYY-MM-DD), 7 days back. */
const weekBefore = (week: string) =>
  new Date(Date.parse(`${week}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);

/** Each of the last `weeks` weeks (by scored_at, Monday to Monday, UTC) against the calendar week before it. */
export async function weeklyDrift(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; version?: string; weeks?: number },
  ctx?: JobContext,
): Promise<WeeklyDrift> {
  return readScores(workspace, ctx, async (conn) => {
    const version = await resolveVersion(conn, registry, input.model, input.version);
    const scores = scoresSql({ version }, 'v');
    const params = { model: input.model, ...scores.params };
    const weekOf = `strftime(date_trunc('week', scored_at), '%Y-%m-%d')`;
    const weeks = (
      await conn.runAndReadAll(
        `WITH s AS (${scores.sql}) SELECT DISTINCT ${weekOf} AS week FROM s WHERE scored_at IS NOT NULL ORDER BY 1 DESC LIMIT ${input.weeks ?? DEFAULT_DRIFT_WEEKS}`,
        params,
      )
    )
      .getRowsJson()
      .map((row) => String(row[0]))
      .reverse();
    ctx?.progress(null, `Counting ${weeks.length} weeks of scores in the deciles of the week before`);
    const pairs = weeks.map((week) => ({ current: week, reference: weekBefore(week) }));
    const drift = await driftOfGroups(
      conn,
      {
        withScored: `WITH s AS (${scores.sql}),
          scored AS (SELECT category, ${weekOf} AS grp, score FROM s WHERE scored_at IS NOT NULL)`,
        params,
      },
      pairs,
    );
    const byCategory = new Map<string, WeeklyDrift['categories'][number]['points']>();
    for (const pair of pairs)
      for (const figures of drift.get(pairKey(pair))!) {
        const points = byCategory.get(figures.category) ?? [];
        points.push({ week: pair.current, n: figures.current.n, above: figures.current.above, psi: figures.psi });
        byCategory.set(figures.category, points);
      }
    return {
      model: input.model,
      version,
      weeks,
      categories: [...byCategory.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([category, points]) => ({ category, points })),
    };
  });
}

/**
 * Two versions on the same items: the candidate's scores against the baseline's (the reference, whose deciles bound
 * the bins), per category, on every item both scored — narrowed to `items` (a query returning content_id, category)
 * when given. What the max_psi gate judges on its labelled items (electron/host/gates/judge.ts, on arrays already
 * read), over every common item. Runs on the caller's connection, inside its transaction.
 */
export async function candidateDrift(
  conn: DuckDBConnection,
  input: {
    model: string;
    candidate: string;
    baseline: string;
    items?: { sql: string; params?: Record<string, string | number> };
  },
): Promise<CategoryDrift[]> {
  const candidate = scoresSql({ version: input.candidate }, 'cand');
  const baseline = scoresSql({ version: input.baseline }, 'base');
  const narrowed = input.items
    ? `SEMI JOIN (${input.items.sql}) i ON i.content_id::VARCHAR = c.content_id AND i.category = c.category`
    : '';
  const drift = await driftOfGroups(
    conn,
    {
      // One join pairs the two versions' scores of each item both scored; each side is then a column of it.
      withScored: `WITH cand AS (${candidate.sql}), base AS (${baseline.sql}),
        paired AS MATERIALIZED (
          SELECT c.category, c.score AS candidate, b.score AS baseline
          FROM cand c JOIN base b ON b.content_id = c.content_id AND b.category = c.category ${narrowed}),
        scored AS (
          SELECT category, 'candidate' AS grp, candidate AS score FROM paired
          UNION ALL SELECT category, 'baseline' AS grp, baseline AS score FROM paired)`,
      params: { model: input.model, ...candidate.params, ...baseline.params, ...input.items?.params },
    },
    [{ current: 'candidate', reference: 'baseline' }],
  );
  return drift.get(pairKey({ current: 'candidate', reference: 'baseline' }))!;
}
