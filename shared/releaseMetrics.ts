/**
 * The trust-and-safety release metrics, defined once (docs/release-gates.md, "Metrics"): overturn rate, time to
 * removal, review queue depth, false-positive rates at the escalate threshold (high-reach content, per slice) and
 * appeals. Each is stated twice here on purpose — as SQL over the canonical tables, which the host, the report library
 * and the gates run, and as a plain function over rows, which the golden tests hold the SQL to.
 */
import { rateOf, type Rate } from './slices.js';

/** What a model does that flags an item: its removals and escalations. */
export const MODEL_FLAGS = ['remove', 'escalate'] as const;
/** What a person does that reverses a model's flag: passes the item, or restores it. */
export const REVERSALS = ['pass', 'restore'] as const;
/** A human action that is not a decision: the item goes on waiting (for a more senior reviewer). */
export const NOT_A_DECISION = 'escalate';
/** High reach, unless asked otherwise: the top 1% of content by views_24h. */
export const DEFAULT_HIGH_REACH_FRACTION = 0.01;
export const QUEUE_BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;
export type QueueBucket = keyof typeof QUEUE_BUCKETS;
export const APPEAL_OUTCOMES = ['upheld', 'overturned'] as const;

const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

// ——— SQL over the canonical tables (moderation_actions, reports, content, appeals) ———

/**
 * One row per item a model removed or escalated: its first such action's time, category and model version, and
 * whether a person later (strictly after that first flag) passed or restored it. `version`: a SQL expression the
 * model actions' model_version must equal (a bound parameter), or none for every version.
 */
export const overturnItemsSql = (version?: string) => `
  WITH flagged AS (
    SELECT content_id, min(created_at) AS flagged_at, arg_min(category, created_at) AS category,
           arg_min(model_version, created_at) AS model_version
    FROM moderation_actions
    WHERE actor_type = 'model' AND action IN (${list(MODEL_FLAGS)}) AND content_id IS NOT NULL${version ? ` AND model_version = ${version}` : ''}
    GROUP BY content_id)
  SELECT f.content_id, f.model_version, f.category, f.flagged_at,
         EXISTS (SELECT 1 FROM moderation_actions h
                 WHERE h.content_id = f.content_id AND h.actor_type = 'human'
                   AND h.action IN (${list(REVERSALS)}) AND h.created_at > f.flagged_at) AS reversed
  FROM flagged f`;

/**
 * One row per removed item whose removal had a signal before it: from the earlier of its first report and its first
 * model flag to its first remove (any actor), in seconds. An item removed before any report or flag (a person's
 * proactive removal) has no time to removal and no row. `withReports`: false when the workspace has no reports table.
 */
export const removalDelaysSql = (withReports = true) => `
  WITH first_report AS (${
    withReports
      ? 'SELECT content_id, min(created_at) AS at FROM reports WHERE content_id IS NOT NULL GROUP BY content_id'
      : 'SELECT NULL AS content_id, NULL::TIMESTAMP AS at WHERE false'
  }),
  first_flag AS (
    SELECT content_id, min(created_at) AS at FROM moderation_actions
    WHERE actor_type = 'model' AND action IN (${list(MODEL_FLAGS)}) AND content_id IS NOT NULL GROUP BY content_id),
  first_remove AS (
    SELECT content_id, min(created_at) AS at, arg_min(category, created_at) AS category FROM moderation_actions
    WHERE action = 'remove' AND content_id IS NOT NULL GROUP BY content_id),
  timed AS (
    SELECT r.content_id, r.category, least(fr.at, ff.at) AS started_at, r.at AS removed_at
    FROM first_remove r LEFT JOIN first_report fr ON fr.content_id = r.content_id
    LEFT JOIN first_flag ff ON ff.content_id = r.content_id)
  SELECT content_id, category, started_at, removed_at,
         date_diff('millisecond', started_at, removed_at) / 1000.0 AS seconds
  FROM timed WHERE started_at IS NOT NULL AND started_at <= removed_at`;

/** The removals' count and their delays' p50 and p95 (linear interpolation, as numpy's default percentile). */
export const timeToRemovalSql = (withReports = true) => `
  SELECT count(*) AS removals, quantile_cont(seconds, 0.5) AS p50_seconds, quantile_cont(seconds, 0.95) AS p95_seconds
  FROM (${removalDelaysSql(withReports)})`;

/**
 * One row per item that was ever escalated (by a model or a person): when it first was, and when a person first
 * decided it at or after that (any human action but a further escalation); decided_at is NULL while it waits.
 */
export const queueItemsSql = () => `
  WITH entered AS (
    SELECT content_id, min(created_at) AS entered_at FROM moderation_actions
    WHERE action = 'escalate' AND content_id IS NOT NULL GROUP BY content_id)
  SELECT e.content_id, e.entered_at,
         (SELECT min(h.created_at) FROM moderation_actions h
          WHERE h.content_id = e.content_id AND h.actor_type = 'human' AND h.action <> '${NOT_A_DECISION}'
            AND h.created_at >= e.entered_at) AS decided_at
  FROM entered e`;

