/**
 * The paired bootstrap behind a release gate's interval of candidate − baseline (docs/release-gates.md).
 *
 * It is a Poisson bootstrap: each item's weight in a resample is Poisson(1), the usual large-sample stand-in for
 * drawing n of n items with replacement, and each item keeps both versions' outcomes (paired). A drop gate's figures
 * (recall and precision at each version's own threshold) depend only on how many items fall in each of the 8 kinds
 * (label × candidate flags × baseline flags), so a resample draws 8 Poisson counts — the sum of a kind's Poisson(1)
 * weights is Poisson(its count) — and 1,000 resamples cost the same at a million items as at a hundred.
 */
import { Random } from './random.js';

/** Items of one category by kind: index = label · 4 + candidate flags · 2 + baseline flags. */
export type FlagCells = Float64Array;

export function flagCells(
  labels: ArrayLike<number>,
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  candidateAt: number,
  baselineAt: number,
): FlagCells {
  const cells = new Float64Array(8);
  for (let i = 0; i < labels.length; i++)
    cells[labels[i]! * 4 + (candidate[i]! >= candidateAt ? 2 : 0) + (baseline[i]! >= baselineAt ? 1 : 0)]! += 1;
  return cells;
}

/** Recall of the flagged items, for the candidate or the baseline; null with no positives. */
export function cellRecall(cells: ArrayLike<number>, of: 'candidate' | 'baseline'): number | null {
  const positives = cells[4]! + cells[5]! + cells[6]! + cells[7]!;
  if (positives === 0) return null;
  return (of === 'candidate' ? cells[6]! + cells[7]! : cells[5]! + cells[7]!) / positives;
}

/** Precision of the flagged items; null when nothing is flagged. */
export function cellPrecision(cells: ArrayLike<number>, of: 'candidate' | 'baseline'): number | null {
  const bit = of === 'candidate' ? 2 : 1;
  let flagged = 0;
  let truePositives = 0;
  for (let k = 0; k < 8; k++) {
    if (!(k & bit)) continue;
    flagged += cells[k]!;
    if (k & 4) truePositives += cells[k]!;
  }
  return flagged === 0 ? null : truePositives / flagged;
}

/**
 * The 95% percentile interval of `statistic(resampled cells)` over `resamples` Poisson resamples, seeded; resamples
 * where the statistic is undefined (no positives drawn) are left out. Null when none is defined.
 */
export function bootstrapInterval(
  cells: ArrayLike<number>,
  statistic: (cells: Float64Array) => number | null,
  resamples: number,
  seed: number,
): [number, number] | null {
  const random = new Random(seed);
  const drawn = new Float64Array(cells.length);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < cells.length; k++) drawn[k] = poisson(random, cells[k]!);
    const value = statistic(drawn);
    if (value !== null && Number.isFinite(value)) values.push(value);
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return [percentile(values, 2.5), percentile(values, 97.5)];
}

/** numpy.percentile's default (linear interpolation between order statistics) of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  const position = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * A Poisson(λ) draw: by multiplying uniforms below λ = 10, else Hörmann's transformed rejection (PTRS, 1993), which
 * numpy also uses; exact either way, and cheap for any λ.
 */
export function poisson(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = random.next();
    while (product > limit) {
      k++;
      product *= random.next();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random.next() - 0.5;
    const v = random.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - logGamma(k + 1))
      return k;
  }
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
