/**
 * A monitor's series, read from the workspace's canonical tables the way `sift spike` reads them (one GROUP BY
 * in DuckDB: rows per bucket and series, and for the auto-action rate the model's share of them), then judged
 * with the one baseline of shared/spikeStats.ts, as `sift spike` judges them (a share or a rate as a share of its
 * total).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MonitorInfo } from '../../../shared/contract.js';
import { SPIKE_SOURCE_TABLES } from '../../../shared/canonical.js';
import { SiftError } from '../../../shared/errors.js';
import { BUCKET_MS, type MonitorBucket, type MonitorSource } from '../../../shared/monitors.js';
import { judgeRule, judgeSeries } from '../../../shared/spikeStats.js';

const BUCKET_SQL: Record<MonitorBucket, string> = {
  '15min': "INTERVAL '15 minutes'",
  hour: "INTERVAL '1 hour'",
  day: "INTERVAL '1 day'",
};
const SOURCE_TABLE: Record<MonitorSource, string> = { ...SPIKE_SOURCE_TABLES, content: 'content' };

/** Each dimension's SQL over the source (`r`) and, where needed, the content it is about (`c`). */
const DIMENSION_SQL: Record<MonitorSource, Record<string, string>> = {
  reports: { reason: 'r.reason', surface: 'c.surface', language: 'c.language', total: "'all'" },
  actions: {
    category: 'r.category',
    action: 'r.action',
    surface: 'c.surface',
    language: 'c.language',
    total: "'all'",
  },
  content: { language: 'r.language', content_type: 'r.content_type', surface: 'r.surface', total: "'all'" },
};

export interface SeriesData {
  /** Bucket starts (epoch ms), consecutive, from the first bucket with data to the last. */
  buckets: number[];
  /** Rows per bucket over every series: what tells a check which buckets new data touched. */
  rowsPerBucket: number[];
  series: { name: string; numerator: number[]; denominator: number[] }[];
}

async function presentTables(conn: DuckDBConnection): Promise<Set<string>> {
  const reader = await conn.runAndReadAll(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`,
  );
  return new Set(reader.getRowsJson().map((row) => String(row[0])));
}

/** Reads the monitor's source, bucketed; an empty result when the source has no rows with a time. */
export async function readSeries(conn: DuckDBConnection, monitor: MonitorInfo): Promise<SeriesData> {
  const table = SOURCE_TABLE[monitor.source];
  const dimension = DIMENSION_SQL[monitor.source][monitor.by];
  if (!dimension)
    throw new SiftError({ code: 'BAD_REQUEST', message: `by: ${monitor.by} is not a dimension of ${monitor.source}.` });
  const needsContent = monitor.source !== 'content' && dimension.startsWith('c.');
  const needed = needsContent ? [table, 'content'] : [table];
  const present = await presentTables(conn);
  const missing = needed.filter((name) => !present.has(name));
  if (missing.length > 0)
    throw new SiftError({
      code: 'NOT_FOUND',
      message: `Monitor ${monitor.name} reads the canonical table(s) ${missing.join(', ')}: import your logs and map them onto those names.`,
    });
  const numerator =
    monitor.measure === 'auto_rate' ? `count(*) FILTER (WHERE r.actor_type::VARCHAR = 'model')` : 'count(*)';
  const reader = await conn.runAndReadAll(`
    SELECT epoch_ms(time_bucket(${BUCKET_SQL[monitor.bucket]}, r.created_at::TIMESTAMP)) AS bucket,
           coalesce(${dimension}::VARCHAR, '(none)') AS series, ${numerator} AS part, count(*) AS n
    FROM ${table} r${needsContent ? ' JOIN content c USING (content_id)' : ''}
    WHERE r.created_at IS NOT NULL
    GROUP BY ALL`);
  const rows = reader.getRowsJson().map(([bucket, series, part, n]) => ({
    time: Number(bucket),
    series: String(series),
    part: Number(part),
    n: Number(n),
  }));
  if (rows.length === 0) return { buckets: [], rowsPerBucket: [], series: [] };
  const step = BUCKET_MS[monitor.bucket];
  const first = Math.min(...rows.map((row) => row.time));
  const last = Math.max(...rows.map((row) => row.time));
  const length = Math.round((last - first) / step) + 1;
  const rowsPerBucket = new Array<number>(length).fill(0);
  const bySeries = new Map<string, { numerator: number[]; denominator: number[] }>();
  for (const row of rows) {
    const index = Math.round((row.time - first) / step);
    rowsPerBucket[index]! += row.n;
    let entry = bySeries.get(row.series);
    if (!entry) {
      entry = { numerator: new Array<number>(length).fill(0), denominator: new Array<number>(length).fill(0) };
      bySeries.set(row.series, entry);
    }
    entry.numerator[index]! += row.part;
    entry.denominator[index]! += row.n;
  }
  const series = [...bySeries.entries()]
    .map(([name, entry]) => ({
      name,
      numerator: entry.numerator,
      // A share is of the bucket's rows of every series; a rate, of the series' own rows.
      denominator: monitor.measure === 'share' ? rowsPerBucket : entry.denominator,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { buckets: Array.from({ length }, (_, i) => first + i * step), rowsPerBucket, series };
}

export interface JudgedSeries {
  name: string;
  /** What is shown: counts, or shares/rates (0..1). */
  values: number[];
  /** In the value's unit. */
  expected: (number | null)[];
  spread: (number | null)[];
  z: (number | null)[];
  /** Marked by the shared baseline: z at or above the threshold with at least the minimum count. */
  up: boolean[];
  /** In rows, for the alert: rows in the bucket, and what the baseline expected. */
  count: number[];
  expectedCount: (number | null)[];
}

/** Judges each series with the one baseline (shared/spikeStats.ts), by the monitor's measure. */
export function judgeMonitorSeries(monitor: MonitorInfo, data: SeriesData): JudgedSeries[] {
  const rule = judgeRule(monitor.bucket, monitor.threshold, monitor.minCount);
  return data.series.map(({ name, numerator, denominator }) => {
    const totals = monitor.measure === 'count' ? undefined : denominator;
    const judged = judgeSeries({ counts: numerator, totals }, rule);
    return {
      name,
      values: judged.value,
      expected: judged.expected,
      spread: judged.spread,
      z: judged.z,
      up: judged.anomalous,
      count: numerator,
      expectedCount: judged.expected.map((value, i) => (value === null ? null : value * (totals ? totals[i]! : 1))),
    };
  });
}
