/**
 * Obfuscation robustness and the CPU model's latency: what a robustness run reports (`sift robustness`, the Evaluate
 * view's Robustness card) and how the release gates judge it (`robustness`, `latency_p99_ms` in policy/gates.json).
 * The judging is pure — a measured latency or a run's recalls handed in — so its tests never time anything.
 *
 * Definitions (docs/release-gates.md "Obfuscation robustness" says the same):
 * - A category's positives: the items whose label is 1 (the vote rule's outcome over current_labels, or the labels
 *   query), with their content text.
 * - Recall: the share of those positives the version flags — scored by the model's own runtime here, at or above the
 *   category's escalate threshold in the version's manifest (shared/routing.ts), as every release gate counts it.
 * - Recall drop under a transform: clean recall − recall of the same positives transformed (shared/obfuscation.ts),
 *   both scored in the same run. Positive when the transform hides content from the model.
 * - Latency per item: the wall time of one item scored alone through the runtime (features, onnxruntime's run and the
 *   probabilities, as `models.try` scores), over a sample of the positives' clean texts after a warm-up; p99 by
 *   nearest rank.
 */
import type { GateRobustness, GateResult, GateSpec } from './gates.js';
import { DEFAULT_MIN_N, EVERY_CATEGORY, meetsTarget } from './gates.js';
import type { TransformName } from './obfuscation.js';

