/**
 * Labeling, as pure functions: the label event record, how current state follows from the event log (undo is an
 * event, so undo reaches as far back as the log, across items and reloads), and the strategies that rank a pool
 * for active learning. The host keeps the log durable; the UI, the CLI and the tests all derive state from here.
 */
import { LABEL_ORDER_DESC } from './canonical.js';
import { clusterNearDuplicates, fnv1a } from './nearDuplicates.js';
import { DEFAULT_THRESHOLDS, flagThreshold, type Thresholds } from './routing.js';

export const LABEL_EVENT_KINDS = ['label', 'skip', 'unsure', 'note', 'undo', 'adjudicate'] as const;
export type LabelEventKind = (typeof LABEL_EVENT_KINDS)[number];

/** One row of the audit trail. An action (one keystroke: a submit, a skip, an undo) is one or more events. */
export interface LabelEvent {
  event_id: string;
  session_id: string | null;
  content_id: string | null;
  annotator_id: string;
  /** The top-level category a `label` event is about; null for item-level events (skip, unsure, note, undo). */
  category: string | null;
  /** '1' (the category applies) or '0'. */
  value: string | null;
  /** The leaf chosen under a positive category, where the policy has leaves. */
  leaf: string | null;
  note: string | null;
  policy_version: string;
  kind: LabelEventKind;
  /** The events of one action share it; an undo names the action it reverses. */
  action_id: string;
  undoes: string | null;
  /** The strategy that picked the item (null for events ingested from elsewhere). */
  strategy: string | null;
  created_at: string;
  /** The event's place in the label journal (not written in it: its position is). */
  seq?: number | null;
}

