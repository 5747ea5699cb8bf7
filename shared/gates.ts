/**
 * Release gates: the gate file a workspace keeps at `policy/gates.json` (beside the policy taxonomy), its one schema
 * and validation, and the verdicts a gate run hands back (`sift gate`, the release report, the app's Release check).
 *
 * Definitions (docs/release-gates.md says the same):
 * - Recall at precision p: the largest recall among the points of scikit-learn's `precision_recall_curve` whose
 *   precision is ≥ p (0 when no point reaches p). Precision at recall r: the largest precision among the points whose
 *   recall is ≥ r. Both are shared/rankingMetrics.ts `recallAtPrecision` / `precisionAtRecall`.
 * - A version "flags" an item in a category when its score reaches that category's escalate threshold in the
 *   version's own manifest (shared/routing.ts; a version known only from imported scores uses the defaults): the
 *   recall and precision a drop gate compares, and the false positive rates of the slice, golden and high-reach gates.
 * - A gate's `n` counts its evidence: labelled positives for the recall, precision, drop and calibration gates;
 *   negatives in the kept slices (each needs `min_n`), golden items, or high-reach negatives for the FPR gates; judged
 *   items for PSI (docs/release-gates.md "The gate file").
 */
import { z } from 'zod/v3';
import { jsonSyntaxProblem, schemaProblem } from './jsonText.js';

/** Where a workspace keeps its gate file, relative to the workspace folder. */
export const GATE_FILE = 'policy/gates.json';
/** The category key whose gates apply to every category (a category's own entry overrides gate by gate). */
export const EVERY_CATEGORY = '*';
/** Least evidence a gate needs when the file names none: 20 positives (or the figure's own items, see above). */
export const DEFAULT_MIN_N = 20;
/** The paired bootstrap behind a comparing gate's interval. */
export const BOOTSTRAP_RESAMPLES = 1000;
export const DEFAULT_BOOTSTRAP_SEED = 0;

const fraction = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

/** What every gate may carry. */
const common = {
  /** Fewer items than this (default 20 positives) is "insufficient data", a failure unless `optional`. */
  min_n: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
  /** Insufficient data (or a figure that cannot be computed here) does not fail the run. */
  optional: z.boolean().default(false),
  /** Fail only when the whole 95% bootstrap interval is beyond the target, not on the point estimate. */
  use_interval: z.boolean().default(false),
};

/** A gate with one limit, written as an object `{max: 0.01, …}` or as the bare number. */
const limitGate = (limit: z.ZodNumber) =>
  z.preprocess(
    (value) => (typeof value === 'number' ? { max: value } : value),
    z.object({ max: limit, ...common }).strict(),
  );

const gateShapes = {
  recall_at_precision: z.object({ precision: fraction, min_recall: fraction, ...common }).strict(),
  precision_at_recall: z.object({ recall: fraction, min_precision: fraction, ...common }).strict(),
  /** Candidate recall (at its own escalate threshold) may fall at most this far below the baseline's. */
  max_recall_drop: limitGate(fraction),
  max_precision_drop: limitGate(fraction),
  /** Expected calibration error (15 equal-width bins, as `sift eval`: shared/calibration.ts). */
  max_ece: limitGate(fraction),
  /** The largest gap in false positive rate between slices (values of `by`, a content column such as language). */
  slice: z
    .object({
      by: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a column name'),
      max_fpr_gap: fraction,
      ...common,
    })
    .strict(),
  /** Known-safe content (a query returning content_id): the share of it flagged. */
  golden_safe: z.object({ query: z.string().trim().min(1, 'must be a query'), max_fpr: fraction, ...common }).strict(),
  /** The top fraction of content by views_24h: the false positive rate there. */
  high_reach: z
    .object({
      top_fraction: z.number().gt(0, 'must be above 0').max(1, 'must be between 0 and 1'),
      max_fpr: fraction,
      ...common,
    })
    .strict(),
  /** Score drift of the candidate against the baseline (PSI, shared/drift.ts). */
  max_psi: limitGate(z.number().min(0, 'must be 0 or more')),
  /** Recall drop under each obfuscation transform (shared/obfuscation.ts) against clean text; "*" for any other. */
  robustness: z.object({ max_recall_drop: z.record(z.string(), fraction), ...common }).strict(),
  /** The CPU model's p99 latency per item, in milliseconds. */
  latency_p99_ms: limitGate(z.number().positive('must be above 0')),
} as const;

export type GateName = keyof typeof gateShapes;
export const GATE_NAMES = Object.keys(gateShapes) as GateName[];

/** Gates that compare the candidate with a baseline: without one they are listed "not applicable". */
export const COMPARING_GATES: readonly GateName[] = ['max_recall_drop', 'max_precision_drop', 'max_psi'];
/** Gates whose figure is a paired difference (candidate − baseline), given a paired bootstrap 95% interval. */
export const PAIRED_INTERVAL_GATES: readonly GateName[] = ['max_recall_drop', 'max_precision_drop'];
/** Gates that need the model's own runtime here; a version known only from imported scores is "not applicable". */
export const RUNTIME_GATES: readonly GateName[] = ['robustness', 'latency_p99_ms'];

