/**
 * Score drift, defined once (docs/release-gates.md, "Drift"): the population stability index (PSI) of a current
 * score distribution against a reference one, and the fraction of scores above 0.8.
 *
 * - Bins: the edges are the reference's deciles, numpy.quantile(reference, [0.1, 0.2, …, 0.9]) with numpy's default
 *   'linear' method (virtual index h = (n − 1)·q, interpolated between the sorted values at floor(h) and floor(h)+1
 *   exactly as numpy's _lerp does). Tied edges are merged (the distinct edges, ascending, e1 < … < em), so a
 *   reference with many equal scores has fewer than 10 bins. The bins are (−∞, e1], (e1, e2], …, (em, +∞): a score is
 *   in bin i = the number of edges strictly below it (numpy.searchsorted(edges, x, side='left')).
 * - Proportions: each side's count in a bin over that side's total; then every proportion below ε = 1e-4 is raised to
 *   ε (after dividing, per bin and side; the proportions are not renormalised), so an empty bin has no infinite log.
 * - PSI = Σ over bins of (cur − ref) · ln(cur / ref), on the floored proportions. No PSI when either side is empty.
 * - Fraction above 0.8: the share of a side's scores strictly greater than 0.8.
 *
 * The host computes the counts in DuckDB (electron/host/drift/); these functions are the reference it must equal.
 */

/** The reference quantiles that bound the bins: 0.1 … 0.9. */
export const DRIFT_QUANTILES = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => k / 10);
/** The floor every bin proportion is raised to before the log. */
export const PSI_EPSILON = 1e-4;
/** The score above which an item counts as high-scoring. */
export const HIGH_SCORE = 0.8;

/** One side of a drift comparison per category: its n and fraction above 0.8 (null when it has no scores). */
export interface DriftSideFigures {
  n: number;
  above: number | null;
}

/** A category's drift: PSI of `current` against `reference`, over the reference's bin edges. */
export interface CategoryDrift {
  category: string;
  /** Null when either side has no scores. */
  psi: number | null;
  reference: DriftSideFigures;
  current: DriftSideFigures;
  /** The distinct reference deciles that bound the bins (empty when the reference has no scores). */
  edges: number[];
}

/** numpy's _lerp: a + (b − a)·t, or b − (b − a)·(1 − t) when t ≥ 0.5 (the same float rounding as numpy). */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The sorted positions numpy reads for each quantile of n values: floor(h) and floor(h) + 1 (clamped), and h's fraction. */
export function quantilePositions(n: number): { below: number; above: number; fraction: number }[] {
  return DRIFT_QUANTILES.map((q) => {
    const h = (n - 1) * q;
    const below = Math.floor(h);
    return { below, above: Math.min(below + 1, n - 1), fraction: h - below };
  });
}

/** The distinct bin edges from the values at each quantile's two positions (as quantilePositions lists them). */
export function edgesFromPositions(n: number, valueAt: (position: number) => number): number[] {
  if (n <= 0) return [];
  const edges = quantilePositions(n).map(({ below, above, fraction }) =>
    lerp(valueAt(below), valueAt(above), fraction),
  );
  return edges.filter((edge, i) => i === 0 || edge !== edges[i - 1]);
}

/** The distinct reference deciles: numpy.unique(numpy.quantile(reference, [0.1 … 0.9])). */
export function referenceEdges(reference: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(reference).sort();
  return edgesFromPositions(sorted.length, (position) => sorted[position]!);
}

/** The bin of a score: the number of edges strictly below it (bins are closed on the right). */
export function binOf(edges: readonly number[], score: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! < score) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per bin (edges.length + 1 bins). */
export function binCounts(edges: readonly number[], scores: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < scores.length; i++) counts[binOf(edges, scores[i]!)]!++;
  return counts;
}

/** PSI from two sides' counts over the same bins; null when either side is empty. */
export function psiFromCounts(reference: readonly number[], current: readonly number[]): number | null {
  const referenceN = reference.reduce((sum, count) => sum + count, 0);
  const currentN = current.reduce((sum, count) => sum + count, 0);
  if (referenceN === 0 || currentN === 0) return null;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const ref = Math.max(reference[i]! / referenceN, PSI_EPSILON);
    const cur = Math.max(current[i]! / currentN, PSI_EPSILON);
    psi += (cur - ref) * Math.log(cur / ref);
  }
  return psi;
}

/** The share of scores strictly above 0.8; null for no scores. */
export function fractionAbove(scores: ArrayLike<number>): number | null {
  if (scores.length === 0) return null;
  let above = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > HIGH_SCORE) above++;
  return above / scores.length;
}

/** The whole definition on two arrays of scores: what the host's SQL must equal. */
export function categoryDrift(
  category: string,
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): CategoryDrift {
  const edges = referenceEdges(reference);
  return {
    category,
    psi: psiFromCounts(binCounts(edges, reference), binCounts(edges, current)),
    reference: { n: reference.length, above: fractionAbove(reference) },
    current: { n: current.length, above: fractionAbove(current) },
    edges,
  };
}

/** The usual reading of a PSI (a rule of thumb, shown beside the number): < 0.1 stable, < 0.25 moderate, else large. */
export function psiReading(psi: number | null): 'stable' | 'moderate' | 'large' | null {
  if (psi === null) return null;
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'large';
}
