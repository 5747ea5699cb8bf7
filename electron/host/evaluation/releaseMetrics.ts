/**
 * The trust-and-safety release metrics of one model version, read from the workspace with the one set of definitions
 * (shared/releaseMetrics.ts): overturn rate, time to removal, queue depth over time, high-reach FPR and appeals. A
 * metric whose table or columns the workspace lacks is null, not an error: a workspace with scores and labels but no
 * moderation log still gets its high-reach FPR.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ReleaseMetrics } from '../../../shared/contract.js';
import {
  appealCountsSql,
  appealMetrics,
  falsePositiveCountsSql,
  highReachCutoffSql,
  overturnItemsSql,
  queueDepthSql,
  type QueueBucket,
  thresholdByCategorySql,
  timeToRemovalSql,
} from '../../../shared/releaseMetrics.js';
import { DEFAULT_THRESHOLDS } from '../../../shared/routing.js';
import { rateOf } from '../../../shared/slices.js';
import type { ModelRegistry } from '../models/registry.js';
import { type Columns, hasColumns, relationColumns } from '../workspace/relationColumns.js';
import type { Workspace } from '../workspace/workspace.js';
import { aggregatePairs, type PairsQuery, thresholdsFor } from './pairsQuery.js';

type Thresholds = Record<string, { remove: number; escalate: number }>;

export interface ReleaseMetricsInput {
  model: string;
  version?: string;
  labels?: string;
  thresholds?: Thresholds;
  highReachFraction: number;
  bucket: QueueBucket;
}

const READS = ['moderation_actions', 'reports', 'content', 'appeals'];
/** The moderation log's columns every metric over it reads. */
const ACTION_COLUMNS = ['content_id', 'actor_type', 'action', 'created_at'];

export async function releaseMetrics(
  workspace: Workspace,
  registry: ModelRegistry,
  input: ReleaseMetricsInput,
): Promise<ReleaseMetrics> {
  const { thresholds } = thresholdsFor(registry, input.model);
  const inForce: Thresholds = { ...thresholds, ...input.thresholds };
  const { version, value } = await aggregatePairs(
    workspace,
    registry,
    input,
    undefined,
    'Release metrics cancelled.',
    async (conn, pairs) => {
      const columns = await relationColumns(conn, READS);
      const actions = hasColumns(columns, 'moderation_actions', ...ACTION_COLUMNS);
      return {
        overturn:
          actions && hasColumns(columns, 'moderation_actions', 'model_version')
            ? await overturn(conn, pairs.version)
            : null,
        timeToRemoval: actions ? await removal(conn, hasColumns(columns, 'reports', 'content_id', 'created_at')) : null,
        queueDepth: actions ? await queue(conn, input.bucket) : null,
        highReach: hasColumns(columns, 'content', 'content_id', 'views_24h')
          ? await highReach(conn, pairs, inForce, input.highReachFraction)
          : null,
        appeals: appealsReadable(columns) ? await appeals(conn) : null,
      };
    },
  );
  return { model: input.model, version, ...value };
}

const rowsOf = async (conn: DuckDBConnection, sql: string, params?: Record<string, string | number>) =>
  (await conn.runAndReadAll(sql, params)).getRowObjectsJson();

async function overturn(conn: DuckDBConnection, version: string): Promise<ReleaseMetrics['overturn']> {
  const [row] = await rowsOf(
    conn,
    `SELECT count(*) AS flagged, count(*) FILTER (WHERE reversed) AS reversed FROM (${overturnItemsSql('$version')})`,
    { version },
  );
  const flagged = Number(row?.flagged ?? 0);
  const reversed = Number(row?.reversed ?? 0);
  return { flagged, reversed, rate: rateOf(reversed, flagged) };
}

async function removal(conn: DuckDBConnection, withReports: boolean): Promise<ReleaseMetrics['timeToRemoval']> {
  const [row] = await rowsOf(conn, timeToRemovalSql(withReports));
  const seconds = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    removals: Number(row?.removals ?? 0),
    p50Seconds: seconds(row?.p50_seconds),
    p95Seconds: seconds(row?.p95_seconds),
  };
}

async function queue(conn: DuckDBConnection, bucket: QueueBucket): Promise<ReleaseMetrics['queueDepth']> {
  const points = (
    await rowsOf(conn, `SELECT strftime(ends_at, '%Y-%m-%d %H:%M:%S') AS at, depth FROM (${queueDepthSql(bucket)})`)
  ).map((row) => ({ at: String(row.at), depth: Number(row.depth) }));
  return {
    bucket,
    points,
    peak: points.reduce((peak, point) => Math.max(peak, point.depth), 0),
    last: points.at(-1)?.depth ?? 0,
  };
}

async function highReach(
  conn: DuckDBConnection,
  pairs: PairsQuery,
  thresholds: Thresholds,
  fraction: number,
): Promise<ReleaseMetrics['highReach']> {
  const [row] = await rowsOf(conn, highReachCutoffSql('$fraction'), { fraction });
  const cutoff = row?.cutoff === null || row?.cutoff === undefined ? null : Number(row.cutoff);
  const escalateOf = (category: string) => (thresholds[category] ?? DEFAULT_THRESHOLDS).escalate;
  const counts = new Map<string, { negatives: number; falsePositives: number }>();
  if (cutoff !== null) {
    const highReachPairs = `(SELECT p.category, p.score, p.label FROM pairs p
      JOIN content c ON c.content_id::VARCHAR = p.content_id WHERE NOT p.invalid AND c.views_24h >= $cutoff)`;
    const threshold = thresholdByCategorySql(thresholds, 'escalate', DEFAULT_THRESHOLDS.escalate);
    for (const counted of await rowsOf(
      conn,
      `${pairs.withPairs} SELECT * FROM (${falsePositiveCountsSql(highReachPairs, threshold)})`,
      { ...pairs.params, cutoff },
    ))
      counts.set(String(counted.category), {
        negatives: Number(counted.negatives),
        falsePositives: Number(counted.false_positives),
      });
  }
  return {
    fraction,
    cutoff,
    categories: pairs.categories.map((category) => {
      const counted = counts.get(category) ?? { negatives: 0, falsePositives: 0 };
      return { category, escalate: escalateOf(category), fpr: rateOf(counted.falsePositives, counted.negatives) };
    }),
  };
}

const appealsReadable = (columns: Columns) =>
  hasColumns(columns, 'appeals', 'content_id', 'decided_at', 'outcome') &&
  hasColumns(columns, 'moderation_actions', 'content_id', 'action');

async function appeals(conn: DuckDBConnection): Promise<ReleaseMetrics['appeals']> {
  const [row] = await rowsOf(conn, appealCountsSql());
  const n = (key: string) => Number(row?.[key] ?? 0);
  return appealMetrics({
    appeals: n('appeals'),
    decided: n('decided'),
    overturned: n('overturned'),
    removedItems: n('removed_items'),
    appealedItems: n('appealed_items'),
  });
}