export const STRATEGIES = ['entropy', 'margin', 'blend', 'random', 'stratified', 'errors', 'relabel'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const STRATEGY_TITLES: Record<Strategy, string> = {
  entropy: 'Most uncertain (entropy)',
  margin: 'Closest to a threshold (margin)',
  blend: 'Review queue (0.6 · entropy + 0.4 · virality)',
  random: 'Random audit sample',
  stratified: 'Stratified by predicted category',
  errors: 'Model errors (contradicted by human labels)',
  relabel: 'Relabel under the current policy (items a policy change left undetermined)',
};

/** Strategies that order the pool without a model's scores (a session with one never scores its pool first). */
export const UNSCORED_STRATEGIES: readonly Strategy[] = ['random', 'relabel'];

/** The review-queue blend of DESIGN.md. */
export const BLEND_WEIGHTS = { entropy: 0.6, virality: 0.4 } as const;

/**
 * Labeled items a retrain never trains on, so the change it makes can be measured: a fixed fifth, by content id, the
 * same in every retrain.
 */
export const isHeldOut = (contentId: string) => fnv1a(`held-out:${contentId}`) % 5 === 0;

/**
 * Below these, a held-out AP (before → after a retrain) says nothing: on a handful of items, or with only a few
 * positives, one item moves it by a large step and 1.000 → 1.000 is the common case. The screen states n and the
 * positives beside every AP and says "too few to judge" under either.
 */
export const HELD_OUT_TO_JUDGE = { items: 30, positives: 5 } as const;

/** Whether a held-out comparison on this many items (this many positive) is too small to judge a retrain by. */
export const tooFewToJudge = (items: number, positives: number) =>
  items < HELD_OUT_TO_JUDGE.items || positives < HELD_OUT_TO_JUDGE.positives;

/** Two items this similar (shingle Jaccard) are one item for a batch. */
export const BATCH_DUPLICATE_THRESHOLD = 0.5;

// ---------------------------------------------------------------------------------------------------------------
// Replaying the log

export type ItemStatus = 'open' | 'labeled' | 'unsure' | 'skipped';

export interface ItemLabelState {
  contentId: string;
  status: ItemStatus;
  /** category → the current decision (from the latest live `label` action). */
  labels: Record<string, { value: 0 | 1; leaf: string | null }>;
  note: string | null;
  /** When the latest live action on the item happened. */
  at: string | null;
}

export interface ActionRecord {
  actionId: string;
  kind: Exclude<LabelEventKind, 'undo'>;
  contentId: string | null;
  annotatorId: string;
  sessionId: string | null;
  at: string;
  undone: boolean;
}

const STATUS_OF: Partial<Record<LabelEventKind, ItemStatus>> = {
  label: 'labeled',
  unsure: 'unsure',
  skip: 'skipped',
  adjudicate: 'labeled',
};

/**
 * Current state from the events, kept up to date one event at a time (a session with a million events must not
 * be replayed per keystroke). Undo of an undo is not an operation; an undo of an unknown action is ignored.
 */
export class LabelLog {
  /** Every non-undo action in log order. */
  readonly actions: ActionRecord[] = [];
  private readonly byAction = new Map<string, { record: ActionRecord; events: LabelEvent[] }>();
  /** annotator → content id → the item's action ids, in order. */
  private readonly itemActions = new Map<string, Map<string, string[]>>();
  /** annotator → content id → current state. */
  readonly items = new Map<string, Map<string, ItemLabelState>>();

  static of(events: Iterable<LabelEvent>): LabelLog {
    const log = new LabelLog();
    for (const event of events) log.apply(event);
    return log;
  }

  apply(event: LabelEvent): void {
    if (event.kind === 'undo') {
      const target = event.undoes ? this.byAction.get(event.undoes) : undefined;
      // An undo reverses only its author's own action (as in CURRENT_LABELS_SQL).
      if (!target || target.record.undone || target.record.annotatorId !== event.annotator_id) return;
      target.record.undone = true;
      if (target.record.contentId !== null) this.recompute(target.record.annotatorId, target.record.contentId);
      return;
    }
    const existing = this.byAction.get(event.action_id);
    if (existing) {
      existing.events.push(event);
    } else {
      const record: ActionRecord = {
        actionId: event.action_id,
        kind: event.kind,
        contentId: event.content_id,
        annotatorId: event.annotator_id,
        sessionId: event.session_id,
        at: event.created_at,
        undone: false,
      };
      this.byAction.set(event.action_id, { record, events: [event] });
      this.actions.push(record);
      if (event.content_id !== null) {
        let perAnnotator = this.itemActions.get(event.annotator_id);
        if (!perAnnotator) this.itemActions.set(event.annotator_id, (perAnnotator = new Map()));
        const list = perAnnotator.get(event.content_id) ?? [];
        list.push(event.action_id);
        perAnnotator.set(event.content_id, list);
      }
    }
    if (event.content_id !== null) this.recompute(event.annotator_id, event.content_id);
  }

  item(annotatorId: string, contentId: string): ItemLabelState | undefined {
    return this.items.get(annotatorId)?.get(contentId);
  }

  action(actionId: string): ActionRecord | undefined {
    return this.byAction.get(actionId)?.record;
  }

  private recompute(annotatorId: string, contentId: string): void {
    const state: ItemLabelState = { contentId, status: 'open', labels: {}, note: null, at: null };
    for (const actionId of this.itemActions.get(annotatorId)?.get(contentId) ?? []) {
      const { record, events } = this.byAction.get(actionId)!;
      if (record.undone) continue;
      state.at = record.at;
      const status = STATUS_OF[record.kind];
      if (status) state.status = status;
      // Per category, the latest live label wins (as in CURRENT_LABELS_SQL): an ingested event names one category.
      if (record.kind === 'label' || record.kind === 'adjudicate') {
        for (const event of events)
          if (event.category) state.labels[event.category] = { value: event.value === '1' ? 1 : 0, leaf: event.leaf };
      }
      for (const event of events) if (event.note !== null && event.note !== undefined) state.note = event.note;
    }
    let perAnnotator = this.items.get(annotatorId);
    if (!perAnnotator) this.items.set(annotatorId, (perAnnotator = new Map()));
    if (state.at === null) perAnnotator.delete(contentId);
    else perAnnotator.set(contentId, state);
  }

  /**
   * The action Backspace would undo next for an annotator in a session: their latest that is not undone (`alsoUndone`:
   * actions an undo not yet applied is about to reverse).
   */
  undoTarget(sessionId: string, annotatorId: string, alsoUndone: ReadonlySet<string> = new Set()): ActionRecord | null {
    for (let i = this.actions.length - 1; i >= 0; i--) {
      const action = this.actions[i]!;
      if (
        action.sessionId === sessionId &&
        action.annotatorId === annotatorId &&
        !action.undone &&
        !alsoUndone.has(action.actionId)
      )
        return action;
    }
    return null;
  }
}

/** Whether an item counts as done for its annotator: labeled or marked unsure. A skip comes back later. */
export const isDone = (state: ItemLabelState | undefined) =>
  state !== undefined && (state.status === 'labeled' || state.status === 'unsure');

/** Items per hour and the median seconds per item, from the times of consecutive done actions. */
export function labelingPace(doneTimes: string[]): {
  itemsPerHour: number | null;
  medianSecondsPerItem: number | null;
} {
  const times = doneTimes
    .map((t) => Date.parse(t))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (times.length < 2) return { itemsPerHour: null, medianSecondsPerItem: null };
  // A gap over ten minutes is a break, not time spent on the item.
  const gaps = times
    .slice(1)
    .map((t, i) => (t - times[i]!) / 1000)
    .filter((gap) => gap <= 600);
  if (gaps.length === 0) return { itemsPerHour: null, medianSecondsPerItem: null };
  const sorted = [...gaps].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const total = gaps.reduce((sum, gap) => sum + gap, 0);
  return { itemsPerHour: total > 0 ? (gaps.length / total) * 3600 : null, medianSecondsPerItem: median };
}

// ---------------------------------------------------------------------------------------------------------------
// From votes to a label: the one rule

/**
 * What people's votes on an item's category decide, as `VoteOutcome.status`:
 *   - `adjudicated`: a lead decided (the latest adjudication), whatever the votes;
 *   - `unanimous`: every annotator gave the same value;
 *   - `majority`: more gave one value than the other;
 *   - `tied`: as many 1s as 0s — undecided. A tie is no label: it is left out of evaluation, error analysis and the
 *     errors strategy (counted and shown), never a dataset row, and it waits in the adjudication queue.
 */
export const VOTE_STATUSES = ['adjudicated', 'unanimous', 'majority', 'tied'] as const;
export type VoteStatus = (typeof VOTE_STATUSES)[number];

/**
 * The rule above as SQL, the one place it is written: a SELECT over `votes` (any relation with content_id,
 * category, value '0'/'1', kind 'label'/'adjudicate', and seq, created_at and event_id, by which the latest
 * adjudication decides — current_labels, or a scoped copy of it),
 * one row per item and category: content_id, category, positives, negatives (annotators' votes),
 * label (INTEGER 0/1, NULL when tied), status (a VoteStatus). Other values and kinds are not votes.
 */
export function voteOutcomeSql(votes: string): string {
  return `SELECT content_id, category, positives, negatives,
            CASE WHEN adjudicated IS NOT NULL THEN adjudicated::INTEGER WHEN positives > negatives THEN 1 WHEN negatives > positives THEN 0 END AS label,
            CASE WHEN adjudicated IS NOT NULL THEN 'adjudicated' WHEN positives = 0 OR negatives = 0 THEN 'unanimous'
                 WHEN positives <> negatives THEN 'majority' ELSE 'tied' END AS status
     FROM (SELECT content_id, category,
                  count(*) FILTER (WHERE kind = 'label' AND value = '1') AS positives,
                  count(*) FILTER (WHERE kind = 'label' AND value = '0') AS negatives,
                  first(value ORDER BY ${LABEL_ORDER_DESC}) FILTER (WHERE kind = 'adjudicate') AS adjudicated
           FROM ${votes} WHERE value IN ('0', '1') AND kind IN ('label', 'adjudicate') AND category IS NOT NULL GROUP BY content_id, category)`;
}

/** How the CLI and the Evaluate view say that ties were left out. */
export const tiedNote = (items: number) =>
  `${items.toLocaleString('en-US')} item${items === 1 ? '' : 's'} tied, left out: as many annotators said 1 as 0, so ${items === 1 ? 'it has' : 'they have'} no label until adjudicated (Label → a session's review).`;

// ---------------------------------------------------------------------------------------------------------------
// Ranking a pool

export interface PoolItem {
  contentId: string;
  /** category → the model's probability; null when the model version has not scored the item. */
  scores: Record<string, number> | null;
  views24h: number | null;
  /** category → the human label (voteOutcomeSql: majority or adjudication; none when tied), for the errors strategy. */
  humanLabels?: Record<string, 0 | 1>;
}

export interface RankingRules {
  categories: string[];
  thresholds: Record<string, Thresholds>;
  critical: string[];
  seed: number;
}

/** Why an item was picked: the numbers the strategy ranked it by. */
export type PickReason =
  | { strategy: 'entropy'; entropy: number; perCategory: Record<string, number> }
  | { strategy: 'margin'; margin: number; category: string; threshold: number; score: number }
  | { strategy: 'blend'; blend: number; entropy: number; virality: number }
  | { strategy: 'random' | 'relabel'; draw: number }
  | { strategy: 'stratified'; stratum: string; draw: number }
  | {
      strategy: 'errors';
      errors: { category: string; kind: 'false_positive' | 'false_negative'; score: number; threshold: number }[];
    }
  | { strategy: Strategy; unscored: true };

export interface RankedItem {
  contentId: string;
  /** 1-based position in the pool's order. */
  rank: number;
  /** Higher is picked first; comparable within one ranking only. */
  priority: number;
  reason: PickReason;
}

export interface Ranking {
  items: RankedItem[];
  /** Items of the pool the strategy has no place for (errors: items whose labels agree with the model). */
  excluded: number;
  unscored: number;
}

const EPS = 1e-12;

/** Binary entropy in bits: 1 at p = 0.5, 0 at p = 0 or 1. */
export function binaryEntropy(p: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return -(q * Math.log2(q) + (1 - q) * Math.log2(1 - q));
}

/** Multi-label uncertainty: the sum of the categories' binary entropies. */
export function entropyOf(
  scores: Record<string, number>,
  categories: string[],
): { total: number; perCategory: Record<string, number> } {
  const perCategory: Record<string, number> = {};
  let total = 0;
  for (const category of categories) {
    const score = scores[category];
    if (score === undefined) continue;
    perCategory[category] = binaryEntropy(score);
    total += perCategory[category]!;
  }
  return { total, perCategory };
}

/** Distance to the nearest threshold of any category (both the remove and the escalate threshold). */
export function marginOf(
  scores: Record<string, number>,
  rules: Pick<RankingRules, 'categories' | 'thresholds' | 'critical'>,
): { margin: number; category: string; threshold: number; score: number } {
  let best = { margin: Number.POSITIVE_INFINITY, category: rules.categories[0] ?? '', threshold: 0, score: 0 };
  for (const category of rules.categories) {
    const score = scores[category];
    if (score === undefined) continue;
    const t = rules.thresholds[category] ?? DEFAULT_THRESHOLDS;
    const cuts = rules.critical.includes(category) ? [t.escalate] : [t.remove, t.escalate];
    for (const threshold of cuts) {
      const margin = Math.abs(score - threshold);
      if (margin < best.margin) best = { margin, category, threshold, score };
    }
  }
  return best;
}

/**
 * Normalised rank of each value in [0, 1] (ties share their average rank; a missing value ranks lowest), so a
 * viral outlier counts no more than the next most viewed item.
 */
export function normalisedRanks(values: (number | null)[]): number[] {
  const n = values.length;
  if (n <= 1) return values.map(() => 0);
  const order = values
    .map((value, index) => ({ value: value ?? Number.NEGATIVE_INFINITY, index }))
    .sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(n);
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && order[end + 1]!.value === order[start]!.value) end++;
    const average = (start + end) / 2 / (n - 1);
    for (let i = start; i <= end; i++) ranks[order[i]!.index] = average;
    start = end + 1;
  }
  return ranks;
}

