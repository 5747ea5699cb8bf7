/**
 * Moderation on the Discourse sample, as Discourse does it: a flagged post becomes a ReviewableFlaggedPost whose
 * reviewable_scores mirror its flags; staff agree, disagree or defer (ignore) it after a delay; an agreed flag hides
 * the post, may delete it, and repeated removals warn, silence or suspend its author (user_histories). Every decision
 * is tallied in the ground truth the report tests check against.
 */
import type { Random } from '../shared/random.js';
import type { ForumAccounts, Member } from './discourseAccounts.js';
import {
  type BadKind,
  FORUM_END,
  HOUR,
  MINUTE,
  POST_ACTION_TYPES,
  REVIEWABLE_STATUS,
  SCORE_STATUS,
  SYSTEM_USER_ID,
  USER_HISTORY_ACTION,
} from './discourseForum.js';
import type { ForumTables } from './discourseTables.js';
import { timestampText as ts } from './tableWriter.js';

/** What the generator knows it made: the figures reports on the sample must find (ground_truth.json). */
export function emptyTruth() {
  return {
    flags_by_type: {} as Record<
      string,
      { flags: number; agreed: number; disagreed: number; ignored: number; pending: number; by_system: number }
    >,
    reviewables_by_type_status: {} as Record<string, Record<string, number>>,
    moderators: {} as Record<string, { handled: number; total_minutes: number }>,
    flaggers: {} as Record<string, number>,
    user_history_actions: {} as Record<string, number>,
    reviewed_by_hour: {} as Record<string, number>,
    users_with_actions: {} as Record<
      string,
      { actions: number; first_action_hours: number; counts: Record<string, number> }
    >,
    /** Flagged-post reviewables with at least one "illegal" flag (Discourse marks them potentially_illegal). */
    potentially_illegal_reviewables: 0,
  };
}

export type GroundTruth = ReturnType<typeof emptyTruth>;

/** The forum as it is being generated: its random source, tables, ground truth, last ids and accounts. */
export interface Forum {
  rng: Random;
  tables: ForumTables;
  truth: GroundTruth;
  /** The last id given in each table. */
  ids: {
    topic: number;
    post: number;
    action: number;
    reviewable: number;
    score: number;
    history: number;
    warning: number;
  };
  accounts: ForumAccounts;
  topicCategory: Map<number, number>;
  removalsByUser: Map<number, number>;
}

export interface Flag {
  user: number;
  type: number;
  when: number;
}

const second = (ms: number) => Math.round(ms / 1000) * 1000;

/** A user_histories row, tallied in the ground truth (per action, and per member acted on). */
export function recordHistory(
  forum: Forum,
  action: keyof typeof USER_HISTORY_ACTION,
  actor: number,
  target: number | null,
  when: number,
  details: string,
  postRef: number | null,
  topicRef: number | null,
): void {
  const {
    tables: { histories },
    truth,
    accounts: { members },
  } = forum;
  const code = USER_HISTORY_ACTION[action];
  histories.push([
    ++forum.ids.history,
    code,
    actor,
    target,
    details,
    ts(when),
    ts(when),
    null,
    null,
    null,
    null,
    null,
    null,
    topicRef,
    false,
    postRef,
    null,
    null,
  ]);
  truth.user_history_actions[action] = (truth.user_history_actions[action] ?? 0) + 1;
  if (target !== null && target > 0) {
    const member = members.find((m) => m.id === target)!;
    const entry = (truth.users_with_actions[String(target)] ??= {
      actions: 0,
      first_action_hours: Infinity,
      counts: {},
    });
    entry.actions++;
    entry.counts[action] = (entry.counts[action] ?? 0) + 1;
    entry.first_action_hours = Math.min(entry.first_action_hours, (second(when) - second(member.createdAt)) / HOUR);
  }
}

/**
 * A post's live flags through review: the reviewable, its scores, the flags' post_actions, staff's decision and what
 * follows from it. Returns whether the post ended hidden, and when it was deleted.
 */
