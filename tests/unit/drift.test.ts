/** PSI and the fraction above 0.8 (shared/drift.ts) against numpy, computed from the documented formula. */
import { describe, expect, it } from 'vitest';
import { binOf, categoryDrift, psiFromCounts, PSI_EPSILON, referenceEdges } from '../../shared/drift';

// The arrays the reference script builds: scores on a 1/1000 grid from a multiplicative hash, some with many ties.
const reference = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) / 1000);
const current = Array.from({ length: 300 }, (_, i) => Math.min(1, (((i * 104729) % 1000) / 1000) * 0.7 + 0.25));
const tiedReference = [...Array<number>(45).fill(0), ...Array.from({ length: 55 }, (_, i) => ((i * 37) % 100) / 100)];
const tiedCurrent = [...Array<number>(10).fill(0), ...Array.from({ length: 90 }, (_, i) => ((i * 53) % 100) / 100)];

/*
 * Reference: numpy 1.24.2 (Debian's python3-numpy, /usr/bin/python3), run while writing this test:
 *
 *   def psi(ref, cur, eps=1e-4):
 *       ref = np.asarray(ref, dtype=np.float64); cur = np.asarray(cur, dtype=np.float64)
 *       edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))          # default method='linear'
 *       r = np.bincount(np.searchsorted(edges, ref, side='left'), minlength=len(edges) + 1) / len(ref)
 *       c = np.bincount(np.searchsorted(edges, cur, side='left'), minlength=len(edges) + 1) / len(cur)
 *       r = np.maximum(r, eps); c = np.maximum(c, eps)
 *       return float(np.sum((c - r) * np.log(c / r))), edges
 *   # fraction above 0.8: float(np.mean(np.asarray(cur) > 0.8))
 *
 * with the arrays above built the same way in Python (range(500), (i * 7919) % 1000 / 1000, …).
 */
const SHIFTED_EDGES = [
  0.09870000000000002, 0.19880000000000003, 0.30169999999999997, 0.4028000000000001, 0.5025, 0.6017999999999999,
  0.7032999999999999, 0.7976000000000002, 0.8991,
];

describe('PSI against numpy', () => {
  it('reproduces the reference deciles bit for bit (numpy linear interpolation)', () => {
    expect(referenceEdges(reference)).toEqual(SHIFTED_EDGES);
  });

  it('a shifted distribution', () => {
    const drift = categoryDrift('spam', reference, current);
    expect(drift.edges).toEqual(SHIFTED_EDGES);
    expect(drift.psi).toBeCloseTo(1.4820847694650865, 12);
    expect(drift.current).toEqual({ n: 300, above: 0.21333333333333335 });
    expect(drift.reference).toEqual({ n: 500, above: 0.198 });
  });

  it('the same distribution is 0', () => {
    expect(categoryDrift('spam', reference, reference).psi).toBe(0);
  });

  it('tied edges are merged: 45% zeros give 6 distinct edges, 7 bins', () => {
    const drift = categoryDrift('spam', tiedReference, tiedCurrent);
    expect(drift.edges).toEqual([
      0, 0.085, 0.26199999999999996, 0.4489999999999999, 0.6260000000000001, 0.8130000000000003,
    ]);
    expect(drift.psi).toBeCloseTo(0.6804654740480237, 12);
    expect(drift.current.above).toBe(0.16);
  });

  it('empty current bins are floored at epsilon (numpy: 8.283089355027482)', () => {
    expect(categoryDrift('spam', reference, Array<number>(20).fill(0)).psi).toBeCloseTo(8.283089355027482, 12);
  });
});

describe('the definition', () => {
  it('bins are closed on the right: a score equal to an edge is in the bin below it', () => {
    expect(binOf([0.2, 0.5], 0.2)).toBe(0);
    expect(binOf([0.2, 0.5], 0.2000001)).toBe(1);
    expect(binOf([0.2, 0.5], 0.9)).toBe(2);
  });

  it('epsilon floors each proportion, without renormalising', () => {
    // ref (1, 0), cur (0, 1): both proportions 1 and ε → 2 · (1 − ε) · ln(1 / ε).
    expect(psiFromCounts([5, 0], [0, 7])).toBeCloseTo(2 * (1 - PSI_EPSILON) * Math.log(1 / PSI_EPSILON), 12);
  });

  it('no PSI and no fraction for an empty side', () => {
    const drift = categoryDrift('spam', reference, []);
    expect(drift.psi).toBeNull();
    expect(drift.current).toEqual({ n: 0, above: null });
    expect(categoryDrift('spam', [], reference)).toMatchObject({ psi: null, edges: [] });
  });

  it('one reference score gives one edge', () => {
    expect(referenceEdges([0.3])).toEqual([0.3]);
  });
});
