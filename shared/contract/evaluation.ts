/** Evaluating a model version against labels, and fitting calibration. */
import { z } from 'zod/v3';
import {
  type AppealMetrics,
  DEFAULT_HIGH_REACH_FRACTION,
  type Overturns,
  QUEUE_BUCKETS,
  type TimeToRemoval,
} from '../releaseMetrics.js';
import type { Rate, SliceBaseline, SliceRow } from '../slices.js';
import { job, method, nonEmpty } from './base.js';

export interface EvalBin {
  meanPredicted: number;
  fractionPositive: number;
  count: number;
  lower: number;
  upper: number;
}

/** A slice's rates at the remove threshold in force, with Wilson intervals (shared/slices.ts). */
export type SliceMetrics = SliceRow;

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
  /** The overall rates the slices are compared with, at the same threshold. */
  sliceBaseline: SliceBaseline;
}

/** Slices of every category at given thresholds (recomputed as the user moves them). */
export interface SliceEvaluation {
  model: string;
  version: string;
  categories: { category: string; baseline: SliceBaseline; slices: SliceMetrics[] }[];
}

export interface EvaluationResult {
  model: string;
  version: string;
  labelSource: string;
  bins: number;
  categories: CategoryEvaluation[];
  /**
   * Scored items whose annotators tie (as many 1s as 0s, nobody adjudicated): undecided, so left out of every figure
   * above — in all (distinct items) and per category. Always zero with a labels query: the query decides.
   */
  tied: { items: number; byCategory: Record<string, number> };
  elapsedMs: number;
  /** Names this evaluation's pairs while the engine holds them: eval.calibrate with `evaluation` fits on exactly them. */
  evaluationId: string;
}

