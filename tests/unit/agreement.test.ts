/**
 * Agreement statistics against their references. Numbers from tests/golden/agreement.py (Debian's python3):
 * statsmodels 0.13.5 `fleiss_kappa`, scikit-learn `cohen_kappa_score`, and Krippendorff's alpha from the published
 * formula, checked on the paper's own example (the `krippendorff` package is not installable here).
 */
import { describe, expect, it } from 'vitest';
import { cohenKappa, fleissKappa, krippendorffAlphaNominal } from '../../shared/agreement';

const counts = (values: (string | number)[]) => {
  const unit: Record<string, number> = {};
  for (const value of values) unit[String(value)] = (unit[String(value)] ?? 0) + 1;
  return unit;
};

describe("Krippendorff's alpha (nominal)", () => {
  it('gives 0.743 on the worked example of Krippendorff (2011), missing values and all', () => {
    const coders = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
      [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ];
    const units = Array.from({ length: 12 }, (_, u) =>
      counts(coders.map((row) => row[u]).filter((value): value is number => value !== null)),
    );
    expect(krippendorffAlphaNominal(units).value).toBeCloseTo(0.743, 3);
  });

  it('matches the reference on binary labels with 1–5 raters per item', () => {
    const units = [
      ['1', '1', '0'],
      ['0', '0', '0'],
      ['1', '1', '1', '0'],
      ['0'],
      ['1', '0'],
      ['0', '0', '1', '1', '0'],
      ['1', '1'],
      ['0', '1', '0'],
    ].map(counts);
    expect(krippendorffAlphaNominal(units).value).toBeCloseTo(0.045454545454545414, 12);
  });

  it('says why when undefined: one value only, or no item with two ratings', () => {
    expect(krippendorffAlphaNominal([counts(['1', '1']), counts(['1', '1', '1'])])).toEqual({
      value: null,
      reason: expect.stringContaining('same single value'),
    });
    expect(krippendorffAlphaNominal([counts(['1']), counts(['0'])])).toEqual({
      value: null,
      reason: 'no item has two ratings',
    });
    expect(krippendorffAlphaNominal([])).toMatchObject({ value: null });
  });
});

describe("Fleiss' kappa", () => {
  it('matches statsmodels on the 10 items × 14 raters worked example', () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    expect(fleissKappa(table).value).toBeCloseTo(0.20993070442195522, 12);
  });

  it('matches statsmodels on three raters and a binary label', () => {
    expect(
      fleissKappa([
        [3, 0],
        [2, 1],
        [0, 3],
        [1, 2],
        [3, 0],
        [3, 0],
      ]).value,
    ).toBeCloseTo(0.4999999999999997, 12);
  });

  it('says why when undefined or not applicable', () => {
    expect(
      fleissKappa([
        [3, 0],
        [3, 0],
      ]),
    ).toEqual({ value: null, reason: expect.stringContaining('same single value') });
    expect(
      fleissKappa([
        [3, 0],
        [1, 1],
      ]),
    ).toEqual({ value: null, reason: expect.stringContaining('different numbers of ratings') });
    expect(fleissKappa([[1, 0]])).toMatchObject({ value: null, reason: 'each item needs at least two ratings' });
    expect(fleissKappa([])).toMatchObject({ value: null });
  });
});

describe("Cohen's kappa", () => {
  it('matches scikit-learn on two raters and three classes', () => {
    const a = ['spam', 'ham', 'spam', 'spam', 'ham', 'hate', 'ham', 'spam', 'hate', 'ham'];
    const b = ['spam', 'ham', 'ham', 'spam', 'ham', 'hate', 'spam', 'spam', 'ham', 'ham'];
    expect(cohenKappa(a, b).value).toBeCloseTo(0.5161290322580645, 12);
  });

  it('says why when undefined', () => {
    expect(cohenKappa(['1', '1'], ['1', '1'])).toEqual({
      value: null,
      reason: expect.stringContaining('same single value'),
    });
    expect(cohenKappa([], [])).toEqual({ value: null, reason: 'the two annotators rated no item in common' });
  });
});
