/**
 * Ranking metrics exactly as scikit-learn computes them: the precision–recall curve (step-wise; tied scores
 * enter together, one point per distinct score), average precision Σ (Rₙ − Rₙ₋₁) Pₙ, and ROC AUC by the
 * trapezoid over distinct thresholds.
 */

export interface BinaryCurve {
  /** Per distinct score, descending: true and false positives at or above it, and the score. */
  tps: Float64Array;
  fps: Float64Array;
  thresholds: Float64Array;
}

/**
 * scikit-learn's _binary_clf_curve: walking scores from high to low, one point per distinct score with the true
 * and false positives at or above it. Two native numeric sorts (all scores, positive scores) replace an argsort:
 * within a tie the order never matters, only the counts.
 */
export function binaryClassifierCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): BinaryCurve {
  const n = scores.length;
  const all = Float64Array.from(scores).sort();
  let positiveCount = 0;
  for (let i = 0; i < n; i++) if (yTrue[i]! > 0) positiveCount++;
  const positive = new Float64Array(positiveCount);
  for (let i = 0, k = 0; i < n; i++) if (yTrue[i]! > 0) positive[k++] = scores[i]!;
  positive.sort();
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let seen = 0;
  let tp = 0;
  let a = n - 1;
  let p = positiveCount - 1;
  while (a >= 0) {
    const value = all[a]!;
    while (a >= 0 && all[a] === value) {
      a--;
      seen++;
    }
    while (p >= 0 && positive[p] === value) {
      p--;
      tp++;
    }
    tps.push(tp);
    fps.push(seen - tp);
    thresholds.push(value);
  }
  return { tps: Float64Array.from(tps), fps: Float64Array.from(fps), thresholds: Float64Array.from(thresholds) };
}

export interface PrecisionRecallCurve {
  /** As scikit-learn returns them: increasing threshold, with a final (precision 1, recall 0) point. */
  precision: number[];
  recall: number[];
  thresholds: number[];
}

export function precisionRecallCurve(yTrue: ArrayLike<number>, scores: ArrayLike<number>): PrecisionRecallCurve {
  const { tps, fps, thresholds } = binaryClassifierCurve(yTrue, scores);
  const total = tps.length ? tps[tps.length - 1]! : 0;
  const precision: number[] = [];
  const recall: number[] = [];
  for (let k = 0; k < tps.length; k++) {
    const predicted = tps[k]! + fps[k]!;
    precision.push(predicted ? tps[k]! / predicted : 0);
    // No positives at all: scikit-learn sets recall to 1 everywhere (and warns).
    recall.push(total === 0 ? 1 : tps[k]! / total);
  }
  return { precision: [...precision.reverse(), 1], recall: [...recall.reverse(), 0], thresholds: Array.from(thresholds).reverse() };
}

export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { precision, recall } = precisionRecallCurve(yTrue, scores);
  let sum = 0;
  for (let k = 0; k < recall.length - 1; k++) sum -= (recall[k + 1]! - recall[k]!) * precision[k]!;
  return sum;
}

/** ROC AUC, or null when only one class is present (scikit-learn raises there). */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  const { tps, fps } = binaryClassifierCurve(yTrue, scores);
  const positives = tps.length ? tps[tps.length - 1]! : 0;
  const negatives = fps.length ? fps[fps.length - 1]! : 0;
  if (positives === 0 || negatives === 0) return null;
  let area = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  for (let k = 0; k < tps.length; k++) {
    const tpr = tps[k]! / positives;
    const fpr = fps[k]! / negatives;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return area;
}

/** The operational numbers: the best recall with precision at least p, the best precision with recall at least r. */
export function recallAtPrecision(curve: PrecisionRecallCurve, minimumPrecision: number): { recall: number; threshold: number | null } {
  let best = { recall: 0, threshold: null as number | null };
  for (let k = 0; k < curve.thresholds.length; k++) {
    if (curve.precision[k]! >= minimumPrecision && curve.recall[k]! > best.recall) best = { recall: curve.recall[k]!, threshold: curve.thresholds[k]! };
  }
  return best;
}

export function precisionAtRecall(curve: PrecisionRecallCurve, minimumRecall: number): { precision: number; threshold: number | null } {
  let best = { precision: 0, threshold: null as number | null };
  for (let k = 0; k < curve.thresholds.length; k++) {
    if (curve.recall[k]! >= minimumRecall && curve.precision[k]! > best.precision) best = { precision: curve.precision[k]!, threshold: curve.thresholds[k]! };
  }
  return best;
}
