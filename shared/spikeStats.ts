/**
 * The one spike baseline: `sift spike`, the Spikes view and the monitors all judge buckets here. Each bucket is
 * compared with the median of the same slot in earlier seasons (the same hour of the week once three weeks exist,
 * else the same hour of the day over the last week, else the trailing day), leaving out buckets already marked
 * anomalous, so a campaign never raises the baselines after it (unless it holds for over half a period: then it is
 * the new level). Its spread is the larger of the history's robust
 * scale (1.4826 · MAD) and a Poisson floor √(rate + 3/8) + 3/4 (rate: the larger of the median and the mean),
 * widened for how few values the median rests on. docs/baseline.md has the measurements that chose this over the trailing mean it replaced.
 */

export type BaselineBucket = '15min' | 'hour' | 'day';

export interface BaselineOptions {
  /** Buckets in a day's rhythm (24 hourly buckets); for daily buckets, a week's (7). */
  period: number;
  /** Buckets in a week (168 hourly); 0 where `period` already is the week. */
  week: number;
  /** Same-slot values looked back on, at most (per rhythm). */
  seasons: number;
  /** Unmarked same-slot values needed before a rhythm is used; else the trailing `period` buckets. */
  minSeasons: number;
  /** Prior buckets needed before any bucket is judged: one whole period, so a first evening is not judged by the night. */
  minHistory: number;
}

export const BASELINE_OPTIONS: Record<BaselineBucket, BaselineOptions> = {
  '15min': { period: 96, week: 672, seasons: 7, minSeasons: 3, minHistory: 96 },
  hour: { period: 24, week: 168, seasons: 7, minSeasons: 3, minHistory: 24 },
  day: { period: 7, week: 0, seasons: 7, minSeasons: 3, minHistory: 7 },
};

export const DEFAULT_THRESHOLD = 3;
/** A bucket with fewer than this many items is never anomalous, whatever its z. */
export const DEFAULT_MIN_COUNT = 5;

export interface JudgeRule {
  options: BaselineOptions;
  /** z at or above which a bucket is anomalous. */
  threshold: number;
  /** Fewest items (the value's count, also when judging shares) an anomalous bucket has. */
  minCount: number;
}

export function judgeRule(bucket: BaselineBucket, threshold = DEFAULT_THRESHOLD, minCount = DEFAULT_MIN_COUNT) {
  return { options: BASELINE_OPTIONS[bucket], threshold, minCount };
}

/**
 * One series in data-time order, one entry per bucket (zeros included). With `totals`, the value judged is the
 * share counts[i] / totals[i] (a bucket with no total has share 0); without, the count.
 */
export interface SeriesInput {
  counts: readonly number[];
  totals?: readonly number[];
}

/** Which history a bucket was judged by; `level`: most of the last period was marked, and is taken as the new level. */
export type BaselineMethod = 'week' | 'day' | 'trailing' | 'level';

export interface BucketJudgement {
  /** The value judged: the count, or the share with totals. */
  value: number;
  /** null where there is not yet enough history to judge the bucket. */
  expected: number | null;
  spread: number | null;
  /** (value − expected) / spread. */
  z: number | null;
  anomalous: boolean;
  method: BaselineMethod | null;
}

const valueAt = (input: SeriesInput, i: number): number => {
  if (!input.totals) return input.counts[i]!;
  const total = input.totals[i]!;
  return total > 0 ? input.counts[i]! / total : 0;
};

