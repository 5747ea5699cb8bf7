/**
 * Calibration metrics, defined as DESIGN.md says: reliability bins exactly as scikit-learn's
 * `calibration_curve` (uniform or quantile edges; `searchsorted` on the inner edges, so a score on an edge falls in
 * the lower bin; empty bins dropped), ECE and MCE over the same equal-width bins (weight = bin size / n), and the
 * Brier score.
 */

import { countScores, cumulativeCounts, type ScoreCounts, scoreAtRank, totals } from './scoreCounts.js';

/** Reliability bins when none are asked for: the same in the CLI, the UI and the API, so their ECE agree. */
export const DEFAULT_BINS = 15;
export interface ReliabilityBin {
  meanPredicted: number;
  fractionPositive: number;
  count: number;
  /** The bin's edges (lower exclusive, upper inclusive; the first bin includes 0). */
  lower: number;
  upper: number;
}

/** numpy.linspace(0, 1, n + 1): k · (1 / n), with the last edge exactly 1. */
export function uniformEdges(bins: number): number[] {
  const step = 1 / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => k * step);
  edges[bins] = 1;
  return edges;
}

/** numpy.searchsorted(innerEdges, value, side='left'): how many inner edges are strictly below the value. */
function binOf(innerEdges: number[], value: number): number {
  let lo = 0;
  let hi = innerEdges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (innerEdges[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkInputs(yTrue: ArrayLike<number>, yProb: ArrayLike<number>): void {
  if (yTrue.length !== yProb.length)
    throw new Error(`labels and scores differ in length (${yTrue.length} vs ${yProb.length})`);
  for (let i = 0; i < yProb.length; i++) {
    const p = yProb[i]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`score ${p} at position ${i} is outside [0, 1]`);
  }
}

export function reliabilityBins(
  yTrue: ArrayLike<number>,
  yProb: ArrayLike<number>,
  bins: number,
  strategy: 'uniform' | 'quantile' = 'uniform',
): ReliabilityBin[] {
  checkInputs(yTrue, yProb);
  return reliabilityBinsOf(countScores(yTrue, yProb), bins, strategy);
}

/** Reliability bins of items grouped by distinct score (every score in [0, 1]). */
export function reliabilityBinsOf(
  counts: ScoreCounts,
  bins: number,
  strategy: 'uniform' | 'quantile' = 'uniform',
): ReliabilityBin[] {
  const n = totals(counts).n;
  if (n === 0) return [];
  const edges = strategy === 'uniform' ? uniformEdges(bins) : quantileEdgesOf(counts, bins);
  const inner = edges.slice(1, -1);
  const sums = new Float64Array(bins + 1);
  const trues = new Float64Array(bins + 1);
  const sizes = new Float64Array(bins + 1);
  for (let k = 0; k < counts.scores.length; k++) {
    const score = counts.scores[k]!;
    const size = counts.positives[k]! + counts.negatives[k]!;
    const b = binOf(inner, score);
    sums[b]! += score * size;
    trues[b]! += counts.positives[k]!;
    sizes[b]! += size;
  }
  const result: ReliabilityBin[] = [];
  for (let b = 0; b < sizes.length; b++) {
    if (sizes[b] === 0) continue;
    result.push({
      meanPredicted: sums[b]! / sizes[b]!,
      fractionPositive: trues[b]! / sizes[b]!,
      count: sizes[b]!,
      lower: edges[b] ?? 1,
      upper: edges[b + 1] ?? 1,
    });
  }
  return result;
}

/** numpy.percentile(scores, linspace(0, 100, n + 1)) with linear interpolation, reading order statistics off the cumulative counts. */
function quantileEdgesOf(counts: ScoreCounts, bins: number): number[] {
  const cumulative = cumulativeCounts(counts);
  const n = cumulative[cumulative.length - 1] ?? 0;
  const at = (rank: number) => scoreAtRank(counts, cumulative, rank);
  return Array.from({ length: bins + 1 }, (_, k) => {
    const q = k === bins ? 1 : k * (1 / bins);
    const position = q * (n - 1);
    const lo = Math.floor(position);
    const hi = Math.min(n - 1, lo + 1);
    const low = at(lo);
    return low + (position - lo) * (at(hi) - low);
  });
}

/** Expected calibration error: Σ_b (n_b / n) · |fraction positive − mean predicted| over equal-width bins. */
export function expectedCalibrationError(yTrue: ArrayLike<number>, yProb: ArrayLike<number>, bins = 15): number {
  checkInputs(yTrue, yProb);
  return expectedCalibrationErrorOf(countScores(yTrue, yProb), bins);
}

export function expectedCalibrationErrorOf(counts: ScoreCounts, bins = 15): number {
  const n = totals(counts).n;
  return n === 0 ? Number.NaN : calibrationErrors(reliabilityBinsOf(counts, bins, 'uniform'), n).ece;
}

/** Maximum calibration error: the largest |fraction positive − mean predicted| over non-empty equal-width bins. */
export function maximumCalibrationError(yTrue: ArrayLike<number>, yProb: ArrayLike<number>, bins = 15): number {
  checkInputs(yTrue, yProb);
  const counts = countScores(yTrue, yProb);
  const n = totals(counts).n;
  return n === 0 ? Number.NaN : calibrationErrors(reliabilityBinsOf(counts, bins, 'uniform'), n).mce;
}

/** ECE and MCE from the equal-width reliability bins of n items. */
export function calibrationErrors(uniformBins: ReliabilityBin[], n: number): { ece: number; mce: number } {
  let ece = 0;
  let mce = 0;
  for (const bin of uniformBins) {
    const gap = Math.abs(bin.fractionPositive - bin.meanPredicted);
    ece += (bin.count / n) * gap;
    mce = Math.max(mce, gap);
  }
  return { ece, mce };
}

/** scikit-learn brier_score_loss: mean squared difference between probability and outcome. */
export function brierScore(yTrue: ArrayLike<number>, yProb: ArrayLike<number>): number {
  checkInputs(yTrue, yProb);
  return brierScoreOf(countScores(yTrue, yProb));
}

export function brierScoreOf(counts: ScoreCounts): number {
  let sum = 0;
  let n = 0;
  for (let k = 0; k < counts.scores.length; k++) {
    const score = counts.scores[k]!;
    sum += counts.positives[k]! * (score - 1) ** 2 + counts.negatives[k]! * score ** 2;
    n += counts.positives[k]! + counts.negatives[k]!;
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Counts of scores per equal-width bin, split by label: the confidence distribution. */
export function scoreHistogram(
  yTrue: ArrayLike<number>,
  yProb: ArrayLike<number>,
  bins: number,
): { edges: number[]; positive: number[]; negative: number[] } {
  return scoreHistogramOf(countScores(yTrue, yProb), bins);
}

export function scoreHistogramOf(
  counts: ScoreCounts,
  bins: number,
): { edges: number[]; positive: number[]; negative: number[] } {
  const edges = uniformEdges(bins);
  const inner = edges.slice(1, -1);
  const positive = new Array<number>(bins).fill(0);
  const negative = new Array<number>(bins).fill(0);
  for (let k = 0; k < counts.scores.length; k++) {
    const b = binOf(inner, counts.scores[k]!);
    positive[b]! += counts.positives[k]!;
    negative[b]! += counts.negatives[k]!;
  }
  return { edges, positive, negative };
}
