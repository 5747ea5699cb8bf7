/**
 * A monitor's series, read from the workspace's canonical tables the way `sift spike` reads them (one GROUP BY
 * in DuckDB: rows per bucket and series, and for the auto-action rate the model's share of them), then judged
 * with the baseline of shared/spikeStats.ts. Counts are judged as `sift spike` judges them; a share or a rate
 * takes its expected value from the same baseline over the shares, and its noise from the bucket's rows (binomial).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MonitorInfo } from '../../../shared/contract.js';
import { SPIKE_SOURCE_TABLES } from '../../../shared/canonical.js';
import { SiftError } from '../../../shared/errors.js';
import { BUCKET_MS, type MonitorBucket, type MonitorSource } from '../../../shared/monitors.js';
import { baselineAndZ, type BaselineOptions, DEFAULT_BASELINE } from '../../../shared/spikeStats.js';

const BUCKET_SQL: Record<MonitorBucket, string> = {
  '15min': "INTERVAL '15 minutes'",
  hour: "INTERVAL '1 hour'",
  day: "INTERVAL '1 day'",
};
/** The spike view's seasons and trailing windows (a week of buckets; a day of them). */
const SEASON: Record<MonitorBucket, number> = { '15min': 7 * 96, hour: 168, day: 7 };
const TRAILING: Record<MonitorBucket, number> = { '15min': 96, hour: 24, day: 7 };

export function baselineOptions(bucket: MonitorBucket): BaselineOptions {
  return { ...DEFAULT_BASELINE, trailing: TRAILING[bucket], season: SEASON[bucket] };
}

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
  /** In rows, for the alert: rows in the bucket, and what the baseline expected. */
  count: number[];
  expectedCount: (number | null)[];
}

/** Baselines and z-scores for each series, by the monitor's measure. */
export function judgeSeries(monitor: MonitorInfo, data: SeriesData): JudgedSeries[] {
  const options = baselineOptions(monitor.bucket);
  return data.series.map(({ name, numerator, denominator }) => {
    if (monitor.measure === 'count') {
      const stats = baselineAndZ(numerator, options);
      return {
        name,
        values: numerator,
        expected: stats.baseline,
        spread: stats.spread,
        z: stats.z,
        count: numerator,
        expectedCount: stats.baseline,
      };
    }
    const shares = numerator.map((part, i) => (denominator[i]! > 0 ? part / denominator[i]! : 0));
    const expected = baselineAndZ(shares, options).baseline;
    const spread = expected.map((p, i) =>
      p === null || denominator[i] === 0
        ? null
        : Math.sqrt(Math.max(p * (1 - p), 1 / denominator[i]!) / denominator[i]!),
    );
    return {
      name,
      values: shares,
      expected,
      spread,
      z: shares.map((share, i) => (spread[i] ? (share - expected[i]!) / spread[i]! : null)),
      count: numerator,
      expectedCount: expected.map((p, i) => (p === null ? null : p * denominator[i]!)),
    };
  });
}