export interface CalibrationFit {
  model: string;
  version: string;
  method: 'platt' | 'isotonic';
  /** The evaluation whose pairs were fitted on, when they were still held; absent when the pairs were read afresh. */
  evaluationId?: string;
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

/** Error analysis of one category at the thresholds in force. */
export interface ErrorAnalysis {
  model: string;
  version: string;
  category: string;
  /** The score at which the model flags an item (remove; escalate for a critical category). */
  threshold: number;
  confusion: { truePositives: number; falsePositives: number; falseNegatives: number; trueNegatives: number };
  /** Words that set false positives apart from true positives (weighted log-odds, as the spike view's terms). */
  terms: { term: string; falsePositives: number; truePositives: number; z: number }[];
  /** Score distributions of false and true positives, in bins of `binWidth` from the threshold up. */
  distribution: { start: number; binWidth: number; falsePositives: number[]; truePositives: number[] };
}

/**
 * The trust-and-safety release metrics of a model version (shared/releaseMetrics.ts, docs/release-gates.md): each is
 * null when the workspace lacks the table (or columns) it reads.
 */
export interface ReleaseMetrics {
  model: string;
  version: string;
  /** The items this version removed or escalated that a person later passed or restored (moderation_actions). */
  overturn: Overturns | null;
  /** From the first report or model flag to the first remove, over every removal of the workspace. */
  timeToRemoval: TimeToRemoval | null;
  /** Escalated items with no human decision yet, at the end of each bucket ('YYYY-MM-DD HH:MM:SS', UTC). */
  queueDepth: {
    bucket: keyof typeof QUEUE_BUCKETS;
    points: { at: string; depth: number }[];
    peak: number;
    last: number;
  } | null;
  /** The FPR at each category's escalate threshold among high-reach items (content.views_24h). */
  highReach: {
    fraction: number;
    /** The fewest views a high-reach item has; null when no content has views. */
    cutoff: number | null;
    categories: { category: string; escalate: number; fpr: Rate }[];
  } | null;
  /** Appeals of removals (the appeals table). */
  appeals: AppealMetrics | null;
}

export type ItemKind = 'fp' | 'fn' | 'tp' | 'tn' | 'all';

/** Labelled, scored items of one category: what an error analysis drills into. */
export interface EvalItems {
  total: number;
  items: {
    contentId: string;
    score: number;
    label: 0 | 1;
    kind: Exclude<ItemKind, 'all'>;
    text: string | null;
    surface: string | null;
    language: string | null;
    createdAt: string | null;
    /** Who labelled it, and how (current labels). */
    labelledBy: { annotator: string; value: string }[];
  }[];
}

const thresholdsInput = z.record(
  z.string(),
  z.object({ remove: z.number().min(0).max(1), escalate: z.number().min(0).max(1) }).strict(),
);

const evalInput = z
  .object({
    model: nonEmpty('model'),
    version: z.string().optional(),
    labels: z.string().optional(),
    bins: z.number().int().min(2).max(100).optional(),
    /** Slices with fewer items (of the kind a rate counts) are never highlighted. */
    minSliceN: z.number().int().min(1).max(1_000_000).optional(),
    /** The thresholds in force (the model's when absent), for the slices' rates. */
    thresholds: thresholdsInput.optional(),
    /** Evaluate only the items this other model version also scored (comparing two versions on the same items). */
    sameItemsAs: z
      .object({ model: nonEmpty('sameItemsAs.model'), version: nonEmpty('sameItemsAs.version') })
      .strict()
      .optional(),
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
    /**
     * An eval.run's evaluationId: fit on the pairs that evaluation read (the figures beside the fit are of the same
     * items, and nothing is read again). When the engine no longer holds them, the pairs are read afresh.
     */
    evaluation: z.string().max(100).optional(),
  })
  .strict();

export const evaluationMethods = {
  /** A job (progress, cancel): a large workspace's evaluation takes a while. */
  'eval.run': job<EvaluationResult>()(evalInput),
  'eval.slices': method<SliceEvaluation>()(
    z
      .object({
        model: nonEmpty('model'),
        version: z.string().optional(),
        labels: z.string().optional(),
        thresholds: thresholdsInput.optional(),
        minSliceN: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict(),
  ),
  'eval.errors': method<ErrorAnalysis>()(
    z
      .object({
        model: nonEmpty('model'),
        version: z.string().optional(),
        labels: z.string().optional(),
        category: nonEmpty('category'),
        thresholds: thresholdsInput.optional(),
      })
      .strict(),
  ),
  'eval.items': method<EvalItems>()(
    z
      .object({
        model: nonEmpty('model'),
        version: z.string().optional(),
        labels: z.string().optional(),
        category: nonEmpty('category'),
        thresholds: thresholdsInput.optional(),
        kind: z.enum(['fp', 'fn', 'tp', 'tn', 'all']).default('all'),
        /** Scores in [from, to) (a histogram or reliability bin); `to` 1 includes 1. */
        score: z
          .object({ from: z.number().min(0).max(1), to: z.number().min(0).max(1) })
          .strict()
          .optional(),
        slice: z
          .object({ dimension: z.enum(['language', 'surface', 'content_type', 'account_age']), value: z.string() })
          .strict()
          .optional(),
        limit: z.number().int().min(1).max(1000).default(200),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
  ),
  'eval.metrics': method<ReleaseMetrics>()(
    z
      .object({
        model: nonEmpty('model'),
        version: z.string().optional(),
        labels: z.string().optional(),
        /** The thresholds in force (the model's when absent): the high-reach FPR is at their escalate threshold. */
        thresholds: thresholdsInput.optional(),
        /** High reach: this top fraction of content by views_24h (default DEFAULT_HIGH_REACH_FRACTION). */
        highReachFraction: z.number().min(0).max(1).default(DEFAULT_HIGH_REACH_FRACTION),
        bucket: z.enum(Object.keys(QUEUE_BUCKETS) as [keyof typeof QUEUE_BUCKETS]).default('hour'),
      })
      .strict(),
  ),
  /** A job (progress, cancel). */
  'eval.calibrate': job<CalibrationFit>()(calibrateInput),
} as const;
