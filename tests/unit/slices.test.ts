/** Wilson intervals and the rule that highlights a slice's gap only when it is real. */
import { describe, expect, it } from 'vitest';
import { differs, fprOf, rateOf, recallOf, wilsonInterval } from '../../shared/slices';

describe('Wilson 95% intervals', () => {
  // Reference: statsmodels 0.13.5, proportion_confint(count, nobs, alpha=0.05, method='wilson'), run with Debian's
  // python3-statsmodels while writing this test (the suite itself needs no Python).
  const reference: [number, number, number, number][] = [
    [1, 15, 0.011866895493268553, 0.2981652987378003],
    [0, 10, 0.0, 0.27753279986288926],
    [10, 10, 0.7224672001371106, 1.0],
    [45, 100, 0.35614537979511973, 0.5475539700255787],
    [3, 1000, 0.0010207838811386195, 0.008783014053503176],
    [14, 15, 0.7018347012621997, 0.9881331045067314],
  ];
  it.each(reference)('%i of %i', (successes, n, low, high) => {
    const [lo, hi] = wilsonInterval(successes, n)!;
    expect(lo).toBeCloseTo(low, 12);
    expect(hi).toBeCloseTo(high, 12);
  });
  it('has no interval for no items', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(rateOf(0, 0)).toEqual({ value: null, interval: null, n: 0 });
  });
});

describe('highlighting a slice', () => {
  const overall = { n: 10_000, positives: 2_000, truePositives: 1_600, falsePositives: 400 };
  it('does not highlight 15 items with one negative, however large the apparent gap', () => {
    const small = { n: 15, positives: 14, truePositives: 14, falsePositives: 1 };
    expect(fprOf(small).value).toBe(1); // 100% false-positive rate, against 5% overall
    expect(differs(fprOf(small), fprOf(overall), 30)).toBe(false);
    expect(differs(fprOf(small), fprOf(overall), 1)).toBe(true); // with the minimum n lowered, its interval [0.21, 1] says it is real
  });
  it('highlights a large slice whose interval clears the overall one, and not one that overlaps it', () => {
    const worse = { n: 2_000, positives: 400, truePositives: 240, falsePositives: 80 };
    expect(differs(recallOf(worse), recallOf(overall), 30)).toBe(true); // 60% vs 80%
    const close = { n: 2_000, positives: 400, truePositives: 312, falsePositives: 80 };
    expect(differs(recallOf(close), recallOf(overall), 30)).toBe(false); // 78% vs 80%: intervals overlap
  });
});
