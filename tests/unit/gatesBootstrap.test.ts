/** The paired Poisson bootstrap behind a gate's interval (shared/pairedBootstrap.ts). */
import { describe, expect, it } from 'vitest';
import { bootstrapInterval, cellRecall, flagCells, percentile, poisson } from '../../shared/pairedBootstrap';
import { Random } from '../../shared/random';

describe('the paired bootstrap', () => {
  it('draws Poisson counts with the right mean and variance, small and large λ', () => {
    for (const lambda of [0.5, 3, 40, 5000]) {
      const random = new Random(7);
      const draws = Array.from({ length: 20_000 }, () => poisson(random, lambda));
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
      // Four standard errors of the mean and about five of the variance: a fixed seed, so this never flickers.
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / draws.length));
      expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.05);
      expect(draws.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
    }
  });

  it('counts items by label and both versions’ flags, and gives the same interval from the same seed', () => {
    const labels = [1, 1, 1, 0, 0, 1];
    const cells = flagCells(labels, [0.9, 0.2, 0.6, 0.7, 0.1, 0.8], [0.9, 0.9, 0.4, 0.1, 0.1, 0.8], 0.5, 0.5);
    // label·4 + candidate·2 + baseline: 1,1,1 → 7 twice; 1,0,1 → 5; 1,1,0 → 6; 0,1,0 → 2; 0,0,0 → 0.
    expect(Array.from(cells)).toEqual([1, 0, 1, 0, 0, 1, 1, 2]);
    expect(cellRecall(cells, 'candidate')).toBe(0.75);
    const difference = (drawn: Float64Array) => {
      const c = cellRecall(drawn, 'candidate');
      const b = cellRecall(drawn, 'baseline');
      return c === null || b === null ? null : c - b;
    };
    const once = bootstrapInterval(cells, difference, 1000, 0);
    expect(bootstrapInterval(cells, difference, 1000, 0)).toEqual(once);
    expect(once![0]).toBeLessThanOrEqual(0);
    expect(once![1]).toBeGreaterThanOrEqual(0);
  });

  it('takes percentiles as numpy does (linear between order statistics)', () => {
    // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) → [1.075, 3.925]
    expect(percentile([1, 2, 3, 4], 2.5)).toBeCloseTo(1.075, 12);
    expect(percentile([1, 2, 3, 4], 97.5)).toBeCloseTo(3.925, 12);
  });
});
