/**
 * The release metrics of releaseMetrics.ts over rows (times in ms since the epoch): the same definitions, for small
 * inputs and as the reference the golden tests hold the SQL to (docs/release-gates.md, "Metrics").
 */
import { MODEL_FLAGS, NOT_A_DECISION, REVERSALS, type Overturns, type TimeToRemoval } from './releaseMetrics.js';
import { rateOf, type Rate } from './slices.js';
import { percentile } from './pairedBootstrap.js';

export interface ActionRow {
  contentId: string;
  actorType: string;
  action: string;
  category?: string | null;
  modelVersion?: string | null;
  at: number;
}
export interface ReportRow {
  contentId: string;
  at: number;
}

const byContent = <T extends { contentId: string }>(rows: T[]) => {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.contentId, [...(groups.get(row.contentId) ?? []), row]);
  return groups;
};
const earliest = <T extends { at: number }>(rows: T[]) =>
  rows.reduce<T | undefined>((first, row) => (!first || row.at < first.at ? row : first), undefined);

export function overturnRate(actions: ActionRow[], version?: string): Overturns {
  let flagged = 0;
  let reversed = 0;
  for (const rows of byContent(actions).values()) {
    const flags = rows.filter(
      (a) =>
        a.actorType === 'model' &&
        (MODEL_FLAGS as readonly string[]).includes(a.action) &&
        (version === undefined || a.modelVersion === version),
    );
    const first = earliest(flags);
    if (!first) continue;
    flagged++;
    if (
      rows.some(
        (a) => a.actorType === 'human' && (REVERSALS as readonly string[]).includes(a.action) && a.at > first.at,
      )
    )
      reversed++;
  }
  return { flagged, reversed, rate: rateOf(reversed, flagged) };
}

/** numpy.percentile's default (linear interpolation between order statistics), as DuckDB's quantile_cont. */
export function linearQuantile(values: number[], q: number): number | null {
  return values.length === 0
    ? null
    : percentile(
        [...values].sort((a, b) => a - b),
        q * 100,
      );
}

/** Each removed item's seconds from the earlier of its first report and first model flag to its first remove. */
export function removalDelays(actions: ActionRow[], reports: ReportRow[]): number[] {
  const reportsOf = byContent(reports);
  const delays: number[] = [];
  for (const [contentId, rows] of byContent(actions)) {
    const removed = earliest(rows.filter((a) => a.action === 'remove'));
    if (!removed) continue;
    const flag = earliest(
      rows.filter((a) => a.actorType === 'model' && (MODEL_FLAGS as readonly string[]).includes(a.action)),
    );
    const report = earliest(reportsOf.get(contentId) ?? []);
    const starts = [flag?.at, report?.at].filter((at): at is number => at !== undefined);
    if (starts.length === 0) continue;
    const started = Math.min(...starts);
    if (started <= removed.at) delays.push((removed.at - started) / 1000);
  }
  return delays;
}

export function timeToRemoval(actions: ActionRow[], reports: ReportRow[]): TimeToRemoval {
  const delays = removalDelays(actions, reports);
  return { removals: delays.length, p50Seconds: linearQuantile(delays, 0.5), p95Seconds: linearQuantile(delays, 0.95) };
}

/** When each ever-escalated item entered the queue, and when a person first decided it (null: still waiting). */
export function queueItems(actions: ActionRow[]): { contentId: string; enteredAt: number; decidedAt: number | null }[] {
  const items = [];
  for (const [contentId, rows] of byContent(actions)) {
    const entered = earliest(rows.filter((a) => a.action === 'escalate'));
    if (!entered) continue;
    const decision = earliest(
      rows.filter((a) => a.actorType === 'human' && a.action !== NOT_A_DECISION && a.at >= entered.at),
    );
    items.push({ contentId, enteredAt: entered.at, decidedAt: decision?.at ?? null });
  }
  return items;
}

/** Queue depth at the instant t: items entered before t and not decided before t. */
export function queueDepthAt(actions: ActionRow[], t: number): number {
  return queueItems(actions).filter((q) => q.enteredAt < t && (q.decidedAt === null || q.decidedAt >= t)).length;
}

/** The fewest views a high-reach item has (see highReachCutoffSql); null when none qualifies. */
export function highReachCutoff(views: (number | null)[], fraction: number): number | null {
  const known = views.filter((v): v is number => v !== null).sort((a, b) => b - a);
  let cutoff: number | null = null;
  let moreViewed = 0;
  for (let i = 0; i < known.length; i++) {
    if (i > 0 && known[i]! < known[i - 1]!) moreViewed = i;
    if (moreViewed < fraction * known.length) cutoff = known[i]!;
  }
  return cutoff;
}

export interface ScoredLabel {
  score: number;
  label: 0 | 1;
}

/** The share of negatives scored at or above `threshold` (the version's escalate threshold), with its Wilson interval. */
export function falsePositiveRate(pairs: ScoredLabel[], threshold: number): Rate {
  const negatives = pairs.filter((p) => p.label === 0);
  return rateOf(negatives.filter((p) => p.score >= threshold).length, negatives.length);
}

/** The false-positive rate among high-reach items (views at or above the cutoff). */
export function highReachFpr(
  pairs: (ScoredLabel & { views: number | null })[],
  cutoff: number | null,
  threshold: number,
) {
  return falsePositiveRate(
    pairs.filter((p) => cutoff !== null && p.views !== null && p.views >= cutoff),
    threshold,
  );
}

/** The false-positive rate per value of a slice column (null values form their own slice), values in order. */
export function fprBySlice(pairs: (ScoredLabel & { slice: string | null })[], threshold: number) {
  const values = [...new Set(pairs.map((p) => p.slice))].sort((a, b) => String(a).localeCompare(String(b)));
  return values.map((value) => ({
    value,
    fpr: falsePositiveRate(
      pairs.filter((p) => p.slice === value),
      threshold,
    ),
  }));
}