export interface LatencyMeasure {
  /** How one measurement is taken (the definition above, with this run's numbers). */
  definition: string;
  provider: string;
  items: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface TransformRecall {
  transform: TransformName;
  /** Null when the category has no positives. */
  recall: number | null;
  /** Clean recall − this recall. */
  drop: number | null;
}

export interface CategoryRobustness {
  category: string;
  /** The escalate threshold recall is counted at. */
  threshold: number;
  positives: number;
  cleanRecall: number | null;
  transforms: TransformRecall[];
}

export interface RobustnessResult {
  model: string;
  version: string;
  labelSource: string;
  /** False when this version's runtime is not here (scores imported only) or it reads more than text. */
  applicable: boolean;
  /** Why it is not applicable. */
  reason?: string;
  provider: string | null;
  transforms: { name: TransformName; title: string; rule: string }[];
  categories: CategoryRobustness[];
  latency: LatencyMeasure | null;
  /** Texts scored: the distinct positives, clean and under each transform. */
  textsScored: number;
  elapsedMs: number;
  textsPerSecond: number;
}

/** The p-th percentile (0–100) of values by nearest rank: the smallest value with at least p% of them at or below. */
export function nearestRank(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/** The drop limit a transform gets: its own entry, else "*"; undefined when the gate file sets neither. */
export function dropLimit(spec: GateSpec<'robustness'>, transform: string): number | undefined {
  return spec.max_recall_drop[transform] ?? spec.max_recall_drop[EVERY_CATEGORY];
}

const fmt = (value: number) => value.toFixed(3);

/**
 * One category's robustness gate: passed when, under every transform the gate sets a limit for, the recall drop is at
 * most that limit. `candidate` is the worst drop against its limit (the transform named in `reason`), `target` its
 * limit. Not applicable (listed, passed) when the version has no runtime here; insufficient data below `min_n`
 * positives (failed unless optional).
 */
export function judgeRobustness(
  category: string,
  spec: GateSpec<'robustness'>,
  result: Pick<RobustnessResult, 'applicable' | 'reason' | 'categories'>,
): GateResult {
  const base = { category, gate: 'robustness' as const, baseline: null, interval: null, optional: spec.optional };
  if (!result.applicable)
    return { ...base, candidate: null, target: 0, passed: true, n: 0, status: 'not applicable', reason: result.reason };
  const row = result.categories.find((c) => c.category === category);
  const positives = row?.positives ?? 0;
  const minN = spec.min_n ?? DEFAULT_MIN_N;
  const judged = (row?.transforms ?? [])
    .map((t) => ({ ...t, limit: dropLimit(spec, t.transform) }))
    .filter((t): t is TransformRecall & { limit: number; drop: number } => t.limit !== undefined && t.drop !== null);
  if (!row || positives < minN || judged.length === 0)
    return {
      ...base,
      candidate: null,
      target: 0,
      passed: spec.optional,
      n: positives,
      status: 'insufficient data',
      reason: `${positives} labelled positive${positives === 1 ? '' : 's'} with text; the gate needs ${minN}.`,
    };
  // The transform closest to (or furthest past) its limit speaks for the category.
  const worst = judged.reduce((a, b) => (b.drop - b.limit > a.drop - a.limit ? b : a));
  const failing = judged.filter((t) => !meetsTarget(t.drop, t.limit, false));
  return {
    ...base,
    candidate: worst.drop,
    target: worst.limit,
    passed: failing.length === 0,
    n: positives,
    reason: failing.length
      ? `recall drops ${failing.map((t) => `${fmt(t.drop)} under ${t.transform} (limit ${fmt(t.limit)})`).join(', ')}.`
      : `largest drop against its limit: ${fmt(worst.drop)} under ${worst.transform} (limit ${fmt(worst.limit)}).`,
  };
}

/**
 * The latency gate, one for the model (category "*"): the measured p99 per item at most `max` ms. Null measure: the
 * version has no runtime here, "not applicable" (listed, passed).
 */
export function judgeLatency(
  spec: GateSpec<'latency_p99_ms'>,
  measure: LatencyMeasure | null,
  notApplicable = 'no latency was measured: the version has no runtime here (scores imported only), or no content text to time',
): GateResult {
  const base = {
    category: EVERY_CATEGORY,
    gate: 'latency_p99_ms' as const,
    baseline: null,
    target: spec.max,
    interval: null,
    optional: spec.optional,
  };
  if (!measure)
    return { ...base, candidate: null, passed: true, n: 0, status: 'not applicable', reason: notApplicable };
  const minN = spec.min_n ?? DEFAULT_MIN_N;
  if (measure.items < minN)
    return {
      ...base,
      candidate: measure.p99Ms,
      passed: spec.optional,
      n: measure.items,
      status: 'insufficient data',
      reason: `${measure.items} items timed; the gate needs ${minN}.`,
    };
  const passed = meetsTarget(measure.p99Ms, spec.max, false);
  return {
    ...base,
    candidate: measure.p99Ms,
    passed,
    n: measure.items,
    ...(passed ? {} : { reason: `p99 ${measure.p99Ms.toFixed(2)} ms per item is above ${spec.max} ms.` }),
  };
}

const byCategory = (a: { category: string }, b: { category: string }) =>
  a.category < b.category ? -1 : a.category > b.category ? 1 : 0;

/**
 * A gate run's robustness figures (GateReport.robustness) from the run behind its gates: every category the run
 * measured, each transform's limit from that category's robustness gate (`specOf`; null when it was judged by none), and the
 * latency p99 when one was measured.
 */
export function gateRobustnessFigures(
  result: Pick<RobustnessResult, 'applicable' | 'reason' | 'categories' | 'latency'>,
  specOf: (category: string) => GateSpec<'robustness'> | undefined,
): GateRobustness {
  return {
    applicable: result.applicable,
    ...(result.reason ? { reason: result.reason } : {}),
    // In category order, as the gate rows are.
    categories: [...result.categories].sort(byCategory).map((row) => {
      const spec = specOf(row.category);
      return {
        category: row.category,
        threshold: row.threshold,
        n: row.positives,
        cleanRecall: row.cleanRecall,
        transforms: row.transforms.map(({ transform, recall, drop }) => ({
          transform,
          recall,
          drop,
          limit: (spec && dropLimit(spec, transform)) ?? null,
        })),
      };
    }),
    latency: result.latency ? { p99Ms: result.latency.p99Ms, items: result.latency.items } : null,
  };
}