/**
 * Queue depth at the end of each bucket (hour or day), from the first bucket anything entered to the last bucket
 * anything entered or left: the items entered before the instant `ends_at` and not decided before it.
 */
export const queueDepthSql = (bucket: QueueBucket) => `
  WITH queue AS (${queueItemsSql()}),
  moves AS (
    SELECT date_trunc('${bucket}', entered_at) AS bucket, 1 AS delta FROM queue
    UNION ALL SELECT date_trunc('${bucket}', decided_at), -1 FROM queue WHERE decided_at IS NOT NULL),
  span AS (SELECT min(bucket) AS first_bucket, max(bucket) AS last_bucket FROM moves),
  buckets AS (SELECT unnest(generate_series(first_bucket, last_bucket, INTERVAL 1 ${bucket})) AS bucket FROM span)
  SELECT b.bucket + INTERVAL 1 ${bucket} AS ends_at,
         (sum(coalesce(sum(m.delta), 0)) OVER (ORDER BY b.bucket))::BIGINT AS depth
  FROM buckets b LEFT JOIN moves m ON m.bucket = b.bucket
  GROUP BY b.bucket ORDER BY b.bucket`;

/**
 * The fewest views_24h a high-reach item has: the smallest value such that fewer than `fraction` × n items have
 * strictly more views (ties at the edge enter together; items without views_24h are not counted). NULL when no item
 * qualifies. `fraction`: a SQL expression (a bound parameter).
 */
export const highReachCutoffSql = (fraction: string) => `
  SELECT min(views_24h) AS cutoff FROM (
    SELECT views_24h, rank() OVER (ORDER BY views_24h DESC) - 1 AS more_viewed, count(*) OVER () AS total
    FROM content WHERE views_24h IS NOT NULL)
  WHERE more_viewed < ${fraction} * total`;

/** A SQL string literal (category names are data, never spliced raw). */
const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Each category's threshold (`key`) as a CASE over a `category` column; categories not listed get `fallback`. */
export function thresholdByCategorySql(
  thresholds: Record<string, { remove: number; escalate: number }>,
  key: 'remove' | 'escalate',
  fallback: number,
): string {
  const entries = Object.entries(thresholds).filter(([, t]) => Number.isFinite(t[key]));
  if (!Number.isFinite(fallback)) throw new Error('thresholdByCategorySql: the fallback threshold is not a number');
  if (entries.length === 0) return String(fallback);
  return `CASE category ${entries.map(([c, t]) => `WHEN ${sqlString(c)} THEN ${t[key]}`).join(' ')} ELSE ${fallback} END`;
}

/**
 * Per category (and per value of `by`, when given): the negatives and the false positives among them at `threshold`
 * (a SQL expression, per row — the version's own escalate threshold, from thresholdByCategorySql). `pairs` is a
 * relation with category, score and label (0/1) columns (and the `by` expression's columns).
 */
export const falsePositiveCountsSql = (pairs: string, threshold: string, by?: string) => `
  SELECT category${by ? `, (${by})::VARCHAR AS slice` : ''},
         count(*) FILTER (WHERE label = 0) AS negatives,
         count(*) FILTER (WHERE label = 0 AND score >= ${threshold}) AS false_positives
  FROM ${pairs} GROUP BY ALL ORDER BY ALL`;

/**
 * Appeals: how many, how many decided (an outcome and a decided_at), how many of those overturned, and the items
 * removed (any actor) that an appeal could have been about, with how many of them were appealed.
 */
export const appealCountsSql = () => `
  SELECT (SELECT count(*) FROM appeals) AS appeals,
         (SELECT count(*) FROM appeals WHERE decided_at IS NOT NULL AND outcome IN (${list(APPEAL_OUTCOMES)})) AS decided,
         (SELECT count(*) FROM appeals WHERE decided_at IS NOT NULL AND outcome = 'overturned') AS overturned,
         (SELECT count(DISTINCT content_id) FROM moderation_actions WHERE action = 'remove') AS removed_items,
         (SELECT count(DISTINCT a.content_id) FROM appeals a
          WHERE a.content_id IN (SELECT content_id FROM moderation_actions WHERE action = 'remove')) AS appealed_items`;

export interface Overturns {
  /** Items the model (this version) removed or escalated. */
  flagged: number;
  /** Of those, items a person later passed or restored. */
  reversed: number;
  rate: Rate;
}

export interface TimeToRemoval {
  removals: number;
  p50Seconds: number | null;
  p95Seconds: number | null;
}

export interface AppealMetrics {
  appeals: number;
  decided: number;
  overturned: number;
  /** Removed items that were appealed, of all removed items. */
  appealRate: Rate;
  /** Decided appeals that overturned the action, of all decided appeals. */
  overturnedShare: Rate;
}

/** The figures from appealCountsSql's counts. */
export function appealMetrics(counts: {
  appeals: number;
  decided: number;
  overturned: number;
  removedItems: number;
  appealedItems: number;
}): AppealMetrics {
  return {
    appeals: counts.appeals,
    decided: counts.decided,
    overturned: counts.overturned,
    appealRate: rateOf(counts.appealedItems, counts.removedItems),
    overturnedShare: rateOf(counts.overturned, counts.decided),
  };
}
