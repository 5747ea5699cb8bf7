/**
 * Slices people can trust: a slice's recall and false-positive rate at the thresholds in force, each with its
 * Wilson 95% interval and its n, and a gap highlighted only when the slice's interval and the overall one do not
 * overlap — and the slice holds at least `minN` items of the kind the rate counts (positives for recall,
 * negatives for the false-positive rate). A slice of 15 items with one negative is never a "100% gap".
 */

/** z for a two-sided 95% interval (the normal quantile statsmodels uses: norm.ppf(0.975)). */
export const Z95 = 1.959963984540054;

/** The minimum n a slice needs before its gap may be highlighted, unless the user sets another. */
export const DEFAULT_MIN_SLICE_N = 30;

/** Wilson score interval for `successes` of `n` (Wilson 1927; as statsmodels' proportion_confint method='wilson'). */
export function wilsonInterval(successes: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Counts at a remove threshold: items, positives among them, and the true and false positives at the threshold. */
export interface ThresholdCounts {
  n: number;
  positives: number;
  truePositives: number;
  falsePositives: number;
}

export interface Rate {
  value: number | null;
  interval: [number, number] | null;
  /** The items the rate is a share of: positives (recall) or negatives (false-positive rate). */
  n: number;
}

export function rateOf(successes: number, n: number): Rate {
  return { value: n > 0 ? successes / n : null, interval: wilsonInterval(successes, n), n };
}

export function recallOf(counts: ThresholdCounts): Rate {
  return rateOf(counts.truePositives, counts.positives);
}

export function fprOf(counts: ThresholdCounts): Rate {
  return rateOf(counts.falsePositives, counts.n - counts.positives);
}

/** Whether a slice's rate really differs from the overall one: enough items, and intervals that do not overlap. */
export function differs(slice: Rate, overall: Rate, minN: number): boolean {
  if (slice.n < minN || !slice.interval || !overall.interval) return false;
  return slice.interval[1] < overall.interval[0] || slice.interval[0] > overall.interval[1];
}

export const SLICE_DIMENSIONS = ['language', 'surface', 'content_type', 'account_age'] as const;
export type SliceDimension = (typeof SLICE_DIMENSIONS)[number];

export interface SliceCounts extends ThresholdCounts {
  dimension: SliceDimension;
  value: string;
}

export interface SliceRow {
  dimension: SliceDimension;
  value: string;
  n: number;
  positives: number;
  recall: Rate;
  fpr: Rate;
  precision: number | null;
  /** The slice's rate minus the overall rate, in points of 1. */
  recallGap: number | null;
  fprGap: number | null;
  /** The gap is real by the intervals and the slice has at least the minimum n. */
  flagged: boolean;
}

export interface SliceBaseline {
  threshold: number;
  minN: number;
  recall: Rate;
  fpr: Rate;
}

/** Every slice of every dimension against the overall counts, largest first within a dimension. */
export function sliceTable(
  overall: ThresholdCounts,
  slices: SliceCounts[],
  threshold: number,
  minN: number,
): { baseline: SliceBaseline; slices: SliceRow[] } {
  const baseline = { threshold, minN, recall: recallOf(overall), fpr: fprOf(overall) };
  const rows: SliceRow[] = [];
  for (const dimension of SLICE_DIMENSIONS) {
    const ordered = slices
      .filter((slice) => slice.dimension === dimension && slice.n > 0)
      .sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : 1));
    for (const slice of ordered) {
      const recall = recallOf(slice);
      const fpr = fprOf(slice);
      const predicted = slice.truePositives + slice.falsePositives;
      rows.push({
        dimension,
        value: slice.value,
        n: slice.n,
        positives: slice.positives,
        recall,
        fpr,
        precision: predicted ? slice.truePositives / predicted : null,
        recallGap:
          recall.value !== null && baseline.recall.value !== null ? recall.value - baseline.recall.value : null,
        fprGap: fpr.value !== null && baseline.fpr.value !== null ? fpr.value - baseline.fpr.value : null,
        flagged: differs(recall, baseline.recall, minN) || differs(fpr, baseline.fpr, minN),
      });
    }
  }
  return { baseline, slices: rows };
}
