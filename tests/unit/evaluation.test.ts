/**
 * Golden tests: the per-item evaluation functions against scikit-learn's numbers (goldenEvaluation.ts says how
 * they were computed). The per-item functions group by distinct score first, so the grouped forms evaluation uses
 * are what these check.
 */
import { DuckDBInstance, type DuckDBVector } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { gathered, listedPairs } from '../../electron/host/evaluation/pairScan';
import {
  brierScore,
  expectedCalibrationError,
  maximumCalibrationError,
  reliabilityBins,
} from '../../shared/calibration';
import { fitIsotonic, fitPlatt, isotonicPredict, plattPredict } from '../../shared/calibrationFit';
import {
  averagePrecision,
  precisionAtRecall,
  precisionRecallCurve,
  recallAtPrecision,
  rocAuc,
} from '../../shared/rankingMetrics';
import { ascendingOrder, countLabelled } from '../../shared/scoreCounts';
import { GOLDEN, type GoldenCase, INPUTS } from './goldenEvaluation';

const close = (values: ArrayLike<number>, expected: readonly number[]) => {
  const actual = Array.from(values);
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 12));
};

describe.each(Object.keys(INPUTS))('against scikit-learn: %s', (name) => {
  const [y, p] = INPUTS[name]!;
  const golden = (GOLDEN as unknown as Record<string, GoldenCase>)[name]!;

  it('reliability bins, uniform and quantile, empty bins dropped', () => {
    for (const [key, bins, strategy] of [
      ['uniform5', 5, 'uniform'],
      ['uniform10', 10, 'uniform'],
      ['quantile4', 4, 'quantile'],
    ] as const) {
      const expected = golden[key] as { fraction_positive: number[]; mean_predicted: number[] };
      const actual = reliabilityBins(y, p, bins, strategy);
      close(
        actual.map((b) => b.fractionPositive),
        expected.fraction_positive,
      );
      close(
        actual.map((b) => b.meanPredicted),
        expected.mean_predicted,
      );
      expect(actual.reduce((sum, b) => sum + b.count, 0)).toBe(y.length);
    }
  });

  it('Brier score, ECE and MCE', () => {
    expect(brierScore(y, p)).toBeCloseTo(golden.brier, 12);
    expect(expectedCalibrationError(y, p, 15)).toBeCloseTo(golden.ece15, 12);
    expect(maximumCalibrationError(y, p, 15)).toBeCloseTo(golden.mce15, 12);
    expect(expectedCalibrationError(y, p, 5)).toBeCloseTo(golden.ece5, 12);
    expect(maximumCalibrationError(y, p, 5)).toBeCloseTo(golden.mce5, 12);
  });

  it('precision–recall curve (ties enter together), average precision and ROC AUC', () => {
    const curve = precisionRecallCurve(y, p);
    close(curve.precision, golden.pr.precision);
    close(curve.recall, golden.pr.recall);
    close(curve.thresholds, golden.pr.thresholds);
    expect(averagePrecision(y, p)).toBeCloseTo(golden.ap, 12);
    if (golden.roc_auc === null) expect(rocAuc(y, p)).toBeNull();
    else expect(rocAuc(y, p)).toBeCloseTo(golden.roc_auc, 12);
  });
});

describe('operating points', () => {
  it('reads recall at a precision and precision at a recall off the curve', () => {
    // mixed_ties curve (above): precision ≥ 0.8 first reaches recall 0.6667 (threshold 0.55); recall ≥ 0.8 is
    // first met with precision 0.625 (threshold 0.4), and 0.6667 at threshold 0.35 is better.
    const [y, p] = INPUTS.mixed_ties!;
    const curve = precisionRecallCurve(y, p);
    expect(recallAtPrecision(curve, 0.8)).toEqual({ recall: 2 / 3, threshold: 0.55 });
    expect(precisionAtRecall(curve, 0.8)).toEqual({ precision: 2 / 3, threshold: 0.35 });
    expect(recallAtPrecision(curve, 1.01)).toEqual({ recall: 0, threshold: null });
  });
});

describe('calibration fitting against scikit-learn', () => {
  it("Platt scaling finds _sigmoid_calibration's A and B", () => {
    const { f, y, a, b } = GOLDEN.platt;
    const fitted = fitPlatt(f, y);
    // scikit-learn stops BFGS at a gradient tolerance of 1e-5; both reach the same minimum of a convex loss.
    expect(fitted.a).toBeCloseTo(a, 4);
    expect(fitted.b).toBeCloseTo(b, 4);
    expect(plattPredict(fitted, 0.5)).toBeCloseTo(1 / (1 + Math.exp(a * 0.5 + b)), 5);
  });

  it('isotonic regression predicts what IsotonicRegression(out_of_bounds="clip") predicts, ties pooled', () => {
    const { x, y, query, predicted } = GOLDEN.isotonic;
    const model = fitIsotonic(x, y);
    close(
      query.map((q) => isotonicPredict(model, q)),
      predicted,
    );
  });
});

