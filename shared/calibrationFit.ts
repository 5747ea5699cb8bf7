/**
 * Fitting calibration as scikit-learn's CalibratedClassifierCV does: Platt scaling (`_sigmoid_calibration`: a
 * sigmoid 1 / (1 + exp(A·f + B)) on the uncalibrated score f, fitted to Platt's smoothed targets) and isotonic
 * regression (pool-adjacent-violators on tied-score means, predicted by linear interpolation, clipped at the ends).
 * Both fit on points grouped by distinct score (scoreCounts.ts): evaluation hands them DuckDB's GROUP BY.
 */
import { groupScores, type ScoreCounts, totals } from './scoreCounts.js';

/** Platt's fit. scikit-learn minimises with BFGS from the same start; this uses Newton's method on the same convex loss. */
export function fitPlatt(f: ArrayLike<number>, y: ArrayLike<number>): { a: number; b: number } {
  const positives = Float64Array.from({ length: y.length }, (_, i) => (y[i]! > 0 ? 1 : 0));
  return fitPlattOf(
    groupScores(
      f,
      positives,
      positives.map((p) => 1 - p),
    ),
  );
}

/**
 * Platt's fit over points grouped by distinct f: the loss is a sum over items, so each distinct f contributes its
 * positives at the positive target and its negatives at the negative one — O(distinct f) per Newton step.
 */
export function fitPlattOf(counts: ScoreCounts): { a: number; b: number } {
  const { scores: f, positives: pos, negatives: neg } = counts;
  const d = f.length;
  const { positives: prior1, negatives: prior0 } = totals(counts);
  const hi = (prior1 + 1) / (prior1 + 2);
  const lo = 1 / (prior0 + 2);
  // −[t·log p + (1−t)·log(1−p)] with p = 1/(1+e^z), computed stably
  const itemLoss = (z: number, t: number) =>
    z >= 0 ? t * z + Math.log1p(Math.exp(-z)) : (t - 1) * z + Math.log1p(Math.exp(z));
  let a = 0;
  let b = Math.log((prior0 + 1) / (prior1 + 1));
  const loss = (A: number, B: number) => {
    let total = 0;
    for (let k = 0; k < d; k++) {
      const z = A * f[k]! + B;
      total += pos[k]! * itemLoss(z, hi) + neg[k]! * itemLoss(z, lo);
    }
    return total;
  };
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let k = 0; k < d; k++) {
      const p = 1 / (1 + Math.exp(a * f[k]! + b));
      const weight = pos[k]! + neg[k]!;
      const slope = pos[k]! * (hi - p) + neg[k]! * (lo - p); // Σ ∂loss/∂z over the items at this f
      gA += slope * f[k]!;
      gB += slope;
      const w = weight * p * (1 - p);
      hAA += w * f[k]! * f[k]!;
      hAB += w * f[k]!;
      hBB += w;
    }
    const det = hAA * hBB - hAB * hAB;
    let stepA = (hBB * gA - hAB * gB) / det;
    let stepB = (hAA * gB - hAB * gA) / det;
    // Backtracking keeps every step downhill.
    let scale = 1;
    let next = loss(a - stepA, b - stepB);
    while (next > current && scale > 1e-10) {
      scale /= 2;
      next = loss(a - stepA * scale, b - stepB * scale);
    }
    stepA *= scale;
    stepB *= scale;
    a -= stepA;
    b -= stepB;
    const improved = current - next;
    current = next;
    if (Math.abs(stepA) < 1e-12 && Math.abs(stepB) < 1e-12) break;
    if (improved >= 0 && improved < 1e-14 * Math.max(1, Math.abs(current))) break;
  }
  return { a, b };
}

export function plattPredict(params: { a: number; b: number }, f: number): number {
  return 1 / (1 + Math.exp(params.a * f + params.b));
}

/** Fitted isotonic (increasing) regression: points to interpolate between. y may be fractional, in [0, 1]. */
export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>): { x: number[]; y: number[] } {
  // Each item weighs 1: y of it counts as positive, the rest as negative, so a group's mean y is positives / weight.
  const positives = Float64Array.from({ length: y.length }, (_, i) => y[i]!);
  return fitIsotonicOf(
    groupScores(
      x,
      positives,
      positives.map((value) => 1 - value),
    ),
  );
}

/**
 * Pool adjacent violators over points grouped by distinct x (ascending): each distinct x is one point with its
 * mean y and its total weight, as scikit-learn pools ties. One pass, O(distinct x), after the grouping sort.
 */
export function fitIsotonicOf(counts: ScoreCounts): { x: number[]; y: number[] } {
  const d = counts.scores.length;
  // A stack of blocks: mean value, weight, and how many distinct x each covers.
  const values = new Float64Array(d);
  const weights = new Float64Array(d);
  const spans = new Uint32Array(d);
  let top = -1;
  for (let k = 0; k < d; k++) {
    const weight = counts.positives[k]! + counts.negatives[k]!;
    top++;
    values[top] = weight > 0 ? counts.positives[k]! / weight : 0;
    weights[top] = weight;
    spans[top] = 1;
    while (top > 0 && values[top - 1]! > values[top]!) {
      const merged = weights[top - 1]! + weights[top]!;
      values[top - 1] = (values[top - 1]! * weights[top - 1]! + values[top]! * weights[top]!) / merged;
      weights[top - 1] = merged;
      spans[top - 1]! += spans[top]!;
      top--;
    }
  }
  // A block is flat, so its first and last x carry every prediction; and a point between two of equal value is
  // redundant too (scikit-learn drops those as well). A million distinct scores pool to a few hundred points.
  const bx: number[] = [];
  const by: number[] = [];
  for (let block = 0, start = 0; block <= top; start += spans[block]!, block++) {
    bx.push(counts.scores[start]!);
    by.push(values[block]!);
    if (spans[block]! > 1) {
      bx.push(counts.scores[start + spans[block]! - 1]!);
      by.push(values[block]!);
    }
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < bx.length; k++) {
    if (k > 0 && k < bx.length - 1 && by[k - 1] === by[k] && by[k] === by[k + 1]) continue;
    x.push(bx[k]!);
    y.push(by[k]!);
  }
  return { x, y };
}

export function isotonicPredict(model: { x: number[]; y: number[] }, value: number): number {
  const { x, y } = model;
  if (x.length === 0) return value;
  if (value <= x[0]!) return y[0]!;
  if (value >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= value) lo = mid;
    else hi = mid;
  }
  const span = x[hi]! - x[lo]!;
  return span === 0 ? y[hi]! : y[lo]! + ((value - x[lo]!) / span) * (y[hi]! - y[lo]!);
}
