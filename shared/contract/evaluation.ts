/** Evaluating a model version against labels, and fitting calibration. */
import { z } from 'zod';
import { method, nonEmpty } from './base.js';

export interface EvalBin {
  meanPredicted: number;
  fractionPositive: number;
  count: number;
  lower: number;
  upper: number;
}

export interface SliceMetrics {
  dimension: 'language' | 'surface' | 'content_type' | 'account_age';
  value: string;
  n: number;
  positives: number;
  recall: number | null;
  fpr: number | null;
  precision: number | null;
  recallGap: number | null;
  fprGap: number | null;
  /** The slice's recall or false-positive rate is further than the margin from the overall figure. */
  flagged: boolean;
}

export interface CategoryEvaluation {
  category: string;
  critical: boolean;
  n: number;
  positives: number;
  averagePrecision: number | null;
  rocAuc: number | null;
  brier: number | null;
  ece: number | null;
  mce: number | null;
  reliability: { uniform: EvalBin[]; quantile: EvalBin[] };
  histogram: { edges: number[]; positive: number[]; negative: number[] };
  /** The precision–recall curve, down-sampled for drawing (AP is computed on the full curve). */
  pr: { precision: number; recall: number; threshold: number }[];
  operating: {
    recallAtPrecision90: { recall: number; threshold: number | null };
    recallAtPrecision95: { recall: number; threshold: number | null };
    precisionAtRecall80: { precision: number; threshold: number | null };
    precisionAtRecall90: { precision: number; threshold: number | null };
  };
  thresholds: { remove: number; escalate: number };
  /** Labelled counts per 0.001 of score, for live threshold routing in the UI. */
  grid: { positive: number[]; negative: number[] };
  slices: SliceMetrics[];
}

export interface EvaluationResult {
  model: string;
  version: string;
  labelSource: string;
  bins: number;
  categories: CategoryEvaluation[];
  elapsedMs: number;
}

export interface CalibrationFit {
  model: string;
  version: string;
  method: 'platt' | 'isotonic';
  categories: {
    category: string;
    fitted: boolean;
    reason?: string;
    params: { a: number; b: number } | { x: number[]; y: number[] } | null;
    before: { ece: number; brier: number; reliability: EvalBin[] } | null;
    after: { ece: number; brier: number; reliability: EvalBin[] } | null;
    fitItems?: number;
    testItems?: number;
  }[];
}

const evalInput = z
  .object({
    model: nonEmpty('model'),
    version: z.string().optional(),
    labels: z.string().optional(),
    bins: z.number().int().min(2).max(100).optional(),
    sliceMargin: z.number().min(0).max(1).optional(),
    category: z.string().optional(),
  })
  .strict();

const calibrateInput = z
  .object({
    model: nonEmpty('model'),
    version: z.string().optional(),
    labels: z.string().optional(),
    method: z.enum(['platt', 'isotonic']),
    bins: z.number().int().min(2).max(100).optional(),
    /** Which half of the labelled items (split by a hash of content_id) to fit on; the other half shows the effect. */
    fitOn: z.enum(['even', 'odd']).optional(),
  })
  .strict();

export const evaluationMethods = {
  'eval.run': method<EvaluationResult>()(evalInput),
  /** The same evaluation as a job, with progress and cancel: what the UI uses for large workspaces. */
  'eval.start': method<{ jobId: string }>()(evalInput),
  'eval.calibrate': method<CalibrationFit>()(calibrateInput),
  /** The same fit as a job (progress, cancel): what the UI uses. */
  'eval.calibrateStart': method<{ jobId: string }>()(calibrateInput),
} as const;