describe('input checks', () => {
  it('refuses scores outside [0, 1] and mismatched lengths', () => {
    expect(() => reliabilityBins([1], [1.2], 5)).toThrow('score 1.2 at position 0 is outside [0, 1]');
    expect(() => brierScore([1, 0], [0.5])).toThrow('labels and scores differ in length (2 vs 1)');
  });
});

describe('grouping by distinct score', () => {
  it('orders any doubles as a numeric sort does (radix on the bits), and merges equal scores', () => {
    const values = Float64Array.from([
      3,
      -1,
      0.5,
      -0,
      0,
      -2.5,
      1e-300,
      -1e-300,
      7,
      Infinity,
      -Infinity,
      0.5,
      0.1 + 0.2,
      0.3,
    ]);
    const order = ascendingOrder(values);
    expect(Array.from(order, (i) => values[i])).toEqual(Array.from(values).sort((a, b) => a - b));
    // Pairs as DuckDB lists them, in no order: ties fall together, labels counted per distinct score.
    const labels = [1, 0, 0, 1, 0, 1, 1, 0];
    const grouped = countLabelled(Float64Array.from([0.9, 0.2, 0.9, 0.4, 0.9, 0.9, -0, 0]), Uint32Array.from(labels));
    expect(Array.from(grouped.scores)).toEqual([-0, 0.2, 0.4, 0.9]);
    expect(Array.from(grouped.positives)).toEqual([1, 0, 1, 2]);
    expect(Array.from(grouped.negatives)).toEqual([1, 1, 0, 2]);
  });

  it('keeps only the isotonic points that carry a prediction, predicting exactly as the full fit', () => {
    // 2,000 items in 400 distinct scores: PAV pools them into few flat blocks; interior points of a flat run go.
    const x = Array.from({ length: 2000 }, (_, i) => Math.round(((i * 7919) % 2000) / 5) / 400);
    const y = x.map((value, i): number => (((i * 104729) % 1000) / 1000 < value ? 1 : 0));
    const model = fitIsotonic(x, y);
    expect(model.x.length).toBeLessThan(400);
    // The prediction at every distinct x equals its block's mean, computed here directly by brute-force PAV.
    const distinct = [...new Set(x)].sort((a, b) => a - b);
    const means = distinct.map((value) => {
      const ys = y.filter((_, i) => x[i] === value);
      return { value, weight: ys.length, mean: ys.reduce((a, b) => a + b, 0) / ys.length };
    });
    const blocks: { mean: number; weight: number; members: number[] }[] = [];
    means.forEach((point) => {
      blocks.push({ mean: point.mean, weight: point.weight, members: [point.value] });
      while (blocks.length > 1 && blocks.at(-2)!.mean > blocks.at(-1)!.mean) {
        const top = blocks.pop()!;
        const below = blocks.at(-1)!;
        below.mean = (below.mean * below.weight + top.mean * top.weight) / (below.weight + top.weight);
        below.weight += top.weight;
        below.members.push(...top.members);
      }
    });
    for (const block of blocks)
      for (const member of block.members) expect(isotonicPredict(model, member)).toBeCloseTo(block.mean, 12);
  });
});

describe('reading listed pairs from DuckDB', () => {
  it('takes each row of a list of (score, code) structs whole from the typed arrays, equal to reading item by item', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const result = await conn.run(
        `SELECT g, list({score: (i / 997.0)::DOUBLE, code: (i % 4)::TINYINT} ORDER BY i) AS pairs FROM range(5000) t(i), (SELECT (i % 3) AS g) GROUP BY g ORDER BY g`,
      );
      const chunk = result.getChunk(0);
      const vector = chunk.getColumnVector(1);
      for (let row = 0; row < chunk.rowCount; row++) {
        const fast = listedPairs(vector, row);
        // The same row through the binding's generic accessor (what the reader falls back to if the layout changes).
        const slow = listedPairs({ getItem: (r: number) => vector.getItem(r) } as unknown as DuckDBVector, row);
        expect(fast.scores).toBeInstanceOf(Float64Array);
        expect(fast.scores.length).toBeGreaterThan(1600);
        expect(Array.from(fast.scores)).toEqual(Array.from(slow.scores));
        expect(Array.from(fast.codes)).toEqual(Array.from(slow.codes));
        expect(Math.max(...fast.codes)).toBe(3);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it("gathers a category's groups into one pair of buffers, block by block with a pause between, in order", async () => {
    // Groups around the 65,536-pair block: one short, one longer than two blocks, one empty.
    const group = (size: number, offset: number) => ({
      scores: Float64Array.from({ length: size }, (_, i) => (offset + i) / 1e6),
      codes: Int8Array.from({ length: size }, (_, i) => (offset + i) % 4),
    });
    const parts = [group(10, 0), group(140_000, 10), group(0, 140_010), group(3, 140_010)];
    let pauses = 0;
    const joined = await gathered(parts, async () => void pauses++);
    expect(joined.scores.length).toBe(140_013);
    expect(joined.scores.every((score, i) => score === i / 1e6)).toBe(true);
    expect(joined.codes.every((code, i) => code === i % 4)).toBe(true);
    expect(pauses).toBe(5); // 1 + 3 + 0 + 1 blocks
  });
});
