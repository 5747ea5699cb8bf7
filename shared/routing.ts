/**
 * The routing rule, once: auto-remove at or above `remove`, auto-pass below `escalate`, a person in between; a
 * critical category (csam) is never removed or passed automatically once it crosses `escalate`. The manifest's
 * defaults, the scoring SQL, the evaluation and the UI's live routing counts all take it from here.
 */

export type Decision = 'remove' | 'escalate' | 'pass';

export interface Thresholds {
  remove: number;
  escalate: number;
}

/** Thresholds of a category a model declares none for. */
export const DEFAULT_THRESHOLDS: Thresholds = { remove: 0.9, escalate: 0.5 };
/** A critical category's defaults: escalate early; `remove` only matters if it ever stops being critical. */
export const CRITICAL_DEFAULT_THRESHOLDS: Thresholds = { remove: 0.95, escalate: 0.2 };
/** Categories that always go to a person, unless a manifest says otherwise. */
export const DEFAULT_CRITICAL = ['csam'];

export interface RoutingRules {
  thresholds: Record<string, Thresholds>;
  critical: string[];
}

/**
 * Routing for one category: auto-remove at or above `remove`, auto-pass below `escalate`, a human in between.
 * A critical category (csam) is never removed or passed automatically once it crosses `escalate`: it always goes
 * to a person.
 */
export function route(manifest: RoutingRules, category: string, score: number): Decision {
  const t = manifest.thresholds[category] ?? DEFAULT_THRESHOLDS;
  if (manifest.critical.includes(category)) return score >= t.escalate ? 'escalate' : 'pass';
  if (score >= t.remove) return 'remove';
  if (score >= t.escalate) return 'escalate';
  return 'pass';
}

/** The decision for an item: the most severe over its categories. */
export function routeItem(
  manifest: RoutingRules,
  scores: Record<string, number>,
): { decision: Decision; category: string | null } {
  const rank: Record<Decision, number> = { pass: 0, escalate: 1, remove: 2 };
  let best: { decision: Decision; category: string | null } = { decision: 'pass', category: null };
  for (const [category, score] of Object.entries(scores)) {
    const decision = route(manifest, category, score);
    // A critical category's escalation outranks any removal: a person must see it.
    const weight = manifest.critical.includes(category) && decision === 'escalate' ? 3 : rank[decision];
    const bestWeight =
      best.category && manifest.critical.includes(best.category) && best.decision === 'escalate'
        ? 3
        : rank[best.decision];
    if (weight > bestWeight) best = { decision, category };
  }
  return best;
}

/** The same rule as a SQL expression over a score and its category's thresholds (columns or literals). */
export function decisionSql(score: string, removeAt: string, escalateAt: string, critical: string): string {
  return `CASE WHEN ${critical} THEN (CASE WHEN ${score} >= ${escalateAt} THEN 'escalate' ELSE 'pass' END)
    WHEN ${score} >= ${removeAt} THEN 'remove' WHEN ${score} >= ${escalateAt} THEN 'escalate' ELSE 'pass' END`;
}

/** Live threshold routing from the host's 0.001 score grid: no round trip while a threshold is dragged. */
export interface Routing {
  removed: number;
  escalated: number;
  passed: number;
  removePrecision: number | null;
  removeRecall: number | null;
  /** Positives that were auto-passed: what the model lets through without a person seeing it. */
  missed: number;
}

export function routeGrid(
  grid: { positive: number[]; negative: number[] },
  remove: number,
  escalate: number,
  critical: boolean,
): Routing {
  const cells = grid.positive.length;
  const cell = (threshold: number) => Math.min(cells, Math.max(0, Math.round(threshold * cells)));
  const removeFrom = critical ? cells : cell(remove); // a critical category is never removed automatically
  const escalateFrom = Math.min(cell(escalate), removeFrom);
  let removedPos = 0;
  let removedNeg = 0;
  let escalated = 0;
  let passed = 0;
  let missed = 0;
  let positives = 0;
  for (let k = 0; k < cells; k++) {
    const pos = grid.positive[k]!;
    const neg = grid.negative[k]!;
    positives += pos;
    if (k >= removeFrom) {
      removedPos += pos;
      removedNeg += neg;
    } else if (k >= escalateFrom) escalated += pos + neg;
    else {
      passed += pos + neg;
      missed += pos;
    }
  }
  const removed = removedPos + removedNeg;
  return {
    removed,
    escalated,
    passed,
    removePrecision: removed ? removedPos / removed : null,
    removeRecall: positives ? removedPos / positives : null,
    missed,
  };
}

/**
 * The threshold at which a model's score flags an item in a category — removed, or for a critical category
 * escalated (never auto-removed). What counts as a false positive or negative in error analysis and in the
 * labeling "errors" strategy.
 */
export function flagThreshold(thresholds: { remove: number; escalate: number }, critical: boolean): number {
  return critical ? thresholds.escalate : thresholds.remove;
}