function median(values: number[]): number {
  const sorted = Float64Array.from(values).sort(); // numeric order, and quicker than an array sort
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Earlier same-slot values `step` buckets apart, leaving out marked ones. */
function sameSlot(input: SeriesInput, marked: readonly boolean[], i: number, step: number, seasons: number): number[] {
  const values: number[] = [];
  for (let k = 1; k <= seasons && i - k * step >= 0; k++)
    if (!marked[i - k * step]) values.push(valueAt(input, i - k * step));
  return values;
}

function history(input: SeriesInput, marked: readonly boolean[], i: number, options: BaselineOptions) {
  // A level held for more than half of the last period is the new normal, not a spike that lasts for ever: judge
  // it against that period as it was, marked buckets included.
  const recent = Math.min(i, options.period);
  let recentMarked = 0;
  for (let j = i - recent; j < i; j++) if (marked[j]) recentMarked++;
  if (recentMarked * 2 > recent) {
    const values: number[] = [];
    for (let j = i - recent; j < i; j++) values.push(valueAt(input, j));
    return { values, method: 'level' as const };
  }
  if (options.week > 0) {
    const week = sameSlot(input, marked, i, options.week, options.seasons);
    if (week.length >= options.minSeasons) return { values: week, method: 'week' as const };
  }
  const day = sameSlot(input, marked, i, options.period, options.seasons);
  if (day.length >= options.minSeasons) return { values: day, method: 'day' as const };
  const trailing: number[] = [];
  for (let j = i - 1; j >= 0 && trailing.length < options.period; j--) if (!marked[j]) trailing.push(valueAt(input, j));
  return { values: trailing, method: 'trailing' as const };
}

/**
 * The noise a value has at this rate, in the value's units: Poisson in counts, floored so a quiet
 * series does not cry spike at a few items (at z = 3 it marks what a variance-stabilised Poisson test marks).
 * For a share it is the same floor on the binomial count, over the total.
 */
function noiseFloor(rate: number, total: number | undefined): number {
  if (total === undefined) return Math.sqrt(rate + 0.375) + 0.75;
  if (total <= 0) return 1;
  const count = rate * total;
  return (Math.sqrt(count * (1 - Math.min(rate, 1)) + 0.375) + 0.75) / total;
}

/**
 * Judges bucket i from the buckets before it. `marked[j]` says whether an earlier bucket j was found anomalous
 * (those never enter a baseline). Pure: a bucket that grows later is judged again by calling this again.
 */
export function judgeBucket(
  input: SeriesInput,
  marked: readonly boolean[],
  i: number,
  rule: JudgeRule,
): BucketJudgement {
  const value = valueAt(input, i);
  if (i < rule.options.minHistory)
    return { value, expected: null, spread: null, z: null, anomalous: false, method: null };
  const { values, method } = history(input, marked, i, rule.options);
  if (values.length < rule.options.minSeasons)
    return { value, expected: null, spread: null, z: null, anomalous: false, method: null };
  const expected = median(values);
  const mad = 1.4826 * median(values.map((v) => Math.abs(v - expected)));
  // The noise floor takes the larger of the median and the mean: the median of a few small counts is often 0 or 1
  // below the rate (Poisson is skewed), which drew the band too tight. It can only widen the band.
  const rate = Math.max(expected, values.reduce((sum, v) => sum + v, 0) / values.length);
  // A median of k values misses the level by about √(π/2k) of the noise: widen the band by that.
  const spread = Math.max(mad, noiseFloor(rate, input.totals?.[i])) * Math.sqrt(1 + Math.PI / (2 * values.length));
  const z = (value - expected) / spread;
  return { value, expected, spread, z, anomalous: z >= rule.threshold && input.counts[i]! >= rule.minCount, method };
}

export interface SeriesJudgement {
  value: number[];
  expected: (number | null)[];
  spread: (number | null)[];
  z: (number | null)[];
  anomalous: boolean[];
  method: (BaselineMethod | null)[];
}

/**
 * Judges a series bucket by bucket in data-time order, each against history that leaves out the buckets marked
 * before it. To re-judge from bucket `from` on (new or grown buckets), pass the earlier buckets' marks in
 * `marked`; buckets before `from` are then not judged again (their entries are null / their given mark).
 */
export function judgeSeries(
  input: SeriesInput,
  rule: JudgeRule,
  resume: { marked: readonly boolean[]; from: number } = { marked: [], from: 0 },
): SeriesJudgement {
  const out: SeriesJudgement = { value: [], expected: [], spread: [], z: [], anomalous: [], method: [] };
  const marked: boolean[] = [];
  for (let i = 0; i < input.counts.length; i++) {
    const judged: BucketJudgement =
      i < resume.from
        ? {
            value: valueAt(input, i),
            expected: null,
            spread: null,
            z: null,
            anomalous: !!resume.marked[i],
            method: null,
          }
        : judgeBucket(input, marked, i, rule);
    marked.push(judged.anomalous);
    out.value.push(judged.value);
    out.expected.push(judged.expected);
    out.spread.push(judged.spread);
    out.z.push(judged.z);
    out.anomalous.push(judged.anomalous);
    out.method.push(judged.method);
  }
  return out;
}

export interface SpikeWindow {
  series: string;
  /** Index of the first and last marked bucket. */
  first: number;
  last: number;
  /** The largest z in the window. */
  z: number;
  /** Total count in the window, and the count the baselines expected (for shares: expected share × total). */
  count: number;
  expected: number;
}

/** Runs of consecutive anomalous buckets become one window each. */
export function markWindows(series: string, input: SeriesInput, judged: SeriesJudgement): SpikeWindow[] {
  const { counts, totals } = input;
  const windows: SpikeWindow[] = [];
  let open: SpikeWindow | null = null;
  for (let i = 0; i < counts.length; i++) {
    if (!judged.anomalous[i]) continue;
    const z = judged.z[i]!;
    const expected = judged.expected[i]! * (totals ? totals[i]! : 1);
    if (open && open.last === i - 1) {
      open.last = i;
      open.z = Math.max(open.z, z);
      open.count += counts[i]!;
      open.expected += expected;
    } else {
      open = { series, first: i, last: i, z, count: counts[i]!, expected };
      windows.push(open);
    }
  }
  return windows;
}
