/**
 * Ranking a pool for active learning, as pure functions: each strategy's order (shared/labeling.ts names the
 * strategies; docs/labeling.md's table says what each does), with the numbers every item was ranked by. The host
 * ranks a session's pool with it when the session is made and after each retrain.
 */
import { type Strategy } from './labeling.js';
import { fnv1a } from './nearDuplicates.js';
import { DEFAULT_THRESHOLDS, flagThreshold, type Thresholds } from './routing.js';

/** The review-queue blend of DESIGN.md. */
export const BLEND_WEIGHTS = { entropy: 0.6, virality: 0.4 } as const;

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
