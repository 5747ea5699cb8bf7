/**
 * The figures of the Evaluate view for one category, from its pairs as DuckDB listed them (a score and a label per
 * pair, typed arrays) and its counts per slice value: one radix sort groups the pairs by distinct score, and every
 * figure — calibration, ranking, the routing grid — follows in O(distinct scores). It runs in the engine's worker
 * pool, so the engine keeps answering calls meanwhile.
 */
import {
  brierScoreOf,
  calibrationErrors,
  type ReliabilityBin,
  reliabilityBinsOf,
  scoreHistogramOf,
} from '../../../shared/calibration.js';
import { fitIsotonicOf, fitPlattOf, isotonicPredict, plattPredict } from '../../../shared/calibrationFit.js';
import type { CalibrationFit, CategoryEvaluation, SliceMetrics } from '../../../shared/contract.js';
import { type SliceBaseline, type SliceCounts, sliceTable } from '../../../shared/slices.js';
import {
  averagePrecisionOfCurve,
  precisionAtRecall,
  precisionRecallCurveOf,
  recallAtPrecision,
  rocAucOf,
} from '../../../shared/rankingMetrics.js';
import { countLabelled, groupScores, type ScoreCounts, totals } from '../../../shared/scoreCounts.js';
import type { PairLists } from './pairScan.js';

export { SLICE_DIMENSIONS, type SliceDimension } from '../../../shared/slices.js';

const GRID = 1000;

/** One slice value's pairs: how many, how many positive, and the true and false positives at the remove threshold. */
export type SliceCount = SliceCounts;

/** The buffers of a category's pairs (gathered into buffers of their own), to transfer, not copy, to a worker. */
export function transferables(pairs: PairLists): ArrayBuffer[] {
  return [pairs.scores.buffer as ArrayBuffer, pairs.codes.buffer as ArrayBuffer];
}

/** A category's pairs grouped by distinct score: all of them, or one calibration side (bit 1 of the code). */
export function countPairs({ scores, codes }: PairLists, side?: 0 | 1): ScoreCounts {
  // Loops, not TypedArray.from with a map function: that costs ~0.2 s a million.
  if (side === undefined) {
    const labels = new Uint32Array(codes.length);
    for (let i = 0; i < codes.length; i++) labels[i] = codes[i]! & 1;
    return countLabelled(scores, labels);
  }
  let size = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i]! >> 1 === side) size++;
  const sideScores = new Float64Array(size);
  const sideLabels = new Uint32Array(size);
  for (let i = 0, k = 0; i < codes.length; i++) {
    if (codes[i]! >> 1 !== side) continue;
    sideScores[k] = scores[i]!;
    sideLabels[k++] = codes[i]! & 1;
  }
  return countLabelled(sideScores, sideLabels);
}

/** Which of `length` curve points to draw: at most `limit`, evenly spread, always both ends. */
function downsampledIndices(length: number, limit: number): number[] {
  if (length <= limit) return Array.from({ length }, (_, i) => i);
  const step = (length - 1) / (limit - 1);
  return Array.from({ length: limit }, (_, i) => Math.round(i * step));
}

/** The overall counts at the threshold, then every slice against them (shared/slices.ts holds the rule). */
function sliceFigures(
  counts: ScoreCounts,
  slices: SliceCount[],
  threshold: number,
  minN: number,
): { baseline: SliceBaseline; slices: SliceMetrics[] } {
  const { n, positives } = totals(counts);
  let truePositives = 0;
  let falsePositives = 0;
  for (let k = 0; k < counts.scores.length; k++) {
    if (counts.scores[k]! < threshold) continue;
    truePositives += counts.positives[k]!;
    falsePositives += counts.negatives[k]!;
  }
  return sliceTable({ n, positives, truePositives, falsePositives }, slices, threshold, minN);
}

