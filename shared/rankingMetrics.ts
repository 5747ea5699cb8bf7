/**
 * Ranking metrics exactly as scikit-learn computes them: the precision–recall curve (step-wise; tied scores
 * enter together, one point per distinct score), average precision Σ (Rₙ − Rₙ₋₁) Pₙ, and ROC AUC by the
 * trapezoid over distinct thresholds. Each has a form over items grouped by distinct score (scoreCounts.ts), which
 * is what evaluation uses; the per-item forms group first.
 */
import { countScores, type ScoreCounts } from './scoreCounts.js';

export interface PrecisionRecallCurve {
  /** As scikit-learn returns them: increasing threshold, with a final (precision 1, recall 0) point. */
  precision: Float64Array;
  recall: Float64Array;
  thresholds: Float64Array;
}

export function precisionRecallCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): PrecisionRecallCurve {
  return precisionRecallCurveOf(countScores(yTrue, scores));
}

/**
 * One walk down the distinct scores (scikit-learn's _binary_clf_curve: true and false positives at or above each),
 * writing precision and recall straight into increasing-threshold order: the curve's thresholds are the distinct
 * scores themselves. Two arrays, where the curve and its copy took six: at a million distinct scores each array is
 * 8 MB to fault in.
 */
export function precisionRecallCurveOf(counts: ScoreCounts): PrecisionRecallCurve {
  const d = counts.scores.length;
  let total = 0;
  for (let k = d - 1; k >= 0; k--) total += counts.positives[k]!;
  const precision = new Float64Array(d + 1);
  const recall = new Float64Array(d + 1);
  let tp = 0;
  let fp = 0;
  for (let out = d - 1; out >= 0; out--) {
    tp += counts.positives[out]!;
    fp += counts.negatives[out]!;
    const predicted = tp + fp;
    precision[out] = predicted ? tp / predicted : 0;
    // No positives at all: scikit-learn sets recall to 1 everywhere (and warns).
    recall[out] = total === 0 ? 1 : tp / total;
  }
  precision[d] = 1;
  recall[d] = 0;
  return { precision, recall, thresholds: counts.scores };
}

export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  return averagePrecisionOf(countScores(yTrue, scores));
}

export function averagePrecisionOf(counts: ScoreCounts): number {
  return averagePrecisionOfCurve(precisionRecallCurveOf(counts));
}

/** Average precision from a curve already drawn (the evaluation draws it once for every figure). */
export function averagePrecisionOfCurve({ precision, recall }: PrecisionRecallCurve): number {
  let sum = 0;
  for (let k = 0; k < recall.length - 1; k++) sum -= (recall[k + 1]! - recall[k]!) * precision[k]!;
  return sum;
}

/** ROC AUC, or null when only one class is present (scikit-learn raises there). */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  return rocAucOf(countScores(yTrue, scores));
}

/** The trapezoid, walked down the distinct scores as the PR curve is, without drawing the curve. */
export function rocAucOf(counts: ScoreCounts): number | null {
  const d = counts.scores.length;
  let positives = 0;
  let negatives = 0;
  for (let k = d - 1; k >= 0; k--) {
    positives += counts.positives[k]!;
    negatives += counts.negatives[k]!;
  }
  if (positives === 0 || negatives === 0) return null;
  let area = 0;
  let tp = 0;
  let fp = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  for (let k = d - 1; k >= 0; k--) {
    tp += counts.positives[k]!;
    fp += counts.negatives[k]!;
    const tpr = tp / positives;
    const fpr = fp / negatives;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return area;
}

/** The operational numbers: the best recall with precision at least p, the best precision with recall at least r. */
export function recallAtPrecision(
  curve: PrecisionRecallCurve,
  minimumPrecision: number,
): { recall: number; threshold: number | null } {
  let best = { recall: 0, threshold: null as number | null };
  for (let k = 0; k < curve.thresholds.length; k++) {
    if (curve.precision[k]! >= minimumPrecision && curve.recall[k]! > best.recall)
      best = { recall: curve.recall[k]!, threshold: curve.thresholds[k]! };
  }
  return best;
}

export function precisionAtRecall(
  curve: PrecisionRecallCurve,
  minimumRecall: number,
): { precision: number; threshold: number | null } {
  let best = { precision: 0, threshold: null as number | null };
  for (let k = 0; k < curve.thresholds.length; k++) {
    if (curve.recall[k]! >= minimumRecall && curve.precision[k]! > best.precision)
      best = { precision: curve.precision[k]!, threshold: curve.thresholds[k]! };
  }
  return best;
}
