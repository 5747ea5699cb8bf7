/**
 * Calibration metrics, defined as DESIGN.md says: reliability bins exactly as scikit-learn's
 * `calibration_curve` (uniform or quantile edges; `searchsorted` on the inner edges, so a score on an edge falls in
 * the lower bin; empty bins dropped), ECE and MCE over the same equal-width bins (weight = bin size / n), and the
 * Brier score.
 */

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

/** numpy.percentile(values, linspace(0, 100, n + 1)) with linear interpolation. */
export function quantileEdges(sortedValues: ArrayLike<number>, bins: number): number[] {
  const n = sortedValues.length;
  return Array.from({ length: bins + 1 }, (_, k) => {
    const q = k === bins ? 1 : k * (1 / bins);
    const position = q * (n - 1);
    const lo = Math.floor(position);
    const hi = Math.min(n - 1, lo + 1);
    const fraction = position - lo;
    return sortedValues[lo]! + fraction * (sortedValues[hi]! - sortedValues[lo]!);
  });
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
  if (yTrue.length !== yProb.length) throw new Error(`labels and scores differ in length (${yTrue.length} vs ${yProb.length})`);
  for (let i = 0; i < yProb.length; i++) {
    const p = yProb[i]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`score ${p} at position ${i} is outside [0, 1]`);
  }
}

export function reliabilityBins(yTrue: ArrayLike<number>, yProb: ArrayLike<number>, bins: number, strategy: 'uniform' | 'quantile' = 'uniform'): ReliabilityBin[] {
  checkInputs(yTrue, yProb);
  if (yProb.length === 0) return [];
  const edges = strategy === 'uniform' ? uniformEdges(bins) : quantileEdges(Float64Array.from(yProb).sort(), bins);
  const inner = edges.slice(1, -1);
  const sums = new Float64Array(bins + 1);
  const trues = new Float64Array(bins + 1);
  const counts = new Float64Array(bins + 1);
  for (let i = 0; i < yProb.length; i++) {
    const b = binOf(inner, yProb[i]!);
    sums[b]! += yProb[i]!;
    trues[b]! += yTrue[i]!;
    counts[b]!++;
  }
  const result: ReliabilityBin[] = [];
  for (let b = 0; b < counts.length; b++) {
    if (counts[b] === 0) continue;
    result.push({ meanPredicted: sums[b]! / counts[b]!, fractionPositive: trues[b]! / counts[b]!, count: counts[b]!, lower: edges[b] ?? 1, upper: edges[b + 1] ?? 1 });
  }
  return result;
}

/** Expected calibration error: Σ_b (n_b / n) · |fraction positive − mean predicted| over equal-width bins. */
export function expectedCalibrationError(yTrue: ArrayLike<number>, yProb: ArrayLike<number>, bins = 15): number {
  const n = yProb.length;
  if (n === 0) return Number.NaN;
  return reliabilityBins(yTrue, yProb, bins, 'uniform').reduce((sum, bin) => sum + (bin.count / n) * Math.abs(bin.fractionPositive - bin.meanPredicted), 0);
}

/** Maximum calibration error: the largest |fraction positive − mean predicted| over non-empty equal-width bins. */
export function maximumCalibrationError(yTrue: ArrayLike<number>, yProb: ArrayLike<number>, bins = 15): number {
  if (yProb.length === 0) return Number.NaN;
  return Math.max(...reliabilityBins(yTrue, yProb, bins, 'uniform').map((bin) => Math.abs(bin.fractionPositive - bin.meanPredicted)));
}

/** scikit-learn brier_score_loss: mean squared difference between probability and outcome. */
export function brierScore(yTrue: ArrayLike<number>, yProb: ArrayLike<number>): number {
  checkInputs(yTrue, yProb);
  if (yProb.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < yProb.length; i++) sum += (yProb[i]! - yTrue[i]!) ** 2;
  return sum / yProb.length;
}

/** Counts of scores per equal-width bin, split by label: the confidence distribution. */
export function scoreHistogram(yTrue: ArrayLike<number>, yProb: ArrayLike<number>, bins: number): { edges: number[]; positive: number[]; negative: number[] } {
  const edges = uniformEdges(bins);
  const inner = edges.slice(1, -1);
  const positive = new Array<number>(bins).fill(0);
  const negative = new Array<number>(bins).fill(0);
  for (let i = 0; i < yProb.length; i++) {
    const b = binOf(inner, yProb[i]!);
    if (yTrue[i]) positive[b]!++;
    else negative[b]!++;
  }
  return { edges, positive, negative };
}
