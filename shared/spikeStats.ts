/**
 * Spike detection on bucketed counts. For each bucket, a baseline from history: the same slot one or more
 * seasons back (same hour of the week) when there are enough of those, else a trailing window. The z-score
 * divides by the larger of the history's standard deviation and a Poisson noise floor √max(mean, 1), so a
 * quiet series does not cry spike at one extra report.
 */

export interface BaselineOptions {
  /** Buckets in the trailing window. */
  trailing: number;
  /** Buckets in one season (168 for hourly buckets and a weekly rhythm); 0 turns seasonal baselines off. */
  season: number;
  /** Prior same-slot values needed before the seasonal baseline is used. */
  minSeasons: number;
  /** Prior buckets needed before any baseline is given. */
  minHistory: number;
}

export const DEFAULT_BASELINE: BaselineOptions = { trailing: 24, season: 168, minSeasons: 2, minHistory: 6 };

export interface BucketStats {
  /** null where there is not enough history for a baseline. */
  baseline: (number | null)[];
  spread: (number | null)[];
  z: (number | null)[];
  method: ('season' | 'trailing' | null)[];
}

function meanAndStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

export function baselineAndZ(counts: number[], options: BaselineOptions = DEFAULT_BASELINE): BucketStats {
  const stats: BucketStats = { baseline: [], spread: [], z: [], method: [] };
  for (let i = 0; i < counts.length; i++) {
    const seasonal: number[] = [];
    if (options.season > 0) for (let j = i - options.season; j >= 0; j -= options.season) seasonal.push(counts[j]!);
    let history: number[] | null = null;
    let method: 'season' | 'trailing' | null = null;
    if (seasonal.length >= options.minSeasons) {
      history = seasonal;
      method = 'season';
    } else if (i >= options.minHistory) {
      history = counts.slice(Math.max(0, i - options.trailing), i);
      method = 'trailing';
    }
    if (!history) {
      stats.baseline.push(null);
      stats.spread.push(null);
      stats.z.push(null);
      stats.method.push(null);
      continue;
    }
    const { mean, std } = meanAndStd(history);
    const spread = Math.max(std, Math.sqrt(Math.max(mean, 1)));
    stats.baseline.push(mean);
    stats.spread.push(spread);
    stats.z.push((counts[i]! - mean) / spread);
    stats.method.push(method);
  }
  return stats;
}

export interface SpikeWindow {
  series: string;
  /** Index of the first and last marked bucket. */
  first: number;
  last: number;
  /** The largest z in the window. */
  z: number;
  /** Total count in the window, and what the baselines expected. */
  count: number;
  expected: number;
}

/** Runs of consecutive buckets at or above the threshold become one window each. */
export function markWindows(series: string, counts: number[], stats: BucketStats, threshold: number): SpikeWindow[] {
  const windows: SpikeWindow[] = [];
  let open: SpikeWindow | null = null;
  for (let i = 0; i < counts.length; i++) {
    const z = stats.z[i];
    if (z !== null && z !== undefined && z >= threshold) {
      if (open && open.last === i - 1) {
        open.last = i;
        open.z = Math.max(open.z, z);
        open.count += counts[i]!;
        open.expected += stats.baseline[i]!;
      } else {
        open = { series, first: i, last: i, z, count: counts[i]!, expected: stats.baseline[i]! };
        windows.push(open);
      }
    }
  }
  return windows;
}