export function reviewFlags(
  forum: Forum,
  post: { id: number; topic: number; author: Member; bad: BadKind },
  liveFlags: Flag[],
): { hidden: boolean; deletedAt: number | null } {
  const {
    rng,
    tables: { reviewables, postActions, reviewableScores, warnings },
    truth,
    ids,
    accounts: { moderatorIds, usernames },
    topicCategory,
    removalsByUser,
  } = forum;
  const { id, topic, author, bad } = post;
  let hidden = false;
  let deletedAt: number | null = null;
  const firstFlag = Math.min(...liveFlags.map((flag) => flag.when));
  const lastFlag = Math.max(...liveFlags.map((flag) => flag.when));
  // Staff decide after a log-normal delay; some flags are still pending when the export was taken.
  const moderator = rng.pick(moderatorIds);
  const decidedAt = lastFlag + rng.logNormal(4, 1.1) * MINUTE;
  const decided = decidedAt < FORUM_END && rng.chance(0.92);
  const outcome: 'agreed' | 'disagreed' | 'ignored' | 'pending' = !decided
    ? 'pending'
    : bad
      ? rng.chance(0.93)
        ? 'agreed'
        : 'ignored'
      : rng.chance(0.7)
        ? 'disagreed'
        : 'ignored';
  const reviewable = ++ids.reviewable;
  const status =
    outcome === 'agreed'
      ? REVIEWABLE_STATUS.approved
      : outcome === 'disagreed'
        ? REVIEWABLE_STATUS.rejected
        : outcome === 'ignored'
          ? REVIEWABLE_STATUS.ignored
          : REVIEWABLE_STATUS.pending;
  const score = liveFlags.length * 1 + (liveFlags.some((flag) => flag.user === SYSTEM_USER_ID) ? 5 : 0);
  reviewables.push([
    reviewable,
    'ReviewableFlaggedPost',
    status,
    liveFlags[0]!.user,
    true,
    topicCategory.get(topic) ?? null,
    topic,
    score,
    bad === 'spam',
    id,
    'Post',
    author.id,
    '{}',
    1,
    ts(firstFlag),
    ts(firstFlag),
    ts(decided ? decidedAt : firstFlag),
    false,
    null,
  ]);
  if (liveFlags.some((flag) => flag.type === 10)) truth.potentially_illegal_reviewables++;
  const byStatus = (truth.reviewables_by_type_status.ReviewableFlaggedPost ??= {});
  byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  for (const flag of liveFlags) {
    const typeName = POST_ACTION_TYPES.find((t) => t.id === flag.type)!.name_key;
    const stats = (truth.flags_by_type[typeName] ??= {
      flags: 0,
      agreed: 0,
      disagreed: 0,
      ignored: 0,
      pending: 0,
      by_system: 0,
    });
    stats.flags++;
    stats[outcome]++;
    if (flag.user === SYSTEM_USER_ID) stats.by_system++;
    else truth.flaggers[usernames.get(flag.user)!] = (truth.flaggers[usernames.get(flag.user)!] ?? 0) + 1;
    postActions.push([
      ++ids.action,
      id,
      flag.user,
      flag.type,
      ts(flag.when),
      ts(decided ? decidedAt : flag.when),
      null,
      null,
      null,
      outcome === 'agreed',
      outcome === 'ignored' ? moderator : null,
      false,
      outcome === 'agreed' ? ts(decidedAt) : null,
      outcome === 'agreed' ? moderator : null,
      outcome === 'ignored' ? ts(decidedAt) : null,
      outcome === 'disagreed' ? ts(decidedAt) : null,
      outcome === 'disagreed' ? moderator : null,
    ]);
    const scoreStatus = SCORE_STATUS[outcome];
    reviewableScores.push([
      ++ids.score,
      reviewable,
      flag.user,
      flag.type,
      scoreStatus,
      1,
      0,
      decided ? moderator : null,
      decided ? ts(decidedAt) : null,
      null,
      ts(flag.when),
      ts(decided ? decidedAt : flag.when),
      null,
      0,
    ]);
    if (decided) {
      const modStats = (truth.moderators[usernames.get(moderator)!] ??= { handled: 0, total_minutes: 0 });
      modStats.handled++;
      modStats.total_minutes += (second(decidedAt) - second(flag.when)) / MINUTE;
      const hour = String(new Date(second(decidedAt)).getUTCHours());
      truth.reviewed_by_hour[hour] = (truth.reviewed_by_hour[hour] ?? 0) + 1;
    }
  }
  if (outcome === 'agreed') {
    hidden = true;
    if (bad === 'spam' || rng.chance(0.5)) {
      deletedAt = decidedAt + 1000;
      recordHistory(
        forum,
        'delete_post',
        moderator,
        author.id,
        deletedAt,
        `post #${id} deleted after flags`,
        id,
        topic,
      );
    }
    const removals = (removalsByUser.get(author.id) ?? 0) + 1;
    removalsByUser.set(author.id, removals);
    if (bad === 'inappropriate' && removals === 1) {
      warnings.push([++ids.warning, topic, author.id, moderator, ts(decidedAt + 2000), ts(decidedAt + 2000)]);
    }
    if (removals === 2) {
      const action = bad === 'spam' ? 'suspend_user' : 'silence_user';
      recordHistory(
        forum,
        action,
        moderator,
        author.id,
        decidedAt + 3000,
        bad === 'spam' ? 'spammer' : 'repeated abuse',
        null,
        null,
      );
    }
  }
  return { hidden, deletedAt };
}
