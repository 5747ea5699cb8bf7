/**
 * The robust spike baseline (shared/spikeStats.ts) against the trailing-mean baseline it replaced, in one run on
 * the committed sample's report counts (every reason, hourly, 15-minute and daily buckets): what `sift spike` and
 * a monitor's check spend judging buckets. The old rule is kept here only as this benchmark's reference.
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { judgeRule, judgeSeries, type BaselineBucket } from '../shared/spikeStats.js';

/** The baseline before issue 24: mean and standard deviation of the same slot a week back, else the trailing window. */
function trailingMeanBaseline(counts: number[], trailing: number, season: number): (number | null)[] {
  const z: (number | null)[] = [];
  for (let i = 0; i < counts.length; i++) {
    const seasonal: number[] = [];
    for (let j = i - season; j >= 0; j -= season) seasonal.push(counts[j]!);
    const history = seasonal.length >= 2 ? seasonal : i >= 6 ? counts.slice(Math.max(0, i - trailing), i) : null;
    if (!history) {
      z.push(null);
      continue;
    }
    const mean = history.reduce((sum, v) => sum + v, 0) / history.length;
    const variance =
      history.length > 1 ? history.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (history.length - 1) : 0;
    z.push((counts[i]! - mean) / Math.max(Math.sqrt(variance), Math.sqrt(Math.max(mean, 1))));
  }
  return z;
}

const BUCKETS: { bucket: BaselineBucket; sql: string; ms: number; trailing: number; season: number }[] = [
  { bucket: '15min', sql: "INTERVAL '15 minutes'", ms: 900_000, trailing: 96, season: 672 },
  { bucket: 'hour', sql: "INTERVAL '1 hour'", ms: 3_600_000, trailing: 24, season: 168 },
  { bucket: 'day', sql: "INTERVAL '1 day'", ms: 86_400_000, trailing: 7, season: 7 },
];

async function sampleSeries(): Promise<{ bucket: (typeof BUCKETS)[number]; counts: number[] }[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const reports = path.resolve('sample-data/platform/reports.parquet').replaceAll("'", "''");
  const series: { bucket: (typeof BUCKETS)[number]; counts: number[] }[] = [];
  for (const bucket of BUCKETS) {
    const rows = (
      await conn.runAndReadAll(
        `SELECT epoch_ms(time_bucket(${bucket.sql}, created_at)), reason, count(*) FROM '${reports}' GROUP BY ALL`,
      )
    ).getRowsJson() as [number, string, number][];
    const first = Math.min(...rows.map((row) => Number(row[0])));
    const last = Math.max(...rows.map((row) => Number(row[0])));
    const byReason = new Map<string, number[]>();
    for (const [time, reason, n] of rows) {
      const counts = byReason.get(reason) ?? new Array<number>(Math.round((last - first) / bucket.ms) + 1).fill(0);
      counts[Math.round((Number(time) - first) / bucket.ms)]! += Number(n);
      byReason.set(reason, counts);
    }
    for (const counts of byReason.values()) series.push({ bucket, counts });
  }
  conn.closeSync();
  return series;
}

/** Median times of the two, run in turn after a warm-up, so both see the same machine load and a warm JIT. */
function medianMsOfEach(a: () => void, b: () => void, repeats = 15): [number, number] {
  for (let i = 0; i < 3; i++) {
    a();
    b();
  }
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < repeats; i++) {
    [a, b].forEach((work, which) => {
      const started = performance.now();
      work();
      times[which]!.push(performance.now() - started);
    });
  }
  const median = (list: number[]) => list.sort((x, y) => x - y)[repeats >> 1]!;
  return [median(times[0]), median(times[1])];
}

export async function spikeBaselineBenchmark(log: (line: string) => void): Promise<void> {
  const series = await sampleSeries();
  const buckets = series.reduce((sum, s) => sum + s.counts.length, 0);
  const [old, robust] = medianMsOfEach(
    () => {
      for (const s of series) trailingMeanBaseline(s.counts, s.bucket.trailing, s.bucket.season);
    },
    () => {
      for (const s of series) judgeSeries({ counts: s.counts }, judgeRule(s.bucket.bucket));
    },
  );
  log(`\n## Spike baseline: the sample's report series, 15-minute, hourly and daily (${buckets} buckets)`);
  log(
    `robust median/MAD baseline ${robust.toFixed(1)} ms vs the old trailing mean ${old.toFixed(1)} ms: ${(robust / old).toFixed(2)}× (medians of 15, in turn, after a warm-up)`,
  );
}