/** A uniform draw in [0, 1) fixed by the seed and the item: the same sample on every run. */
export const seededDraw = (seed: number, contentId: string) => fnv1a(`${seed}:${contentId}`) / 4294967296;

/** The decision a model's score makes for a category: is the item flagged (removed, or escalated if critical)? */
function flagged(
  score: number,
  category: string,
  rules: Pick<RankingRules, 'thresholds' | 'critical'>,
): { flagged: boolean; threshold: number } {
  const t = rules.thresholds[category] ?? DEFAULT_THRESHOLDS;
  const threshold = flagThreshold(t, rules.critical.includes(category));
  return { flagged: score >= threshold, threshold };
}

/** Orders a pool for a strategy. Unscored items keep a place at the end (nothing is dropped without saying so). */
export function rankPool(pool: PoolItem[], strategy: Strategy, rules: RankingRules): Ranking {
  const scored: { item: PoolItem; priority: number; reason: PickReason }[] = [];
  const unscored: PoolItem[] = [];
  let excluded = 0;
  const needsScores = strategy !== 'random';
  const virality = strategy === 'blend' ? normalisedRanks(pool.map((item) => item.views24h)) : null;
  const strata = new Map<string, { item: PoolItem; draw: number }[]>();
  pool.forEach((item, index) => {
    if (needsScores && item.scores === null) {
      unscored.push(item);
      return;
    }
    const scores = item.scores ?? {};
    switch (strategy) {
      case 'entropy': {
        const { total, perCategory } = entropyOf(scores, rules.categories);
        scored.push({ item, priority: total, reason: { strategy, entropy: total, perCategory } });
        break;
      }
      case 'margin': {
        const margin = marginOf(scores, rules);
        scored.push({ item, priority: -margin.margin, reason: { strategy, ...margin } });
        break;
      }
      case 'blend': {
        const entropy = entropyOf(scores, rules.categories).total / Math.max(1, rules.categories.length);
        const blend = BLEND_WEIGHTS.entropy * entropy + BLEND_WEIGHTS.virality * virality![index]!;
        scored.push({ item, priority: blend, reason: { strategy, blend, entropy, virality: virality![index]! } });
        break;
      }
      case 'random':
      case 'relabel': {
        // The relabel queue needs no model: every item in it is to be labeled again, in a fixed, unbiased order.
        const draw = seededDraw(rules.seed, item.contentId);
        scored.push({ item, priority: 1 - draw, reason: { strategy, draw } });
        break;
      }
      case 'stratified': {
        let stratum = 'none';
        let best = Number.NEGATIVE_INFINITY;
        for (const category of rules.categories) {
          const score = scores[category];
          const t = rules.thresholds[category] ?? DEFAULT_THRESHOLDS;
          if (score !== undefined && score >= t.escalate && score > best) {
            best = score;
            stratum = category;
          }
        }
        const members = strata.get(stratum) ?? [];
        members.push({ item, draw: seededDraw(rules.seed, item.contentId) });
        strata.set(stratum, members);
        break;
      }
      case 'errors': {
        const errors: {
          category: string;
          kind: 'false_positive' | 'false_negative';
          score: number;
          threshold: number;
        }[] = [];
        for (const category of rules.categories) {
          const label = item.humanLabels?.[category];
          const score = scores[category];
          if (label === undefined || score === undefined) continue;
          const decision = flagged(score, category, rules);
          if (decision.flagged && label === 0)
            errors.push({ category, kind: 'false_positive', score, threshold: decision.threshold });
          if (!decision.flagged && label === 1)
            errors.push({ category, kind: 'false_negative', score, threshold: decision.threshold });
        }
        if (errors.length === 0) {
          excluded++;
          break;
        }
        // The most confident mistakes first: they teach the most about the model.
        const priority = Math.max(...errors.map((error) => Math.abs(error.score - error.threshold)));
        scored.push({ item, priority, reason: { strategy, errors } });
        break;
      }
    }
  });
  if (strategy === 'stratified') {
    // Round-robin over the strata (the model's categories in order, then items no category flags), each shuffled.
    const keys = [...rules.categories.filter((c) => strata.has(c)), ...(strata.has('none') ? ['none'] : [])];
    const queues = keys.map((key) =>
      strata.get(key)!.sort((a, b) => a.draw - b.draw || (a.item.contentId < b.item.contentId ? -1 : 1)),
    );
    let position = 0;
    for (let round = 0; queues.some((queue) => round < queue.length); round++) {
      queues.forEach((queue, k) => {
        const entry = queue[round];
        if (entry)
          scored.push({
            item: entry.item,
            priority: -position++,
            reason: { strategy, stratum: keys[k]!, draw: entry.draw },
          });
      });
    }
  }
  scored.sort(
    (a, b) =>
      b.priority - a.priority ||
      (a.item.contentId < b.item.contentId ? -1 : a.item.contentId > b.item.contentId ? 1 : 0),
  );
  const items: RankedItem[] = scored.map((entry, i) => ({
    contentId: entry.item.contentId,
    rank: i + 1,
    priority: entry.priority,
    reason: entry.reason,
  }));
  unscored.sort((a, b) => (a.contentId < b.contentId ? -1 : a.contentId > b.contentId ? 1 : 0));
  for (const item of unscored)
    items.push({
      contentId: item.contentId,
      rank: items.length + 1,
      priority: Number.NEGATIVE_INFINITY,
      reason: { strategy, unscored: true },
    });
  return { items, excluded, unscored: unscored.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Forming a batch

export interface BatchCandidate {
  contentId: string;
  text: string;
}

/**
 * Takes up to `size` candidates in order, at most one per near-duplicate cluster: a batch is never fifty copies
 * of one spam post. The others are not dropped; they stay in the pool for a later batch (`deferred`).
 */
export function pickDistinct(
  candidates: BatchCandidate[],
  size: number,
  threshold = BATCH_DUPLICATE_THRESHOLD,
): { picked: BatchCandidate[]; deferred: BatchCandidate[] } {
  const clusterOf = new Map<number, number>();
  clusterNearDuplicates(
    candidates.map((c) => c.text ?? ''),
    threshold,
    2,
  ).forEach((cluster, id) => {
    for (const member of cluster.members) clusterOf.set(member, id);
  });
  const taken = new Set<number>();
  const picked: BatchCandidate[] = [];
  const deferred: BatchCandidate[] = [];
  candidates.forEach((candidate, index) => {
    const cluster = clusterOf.get(index);
    if (picked.length >= size || (cluster !== undefined && taken.has(cluster))) {
      deferred.push(candidate);
      return;
    }
    if (cluster !== undefined) taken.add(cluster);
    picked.push(candidate);
  });
  return { picked, deferred };
}

/** Minutes an annotator may sit on a reserved batch before its unlabeled items go to whoever asks next (work stealing). */
export const DEFAULT_IDLE_MINUTES = 15;