export function evaluateCategory(
  category: string,
  pairs: PairLists,
  slices: SliceCount[],
  bins: number,
  threshold: { remove: number; escalate: number },
  critical: boolean,
  minSliceN: number,
): CategoryEvaluation {
  const counts = countPairs(pairs);
  const { n, positives } = totals(counts);
  const curve = precisionRecallCurveOf(counts);
  const uniform = reliabilityBinsOf(counts, bins, 'uniform');
  const errors = n ? calibrationErrors(uniform, n) : null;
  const grid = { positive: new Array<number>(GRID).fill(0), negative: new Array<number>(GRID).fill(0) };
  for (let k = 0; k < counts.scores.length; k++) {
    const cell = Math.min(GRID - 1, Math.floor(counts.scores[k]! * GRID));
    grid.positive[cell]! += counts.positives[k]!;
    grid.negative[cell]! += counts.negatives[k]!;
  }
  return {
    category,
    critical,
    n,
    positives,
    averagePrecision: n ? averagePrecisionOfCurve(curve) : null,
    rocAuc: rocAucOf(counts),
    brier: n ? brierScoreOf(counts) : null,
    ece: errors?.ece ?? null,
    mce: errors?.mce ?? null,
    reliability: { uniform, quantile: n ? reliabilityBinsOf(counts, bins, 'quantile') : [] },
    histogram: scoreHistogramOf(counts, 50),
    pr: downsampledIndices(curve.thresholds.length, 400).map((i) => ({
      precision: curve.precision[i]!,
      recall: curve.recall[i]!,
      threshold: curve.thresholds[i]!,
    })),
    operating: {
      recallAtPrecision90: recallAtPrecision(curve, 0.9),
      recallAtPrecision95: recallAtPrecision(curve, 0.95),
      precisionAtRecall80: precisionAtRecall(curve, 0.8),
      precisionAtRecall90: precisionAtRecall(curve, 0.9),
    },
    thresholds: threshold,
    grid,
    ...(() => {
      const figures = sliceFigures(counts, slices, threshold.remove, minSliceN);
      return { slices: figures.slices, sliceBaseline: figures.baseline };
    })(),
  };
}

const logit = (p: number) => {
  const clipped = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(clipped / (1 - clipped));
};

/** Counts over transformed scores: a calibration map applied to each distinct score, ties pooled again. */
function mapScores(counts: ScoreCounts, transform: (score: number) => number): ScoreCounts {
  return groupScores(counts.scores.map(transform), counts.positives, counts.negatives);
}

/** Fits Platt or isotonic calibration on the `fit` half and shows its effect on the `test` half. */
export function fitCalibrationCategory(
  category: string,
  all: PairLists,
  fitSide: 0 | 1,
  method: 'platt' | 'isotonic',
  bins: number,
): CalibrationFit['categories'][number] {
  const fit = countPairs(all, fitSide);
  const test = countPairs(all, fitSide === 0 ? 1 : 0);
  const fitTotals = totals(fit);
  const testTotals = totals(test);
  if (fitTotals.n < 10 || fitTotals.positives === 0 || fitTotals.negatives === 0) {
    return {
      category,
      fitted: false,
      reason: `too few labelled items of both classes to fit (${fitTotals.n} items, ${fitTotals.positives} positive)`,
      params: null,
      before: null,
      after: null,
    };
  }
  let params: { a: number; b: number } | { x: number[]; y: number[] };
  let calibrated: ScoreCounts;
  if (method === 'platt') {
    const platt = fitPlattOf(mapScores(fit, logit));
    params = platt;
    calibrated = mapScores(test, (score) => plattPredict(platt, logit(score)));
  } else {
    const isotonic = fitIsotonicOf(fit);
    params = isotonic;
    calibrated = mapScores(test, (score) => isotonicPredict(isotonic, score));
  }
  const summary = (counts: ScoreCounts) => {
    const reliability: ReliabilityBin[] = reliabilityBinsOf(counts, bins, 'uniform');
    const n = totals(counts).n;
    return { ece: n ? calibrationErrors(reliability, n).ece : Number.NaN, brier: brierScoreOf(counts), reliability };
  };
  return {
    category,
    fitted: true,
    params,
    before: summary(test),
    after: summary(calibrated),
    fitItems: fitTotals.n,
    testItems: testTotals.n,
  };
}
