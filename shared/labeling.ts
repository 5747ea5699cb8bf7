/**
 * Labeling, as pure functions: the label event record, how current state follows from the event log (undo is an
 * event, so undo reaches as far back as the log, across items and reloads), the one rule from votes to a label, and
 * how a batch is formed. The strategies are named here and rank a pool in shared/labelingRanking.ts. The host keeps
 * the log durable; the UI, the CLI and the tests all derive state from here.
 */
import { LABEL_ORDER_DESC } from './canonical.js';
import { clusterMediaItems, unionOfClusters } from './mediaClusters.js';
import { clusterNearDuplicates, fnv1a } from './nearDuplicates.js';

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
// Forming a batch

export interface BatchCandidate {
  contentId: string;
  text: string;
  /** Perceptual hashes of the item's images and video keyframes (shared/mediaClusters.ts); none without media. */
  media?: readonly string[];
}

/**
 * Takes up to `size` candidates in order, at most one per near-duplicate cluster — of text, or of media (one picture
 * reposted with different captions), the two united: a batch is never fifty copies of one spam post. The others are
 * not dropped; they stay in the pool for a later batch (`deferred`).
 */
export function pickDistinct(
  candidates: BatchCandidate[],
  size: number,
  threshold = BATCH_DUPLICATE_THRESHOLD,
): { picked: BatchCandidate[]; deferred: BatchCandidate[] } {
  const clusterOf = new Map<number, number>();
  const textClusters = clusterNearDuplicates(
    candidates.map((c) => c.text ?? ''),
    threshold,
    2,
  );
  const mediaClusters = clusterMediaItems(candidates.map((c) => c.media ?? []));
  unionOfClusters(candidates.length, [textClusters, mediaClusters]).forEach((cluster, id) => {
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
