/**
 * The time backtest (`sift backtest`, issue 25): the labeling loop's recipe trained on content created before a cut
 * and judged on labeled content created at or after it, beside the same recipe judged in time by 5-fold
 * cross-validation over the before-cut items. The drop between the two is what a policy change or a season costs a
 * model trained on the past. Defined here once: the cut's forms, the folds, the figures and the result's shape.
 *
 * Why cross-validated and not judged on its own training labels: a linear model over hashed n-grams nearly
 * memorises the items it was fitted to, so "in-sample" on the training labels reads close to 1 whatever happens
 * later, and every backtest would show a drop. Folds judge each before-cut item by a model that never saw it, so
 * the drop isolates time.
 */
import { fnv1a } from './nearDuplicates.js';
import { featurizeBatch, type HashedNgramsConfig } from './hashedNgrams.js';
import { trainHashedText } from './linearModel.js';
import { averagePrecisionOf, rocAucOf } from './rankingMetrics.js';
import { countScores } from './scoreCounts.js';

/** Folds of the in-time cross-validation, assigned by content id (the same item, the same fold, every run). */
export const BACKTEST_FOLDS = 5;
export const backtestFold = (contentId: string) => fnv1a(`backtest-fold:${contentId}`) % BACKTEST_FOLDS;

const CUT_FORM =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A cut as milliseconds since the epoch, or null when it is not a date. `YYYY-MM-DD` is that day's midnight UTC; a
 * time without a zone is UTC too, as content's TIMESTAMP columns are read (epoch_ms of a plain TIMESTAMP).
 */
export function parseCut(text: string): number | null {
  const match = CUT_FORM.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0', zone] = match;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const utc = Date.UTC(...parts, Number(ms.padEnd(3, '0')));
  const back = new Date(utc);
  // Date.UTC rolls 2024-02-30 over to March: a day or time that does not exist is not a date.
  if (
    back.getUTCFullYear() !== parts[0] ||
    back.getUTCMonth() !== parts[1] ||
    back.getUTCDate() !== parts[2] ||
    back.getUTCHours() !== parts[3] ||
    back.getUTCMinutes() !== parts[4] ||
    back.getUTCSeconds() !== parts[5]
  )
    return null;
  if (!zone || zone === 'Z') return utc;
  const offset = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
  const minutes = Number(offset[2]) * 60 + Number(offset[3]);
  if (Number(offset[2]) > 23 || Number(offset[3]) > 59) return null;
  return utc - (offset[1] === '-' ? -1 : 1) * minutes * 60_000;
}

export const CUT_FORMS =
  'a date (YYYY-MM-DD, midnight UTC) or a time (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], UTC without a zone)';

/** One side's figures for a category: on the labeled items judged, at the model's escalate threshold for recall. */
export interface BacktestFigures {
  /** Items judged that carry a label for the category, and how many of them are positive. */
  n: number;
  positives: number;
  /** Null when the items judged hold only one class (the figure is undefined there). */
  averagePrecision: number | null;
  rocAuc: number | null;
  /** The share of positives scored at or above the threshold: what the model would flag. Null with no positive. */
  recall: number | null;
}

export interface BacktestCategory {
  category: string;
  /** The session's model's escalate threshold for the category (what reaches a person or is removed). */
  threshold: number;
  /** Labeled items of the category before the cut (trained on) and at or after it (judged out of time). */
  nTrain: number;
  nTest: number;
  /** Cross-validated on the before-cut items. */
  inSample: BacktestFigures;
  /** Trained on every before-cut item, judged on the items at or after the cut. */
  outOfTime: BacktestFigures;
  /** In-sample minus out-of-time (positive: the model decayed); null where either side is undefined. */
  drop: { averagePrecision: number | null; rocAuc: number | null; recall: number | null };
  /** Why a figure is undefined, when one is. */
  reason?: string;
}

export interface BacktestOutcome {
  sessionId: string;
  model: string;
  /** The version whose recipe (featuriser, categories, thresholds) is retrained; its own weights are not used. */
  version: string;
  /** The cut as given, and as an instant (ISO, UTC). */
  cutInput: string;
  cut: string;
  inSampleMethod: string;
  /** Items trained on before the cut (people's labels, moderation decisions, a sample of untouched content as negatives), and how many carry people's labels. */
  trainItems: number;
  trainLabeled: number;
  /** Items at or after the cut that carry people's labels: what the out-of-time side is judged on. */
  testLabeled: number;
  /** Labeled items left out because their content has no created_at. */
  undated: number;
  categories: BacktestCategory[];
  /** How long the backtest took, in milliseconds. */
  durationMs: number;
}

/**
 * Trains the recipe on one set of texts and scores another with the weights, as the model's ONNX graph does
 * (featurizeBatch's strongest features, a dot product, the bias, a sigmoid). Runs in a compute worker: texts in,
 * scores out ([judged, outputs], row-major).
 */
export function trainAndScoreHashedText(
  texts: string[],
  targets: Uint8Array,
  config: HashedNgramsConfig,
  options: { outputs: number; epochs: number; seed: number; learningRate: number },
  judged: string[],
): Float32Array {
  const { sparseWeights, bias } = trainHashedText(texts, targets, config, options);
  const { indices, weights } = featurizeBatch(judged, config);
  const outputs = options.outputs;
  const scores = new Float32Array(judged.length * outputs);
  for (let row = 0; row < judged.length; row++)
    for (let k = 0; k < outputs; k++) {
      let z = bias[k]!;
      for (let column = 0; column < config.maxFeatures; column++) {
        const at = row * config.maxFeatures + column;
        z += sparseWeights[indices[at]! * outputs + k]! * weights[at]!;
      }
      scores[row * outputs + k] = 1 / (1 + Math.exp(-z));
    }
  return scores;
}

/** The figures of one side from its labels (0/1) and scores. */
export function backtestFigures(labels: number[], scores: number[], threshold: number): BacktestFigures {
  const positives = labels.filter((label) => label === 1).length;
  const counts = countScores(labels, scores);
  const bothClasses = positives > 0 && positives < labels.length;
  const flagged = labels.filter((label, i) => label === 1 && scores[i]! >= threshold).length;
  return {
    n: labels.length,
    positives,
    averagePrecision: bothClasses ? averagePrecisionOf(counts) : null,
    rocAuc: bothClasses ? rocAucOf(counts) : null,
    recall: positives > 0 ? flagged / positives : null,
  };
}

const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** A category's row: both sides, the drop, and why a figure is missing when one is. */
export function backtestCategory(
  category: string,
  threshold: number,
  inSample: BacktestFigures,
  outOfTime: BacktestFigures,
): BacktestCategory {
  const why = (side: BacktestFigures) =>
    side.n === 0
      ? `carries a label for ${category}`
      : side.positives === 0
        ? 'is labeled positive'
        : side.positives === side.n
          ? 'is labeled negative'
          : null;
  const [early, late] = [why(inSample), why(outOfTime)];
  const reason =
    early && early === late
      ? `no item on either side of the cut ${early}`
      : [early && `no before-cut item ${early}`, late && `no after-cut item ${late}`].filter(Boolean).join('; ');
  return {
    category,
    threshold,
    nTrain: inSample.n,
    nTest: outOfTime.n,
    inSample,
    outOfTime,
    drop: {
      averagePrecision: minus(inSample.averagePrecision, outOfTime.averagePrecision),
      rocAuc: minus(inSample.rocAuc, outOfTime.rocAuc),
      recall: minus(inSample.recall, outOfTime.recall),
    },
    ...(reason ? { reason } : {}),
  };
}
