/**
 * The figures of the Evaluate view for one category, from its scored, labelled pairs: calibration, ranking, a
 * routing grid and slices. Pure computation on typed arrays — it runs in the engine's worker pool, so the engine
 * keeps answering calls while a million pairs are evaluated.
 */
import { brierScore, expectedCalibrationError, maximumCalibrationError, type ReliabilityBin, reliabilityBins, scoreHistogram } from '../../shared/calibration.js';
import { fitIsotonic, fitPlatt, isotonicPredict, plattPredict } from '../../shared/calibrationFit.js';
import type { CalibrationFit, CategoryEvaluation, SliceMetrics } from '../../shared/contract.js';
import { averagePrecision, precisionAtRecall, precisionRecallCurve, recallAtPrecision, rocAuc } from '../../shared/rankingMetrics.js';

export const SLICE_DIMENSIONS = ['language', 'surface', 'content_type', 'account_age'] as const;
export type SliceDimension = (typeof SLICE_DIMENSIONS)[number];
const GRID = 1000;

/** One category's pairs, packed so they cross to a worker without copying: slices are dictionary-coded (-1: none). */
export interface PackedCategory {
  scores: Float64Array;
  labels: Uint8Array;
  slices: Record<SliceDimension, { codes: Int32Array; values: string[] }>;
}

/** The buffers of a packed category, to transfer (not copy) to a worker. */
export function transferables(data: PackedCategory): ArrayBuffer[] {
  return [data.scores.buffer as ArrayBuffer, data.labels.buffer as ArrayBuffer, ...SLICE_DIMENSIONS.map((dimension) => data.slices[dimension].codes.buffer as ArrayBuffer)];
}

/** Keeps a curve's shape with at most `limit` points (always the ends). */
function downsample<T>(points: T[], limit: number): T[] {
  if (points.length <= limit) return points;
  const step = (points.length - 1) / (limit - 1);
  return Array.from({ length: limit }, (_, i) => points[Math.round(i * step)]!);
}

function rates(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number) {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i]) positives++;
    if (scores[i]! >= threshold) {
      if (labels[i]) tp++;
      else fp++;
    }
  }
  const negatives = scores.length - positives;
  return { positives, recall: positives ? tp / positives : null, fpr: negatives ? fp / negatives : null, precision: tp + fp ? tp / (tp + fp) : null };
}

function sliceMetrics(data: PackedCategory, threshold: number, margin: number): SliceMetrics[] {
  const overall = rates(data.scores, data.labels, threshold);
  const result: SliceMetrics[] = [];
  for (const dimension of SLICE_DIMENSIONS) {
    const { codes, values } = data.slices[dimension];
    const groups: number[][] = values.map(() => []);
    for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) groups[codes[i]!]!.push(i);
    const ordered = values.map((value, code) => ({ value, indices: groups[code]! })).filter((group) => group.indices.length > 0);
    for (const { value, indices } of ordered.sort((a, b) => b.indices.length - a.indices.length || (a.value < b.value ? -1 : 1))) {
      const r = rates(indices.map((i) => data.scores[i]!), indices.map((i) => data.labels[i]!), threshold);
      const recallGap = r.recall !== null && overall.recall !== null ? r.recall - overall.recall : null;
      const fprGap = r.fpr !== null && overall.fpr !== null ? r.fpr - overall.fpr : null;
      result.push({
        dimension,
        value,
        n: indices.length,
        positives: r.positives,
        recall: r.recall,
        fpr: r.fpr,
        precision: r.precision,
        recallGap,
        fprGap,
        flagged: (recallGap !== null && Math.abs(recallGap) > margin) || (fprGap !== null && Math.abs(fprGap) > margin),
      });
    }
  }
  return result;
}

export function evaluateCategory(category: string, data: PackedCategory, bins: number, threshold: { remove: number; escalate: number }, critical: boolean, margin: number): CategoryEvaluation {
  const { scores, labels } = data;
  const curve = precisionRecallCurve(labels, scores);
  const points = curve.thresholds.map((t, i) => ({ precision: curve.precision[i]!, recall: curve.recall[i]!, threshold: t }));
  const grid = { positive: new Array<number>(GRID).fill(0), negative: new Array<number>(GRID).fill(0) };
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    const cell = Math.min(GRID - 1, Math.floor(scores[i]! * GRID));
    if (labels[i]) {
      grid.positive[cell]!++;
      positives++;
    } else grid.negative[cell]!++;
  }
  return {
    category,
    critical,
    n: scores.length,
    positives,
    averagePrecision: scores.length ? averagePrecision(labels, scores) : null,
    rocAuc: rocAuc(labels, scores),
    brier: scores.length ? brierScore(labels, scores) : null,
    ece: scores.length ? expectedCalibrationError(labels, scores, bins) : null,
    mce: scores.length ? maximumCalibrationError(labels, scores, bins) : null,
    reliability: { uniform: reliabilityBins(labels, scores, bins, 'uniform'), quantile: scores.length ? reliabilityBins(labels, scores, bins, 'quantile') : [] },
    histogram: scoreHistogram(labels, scores, 50),
    pr: downsample(points, 400),
    operating: {
      recallAtPrecision90: recallAtPrecision(curve, 0.9),
      recallAtPrecision95: recallAtPrecision(curve, 0.95),
      precisionAtRecall80: precisionAtRecall(curve, 0.8),
      precisionAtRecall90: precisionAtRecall(curve, 0.9),
    },
    thresholds: threshold,
    grid,
    slices: sliceMetrics(data, threshold.remove, margin),
  };
}


const logit = (p: number) => {
  const clipped = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return Math.log(clipped / (1 - clipped));
};

/** Fits Platt or isotonic calibration on the items `fitMask` marks and shows its effect on the others. */
export function fitCalibrationCategory(
  category: string,
  scores: Float64Array,
  labels: Uint8Array,
  fitMask: Uint8Array,
  method: 'platt' | 'isotonic',
  bins: number,
): CalibrationFit['categories'][number] {
  const fitIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0; i < fitMask.length; i++) (fitMask[i] ? fitIdx : testIdx).push(i);
  const fitLabels = fitIdx.map((i) => labels[i]!);
  const positives = fitLabels.reduce((a, b) => a + b, 0);
  if (fitIdx.length < 10 || positives === 0 || positives === fitLabels.length) {
    return { category, fitted: false, reason: `too few labelled items of both classes to fit (${fitIdx.length} items, ${positives} positive)`, params: null, before: null, after: null };
  }
  const testScores = testIdx.map((i) => scores[i]!);
  const testLabels = testIdx.map((i) => labels[i]!);
  let params: { a: number; b: number } | { x: number[]; y: number[] };
  let calibrated: number[];
  if (method === 'platt') {
    const platt = fitPlatt(fitIdx.map((i) => logit(scores[i]!)), fitLabels);
    params = platt;
    calibrated = testScores.map((s) => plattPredict(platt, logit(s)));
  } else {
    const isotonic = fitIsotonic(fitIdx.map((i) => scores[i]!), fitLabels);
    params = isotonic;
    calibrated = testScores.map((s) => isotonicPredict(isotonic, s));
  }
  const summary = (values: number[]) => ({
    ece: expectedCalibrationError(testLabels, values, bins),
    brier: brierScore(testLabels, values),
    reliability: reliabilityBins(testLabels, values, bins, 'uniform') as ReliabilityBin[],
  });
  return { category, fitted: true, params, before: summary(testScores), after: summary(calibrated), fitItems: fitIdx.length, testItems: testIdx.length };
}