const categoryGatesSchema = z.object(gateShapes).partial().strict();
export type CategoryGates = z.output<typeof categoryGatesSchema>;
export type GateSpec<G extends GateName = GateName> = NonNullable<CategoryGates[G]>;

export const gateFileSchema = z
  .object({
    /** A sentence for the person editing the file; Sift ignores it. */
    description: z.string().optional(),
    /** Seed of the paired bootstrap (default 0), so an interval is reproducible. */
    seed: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
    categories: z.record(
      z.string().regex(/^(\*|[a-z][a-z0-9_]{0,62})$/, 'a category is "*" or a category name'),
      categoryGatesSchema,
    ),
  })
  .strict();
export type GateFile = z.output<typeof gateFileSchema>;

/**
 * Reads a gate file's text; an error names the file and the field path and what is wrong there, never the value
 * (`policy/gates.json: categories.spam.recall_at_precision.precision: must be between 0 and 1`).
 */
export function parseGateFile(text: string, fileName: string = GATE_FILE): GateFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName}: ${jsonSyntaxProblem(error, text)}`);
  }
  return validateGateFile(raw, fileName);
}

/** The same check for a gate file already parsed (an inline one, or the app's editor). */
export function validateGateFile(raw: unknown, fileName: string = GATE_FILE): GateFile {
  const parsed = gateFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${fileName}: ${schemaProblem(parsed.error.issues[0]!)}`);
  return parsed.data;
}

/** One category's gates: its own entry, gate by gate over "*". */
export function gatesForCategory(file: GateFile, category: string): CategoryGates {
  return { ...file.categories[EVERY_CATEGORY], ...file.categories[category] };
}

/** Why a gate has no pass/fail verdict of its own. Absent when it was judged. */
export type GateStatus = 'insufficient data' | 'not applicable';

/** One category's one gate, judged. */
export interface GateResult {
  category: string;
  gate: GateName;
  /** The candidate's figure (recall, precision, ECE, FPR or FPR gap, PSI, recall drop, ms); null when not computed. */
  candidate: number | null;
  /** The baseline's same figure, where the gate compares versions (or reports the baseline beside it). */
  baseline: number | null;
  /** The limit from the gate file (a minimum or a maximum, as the gate's name says). */
  target: number;
  passed: boolean;
  /** The items the figure rests on (see the definitions above). */
  n: number;
  /** Paired bootstrap 95% interval of candidate − baseline (comparing gates), else null. */
  interval: [number, number] | null;
  status?: GateStatus;
  /** A sentence saying why it failed, or why it was not judged. */
  reason?: string;
  /** The gate file marked it optional. */
  optional?: boolean;
}

/**
 * The figures of the robustness run behind a gate run's robustness and latency gates (shared/robustness.ts
 * `gateRobustnessFigures` defines them): per category the clean recall, each transform's recall and drop with the
 * limit the gate file sets for it, over `n` labelled positives; and the latency p99 measured.
 */
export interface GateRobustness {
  /** False when the candidate's runtime is not here: no figures, `reason` says why. */
  applicable: boolean;
  reason?: string;
  categories: {
    category: string;
    /** The escalate threshold recall is counted at. */
    threshold: number;
    /** Labelled positives with text. */
    n: number;
    cleanRecall: number | null;
    transforms: { transform: string; recall: number | null; drop: number | null; limit: number | null }[];
  }[];
  /** Null when no latency was measured (no latency gate, or not applicable). */
  latency: { p99Ms: number; items: number } | null;
}

/** A whole gate run: passed when every gate passed. `items`: the labelled items both versions scored. */
export interface GateReport {
  passed: boolean;
  items: number;
  model: string;
  candidate: string;
  baseline: string | null;
  gates: GateResult[];
  /** Present when the run re-scored the candidate for a robustness or latency gate. */
  robustness?: GateRobustness;
}

/** The `--json` shape `sift gate` prints: these keys keep their meaning (more may come). */
export function gateReportJson(report: GateReport) {
  return {
    passed: report.passed,
    items: report.items,
    gates: report.gates.map(({ category, gate, candidate, baseline, target, passed, n, interval, status, reason }) => ({
      category,
      gate,
      candidate,
      baseline,
      target,
      passed,
      n,
      interval,
      ...(status ? { status } : {}),
      ...(reason ? { reason } : {}),
    })),
    ...(report.robustness ? { robustness: report.robustness } : {}),
  };
}

/**
 * Rounding slack when a figure meets its target exactly: 0.9 − 0.89 is 0.010000000000000009 in floating point, and a
 * recall drop of exactly the allowed 0.01 passes.
 */
const SLACK = 1e-12;

/**
 * A judged figure against its target: `atLeast` for a minimum (recall at precision), else a maximum. With
 * `useInterval` and an interval, it fails only when the whole interval lies beyond the target.
 */
export function meetsTarget(
  value: number,
  target: number,
  atLeast: boolean,
  interval: [number, number] | null = null,
  useInterval = false,
): boolean {
  if (useInterval && interval) return atLeast ? interval[1] >= target - SLACK : interval[0] <= target + SLACK;
  return atLeast ? value >= target - SLACK : value <= target + SLACK;
}
