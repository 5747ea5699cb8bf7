/**
 * Deterministic generator for a Discourse-shaped forum sample: Discourse's table and column names and types
 * (posts, users, post_actions, post_action_types, reviewables, reviewable_scores, user_histories,
 * user_warnings, plus topics and categories), so Data Explorer reports written for a Discourse database run on
 * it. The flag lifecycle follows Discourse: a flag is a post_action; staff agree, disagree or defer (ignore) it
 * on a ReviewableFlaggedPost, whose reviewable_scores mirror the flags.
 *
 * Incident: a spam wave — a batch of accounts made that morning post near-identical "token airdrop" posts linking to
 * one domain for three hours, and members flag them as spam. Its ground truth goes to incidents.json.
 *
 *   npm run sample-data:discourse -- --posts N --seed S --out DIR
 */
import fs from 'node:fs';
import path from 'node:path';
import { Random } from '../shared/random.js';
import { DISCOURSE_COLUMNS } from './discourseSchema.js';
import { SampleWriter, timestampText as ts } from './tableWriter.js';

export const FORUM_START = Date.UTC(2024, 0, 1);
const FORUM_DAYS = 60;
const HOUR = 3_600_000;
const MINUTE = 60_000;
export const SYSTEM_USER_ID = -1;
/** The spam wave: three hours on day 41 of the forum's 60. */
export const SPAM_WAVE_START = Date.UTC(2024, 1, 10, 14);
export const SPAM_WAVE_END = Date.UTC(2024, 1, 10, 17);
export const SPAM_WAVE_DOMAIN = 'claim-drop.example';
const SPAM_WAVE_ACCOUNTS = 24;
const SPAM_WAVE_POSTS = [
  'Free {w} token airdrop is live! Claim yours at claim-drop.example before midnight',
  'Free {w} token airdrop is live, claim yours at claim-drop.example before it ends',
  'The {w} token airdrop is live! Claim your free tokens at claim-drop.example now',
];

export interface DiscourseIncident {
  kind: string;
  start: string;
  end: string;
  description: string;
  [detail: string]: unknown;
}

/** Discourse's post action types (PostActionType.types) and which are flags. */
export const POST_ACTION_TYPES = [
  { id: 2, name_key: 'like', is_flag: false, icon: 'heart', position: 2, score_bonus: 0 },
  { id: 3, name_key: 'off_topic', is_flag: true, icon: null, position: 3, score_bonus: 0 },
  { id: 4, name_key: 'inappropriate', is_flag: true, icon: null, position: 4, score_bonus: 0 },
  { id: 6, name_key: 'notify_user', is_flag: true, icon: null, position: 6, score_bonus: 0 },
  { id: 7, name_key: 'notify_moderators', is_flag: true, icon: null, position: 7, score_bonus: 0 },
  { id: 8, name_key: 'spam', is_flag: true, icon: null, position: 8, score_bonus: 0 },
  { id: 10, name_key: 'illegal', is_flag: true, icon: null, position: 10, score_bonus: 0 },
] as const;
/** Reviewable.statuses and ReviewableScore.statuses. */
export const REVIEWABLE_STATUS = { pending: 0, approved: 1, rejected: 2, ignored: 3, deleted: 4 } as const;
export const SCORE_STATUS = { pending: 0, agreed: 1, disagreed: 2, ignored: 3 } as const;
/** UserHistory.actions used here. */
export const USER_HISTORY_ACTION = {
  delete_user: 1,
  change_trust_level: 2,
  suspend_user: 10,
  unsuspend_user: 11,
  delete_post: 17,
  silence_user: 30,
  unsilence_user: 31,
} as const;

type BadKind = 'spam' | 'inappropriate' | 'off_topic' | null;

export interface DiscourseOptions {
  posts: number;
  seed: number;
  out: string;
}

const TOPIC_WORDS = [
  'install',
  'upgrade',
  'plugin',
  'theme',
  'backup',
  'email',
  'sso',
  'docker',
  'category',
  'badge',
  'search',
  'mobile',
];
const GOOD_POSTS = [
  'Thanks, that fixed it for me after the upgrade.',
  'Have you tried rebuilding the container? That usually helps with {w} issues.',
  'I can reproduce this on the latest version, will open a bug report.',
  'Here is the config I use for {w}, hope it helps.',
  'Great write-up, bookmarking this for later.',
  'Does anyone know if the {w} setting survives a restart?',
];
const BAD_POSTS: Record<Exclude<BadKind, null>, string[]> = {
  spam: [
    'Best cheap {w} service!!! visit cheap-{w}-deals.example now',
    'Buy followers and likes at growth-hub.example, 50% off today',
    'Earn $500/day from home, DM me for the {w} secret',
  ],
  inappropriate: [
    'You are an idiot and everyone here hates you',
    'Shut up, nobody asked for your stupid opinion on {w}',
    'This community is full of morons',
  ],
  off_topic: [
    'Anyone watching the game tonight?',
    'What is everyone having for lunch?',
    'Unrelated, but my cat just did the funniest thing',
  ],
};

export async function generateDiscourseSample(options: DiscourseOptions): Promise<Record<string, number>> {
  const rng = new Random(options.seed);
  const writer = new SampleWriter();
  // Every table is written with all of Discourse's columns for it, in Discourse's order (discourseSchema.ts).
  const forumTable = (name: string, columns: Record<string, string>, orderBy: string) =>
    writer.table(name, columns, orderBy, DISCOURSE_COLUMNS[name]);
  const end = FORUM_START + FORUM_DAYS * 24 * HOUR;
  const T = 'TIMESTAMP';
  const users = forumTable(
    'users',
    {
      id: 'INTEGER',
      username: 'VARCHAR',
      username_lower: 'VARCHAR',
      name: 'VARCHAR',
      created_at: T,
      updated_at: T,
      last_seen_at: T,
      trust_level: 'INTEGER',
      admin: 'BOOLEAN',
      moderator: 'BOOLEAN',
      active: 'BOOLEAN',
      approved: 'BOOLEAN',
      suspended_at: T,
      suspended_till: T,
      silenced_till: T,
      staged: 'BOOLEAN',
      views: 'INTEGER',
    },
    'id',
  );
  const categories = forumTable(
    'categories',
    { id: 'INTEGER', name: 'VARCHAR', slug: 'VARCHAR', created_at: T, read_restricted: 'BOOLEAN' },
    'id',
  );
  const topics = forumTable(
    'topics',
    {
      id: 'INTEGER',
      title: 'VARCHAR',
      created_at: T,
      updated_at: T,
      user_id: 'INTEGER',
      category_id: 'INTEGER',
      archetype: 'VARCHAR',
      posts_count: 'INTEGER',
      views: 'INTEGER',
      closed: 'BOOLEAN',
      archived: 'BOOLEAN',
      visible: 'BOOLEAN',
      deleted_at: T,
    },
    'id',
  );
  const posts = forumTable(
    'posts',
    {
      id: 'INTEGER',
      user_id: 'INTEGER',
      topic_id: 'INTEGER',
      post_number: 'INTEGER',
      raw: 'VARCHAR',
      cooked: 'VARCHAR',
      created_at: T,
      updated_at: T,
      deleted_at: T,
      hidden: 'BOOLEAN',
      hidden_reason_id: 'INTEGER',
      hidden_at: T,
      like_count: 'INTEGER',
      reply_count: 'INTEGER',
      post_type: 'INTEGER',
      word_count: 'INTEGER',
      user_deleted: 'BOOLEAN',
    },
    'id',
  );
  const actionTypes = forumTable(
    'post_action_types',
    {
      id: 'INTEGER',
      name_key: 'VARCHAR',
      is_flag: 'BOOLEAN',
      icon: 'VARCHAR',
      position: 'INTEGER',
      score_bonus: 'DOUBLE',
      reviewable_priority: 'INTEGER',
      created_at: T,
      updated_at: T,
    },
    'id',
  );
  const postActions = forumTable(
    'post_actions',
    {
      id: 'INTEGER',
      post_id: 'INTEGER',
      user_id: 'INTEGER',
      post_action_type_id: 'INTEGER',
      created_at: T,
      updated_at: T,
      deleted_at: T,
      deleted_by_id: 'INTEGER',
      related_post_id: 'INTEGER',
      staff_took_action: 'BOOLEAN',
      deferred_by_id: 'INTEGER',
      targets_topic: 'BOOLEAN',
      agreed_at: T,
      agreed_by_id: 'INTEGER',
      deferred_at: T,
      disagreed_at: T,
      disagreed_by_id: 'INTEGER',
    },
    'id',
  );
  const reviewables = forumTable(
    'reviewables',
    {
      id: 'INTEGER',
      type: 'VARCHAR',
      status: 'INTEGER',
      created_by_id: 'INTEGER',
      reviewable_by_moderator: 'BOOLEAN',
      category_id: 'INTEGER',
      topic_id: 'INTEGER',
      score: 'DOUBLE',
      potential_spam: 'BOOLEAN',
      target_id: 'INTEGER',
      target_type: 'VARCHAR',
      target_created_by_id: 'INTEGER',
      payload: 'JSON',
      version: 'INTEGER',
      latest_score: T,
      created_at: T,
      updated_at: T,
      force_review: 'BOOLEAN',
      reject_reason: 'VARCHAR',
    },
    'id',
  );
  const reviewableScores = forumTable(
    'reviewable_scores',
    {
      id: 'INTEGER',
      reviewable_id: 'INTEGER',
      user_id: 'INTEGER',
      reviewable_score_type: 'INTEGER',
      status: 'INTEGER',
      score: 'DOUBLE',
      take_action_bonus: 'DOUBLE',
      reviewed_by_id: 'INTEGER',
      reviewed_at: T,
      meta_topic_id: 'INTEGER',
      created_at: T,
      updated_at: T,
      reason: 'VARCHAR',
      user_accuracy_bonus: 'DOUBLE',
    },
    'id',
  );
  const histories = forumTable(
    'user_histories',
    {
      id: 'INTEGER',
      action: 'INTEGER',
      acting_user_id: 'INTEGER',
      target_user_id: 'INTEGER',
      details: 'VARCHAR',
      created_at: T,
      updated_at: T,
      context: 'VARCHAR',
      ip_address: 'VARCHAR',
      email: 'VARCHAR',
      subject: 'VARCHAR',
      previous_value: 'VARCHAR',
      new_value: 'VARCHAR',
      topic_id: 'INTEGER',
      admin_only: 'BOOLEAN',
      post_id: 'INTEGER',
      custom_type: 'VARCHAR',
      category_id: 'INTEGER',
    },
    'id',
  );
  const warnings = forumTable(
    'user_warnings',
    { id: 'INTEGER', topic_id: 'INTEGER', user_id: 'INTEGER', created_by_id: 'INTEGER', created_at: T, updated_at: T },
    'id',
  );

  const truth = {
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
  const second = (ms: number) => Math.round(ms / 1000) * 1000;

  // Staff and the system user.
  const created = FORUM_START - 400 * 24 * HOUR;
  users.push([
    SYSTEM_USER_ID,
    'system',
    'system',
    'system',
    ts(created),
    ts(created),
    null,
    4,
    true,
    true,
    true,
    true,
    null,
    null,
    null,
    false,
    0,
  ]);
  const moderatorIds = [1, 2, 3, 4, 5, 6];
  const usernames = new Map<number, string>([[SYSTEM_USER_ID, 'system']]);
  for (const id of moderatorIds) {
    const name = `mod_${['ana', 'ben', 'chen', 'dara', 'eli', 'fay'][id - 1]}`;
    usernames.set(id, name);
    users.push([
      id,
      name,
      name,
      name,
      ts(created + id * HOUR),
      ts(created),
      ts(end),
      4,
      id === 1,
      true,
      true,
      true,
      null,
      null,
      null,
      false,
      rng.int(100, 900),
    ]);
  }
  const memberCount = Math.max(200, Math.round(options.posts / 12));
  const members: { id: number; createdAt: number; spammer: boolean }[] = [];
  /** Who posts, likes and flags at random: every member but the spam wave's accounts. */
  const regulars: typeof members = [];
  for (let i = 0; i < memberCount; i++) {
    const id = 100 + i;
    const spammer = rng.chance(0.04);
    const createdAt = spammer
      ? FORUM_START + rng.next() * (end - FORUM_START - 5 * 24 * HOUR)
      : FORUM_START - rng.logNormal(4.5, 1.2) * 24 * HOUR;
    const name = `${rng.pick(['alex', 'sam', 'kim', 'lee', 'jo', 'max', 'pat', 'ray', 'sky', 'val'])}${rng.pick(['_dev', '', '_ops', '42', '_x', '99'])}${id}`;
    usernames.set(id, name);
    members.push({ id, createdAt, spammer });
    regulars.push(members[members.length - 1]!);
    users.push([
      id,
      name,
      name.toLowerCase(),
      name,
      ts(createdAt),
      ts(createdAt),
      ts(Math.min(end, createdAt + rng.int(1, 60) * 24 * HOUR)),
      spammer ? 0 : rng.int(0, 3),
      false,
      false,
      true,
      true,
      null,
      null,
      null,
      false,
      rng.int(0, 400),
    ]);
  }
  // The spam wave's accounts, all made in the hours before it starts.
  const waveAccounts: typeof members = [];
  for (let i = 0; i < SPAM_WAVE_ACCOUNTS; i++) {
    const id = 100 + memberCount + i;
    const createdAt = SPAM_WAVE_START - rng.int(60, 10 * 60) * MINUTE;
    const name = `${rng.pick(['crypto', 'token', 'drop', 'moon'])}_${rng.pick(['king', 'fan', 'bot', 'pro'])}${id}`;
    usernames.set(id, name);
    const account = { id, createdAt, spammer: true };
    members.push(account);
    waveAccounts.push(account);
    users.push([
      id,
      name,
      name.toLowerCase(),
      name,
      ts(createdAt),
      ts(createdAt),
      ts(SPAM_WAVE_END),
      0,
      false,
      false,
      true,
      true,
      null,
      null,
      null,
      false,
      rng.int(0, 5),
    ]);
  }
  for (const type of POST_ACTION_TYPES)
    actionTypes.push([
      type.id,
      type.name_key,
      type.is_flag,
      type.icon,
      type.position,
      type.score_bonus,
      type.is_flag ? 0 : null,
      ts(created),
      ts(created),
    ]);
  const categoryNames = ['Support', 'Feature', 'Bug', 'Dev', 'Plugin', 'Theme', 'Community', 'Announcements'];
  categoryNames.forEach((name, index) => categories.push([index + 1, name, name.toLowerCase(), ts(created), false]));

  let topicId = 0;
  let postId = 0;
  let actionId = 0;
  let reviewableId = 0;
  let scoreId = 0;
  let historyId = 0;
  let warningId = 0;
  const topicPosts = new Map<number, number>();
  const topicCategory = new Map<number, number>();
  const removalsByUser = new Map<number, number>();

  const history = (
    action: keyof typeof USER_HISTORY_ACTION,
    actor: number,
    target: number | null,
    when: number,
    details: string,
    postRef: number | null,
    topicRef: number | null,
  ) => {
    const code = USER_HISTORY_ACTION[action];
    histories.push([
      ++historyId,
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
  };

  // Every post's time, the spam wave's among them (each with its author), in order: post ids follow time.
  const wavePosts = Math.max(40, Math.round(options.posts / 100));
  const events: { time: number; author: (typeof members)[number] | null }[] = [
    ...Array.from({ length: options.posts }, () => ({
      time: FORUM_START + rng.next() * (end - FORUM_START),
      author: null,
    })),
    ...Array.from({ length: wavePosts }, () => ({
      time: SPAM_WAVE_START + rng.next() * (SPAM_WAVE_END - SPAM_WAVE_START),
      author: rng.pick(waveAccounts),
    })),
  ].sort((a, b) => a.time - b.time);
  const wave = { posts: 0, flags: 0, postIds: [] as number[] };
  for (const event of events) {
    const inWave = event.author !== null;
    const author = event.author ?? rng.pick(regulars);
    const at = Math.max(event.time, author.createdAt + 10 * MINUTE);
    if (at >= end) continue;
    const bad: BadKind = author.spammer
      ? 'spam'
      : rng.chance(0.025)
        ? 'inappropriate'
        : rng.chance(0.012)
          ? 'off_topic'
          : null;
    // A new topic a third of the time, otherwise a reply in a recent one.
    let topic: number;
    if (topicId === 0 || rng.chance(0.33)) {
      topic = ++topicId;
      const category = rng.int(1, categoryNames.length);
      topicCategory.set(topic, category);
      topics.push([
        topic,
        `How do I ${rng.pick(TOPIC_WORDS)} with ${rng.pick(TOPIC_WORDS)}?`,
        ts(at),
        ts(at),
        author.id,
        category,
        'regular',
        0,
        rng.int(5, 900),
        false,
        false,
        true,
        null,
      ]);
    } else topic = Math.max(1, topicId - rng.int(0, Math.min(20, topicId - 1)));
    const postNumber = (topicPosts.get(topic) ?? 0) + 1;
    topicPosts.set(topic, postNumber);
    const id = ++postId;
    const raw = (inWave ? rng.pick(SPAM_WAVE_POSTS) : bad ? rng.pick(BAD_POSTS[bad]) : rng.pick(GOOD_POSTS)).replace(
      /\{w\}/g,
      () => rng.pick(TOPIC_WORDS),
    );

    // Likes for ordinary posts.
    const likes = bad ? 0 : rng.chance(0.3) ? rng.int(1, 4) : 0;
    for (let l = 0; l < likes; l++) {
      const liker = rng.pick(regulars).id;
      const when = at + rng.int(1, 600) * MINUTE;
      if (when < end)
        postActions.push([
          ++actionId,
          id,
          liker,
          2,
          ts(when),
          ts(when),
          null,
          null,
          null,
          false,
          null,
          false,
          null,
          null,
          null,
          null,
          null,
        ]);
    }

    // Flags: bad posts are usually flagged (spam sometimes by the system's spam check); good posts rarely.
    const flags: { user: number; type: number; when: number }[] = [];
    if (inWave) {
      // A wave is noticed: nearly every post is flagged as spam, by several members, within minutes.
      if (rng.chance(0.95)) {
        for (let f = rng.int(2, 4); f > 0; f--)
          flags.push({ user: rng.pick(regulars).id, type: 8, when: at + rng.logNormal(2.3, 0.8) * MINUTE });
      }
    } else if (bad && rng.chance(0.85)) {
      const count = rng.int(1, 3);
      const typeId = bad === 'spam' ? 8 : bad === 'inappropriate' ? rng.pick([4, 4, 7, 10]) : 3;
      for (let f = 0; f < count; f++) {
        const system = bad === 'spam' && f === 0 && rng.chance(0.35);
        flags.push({
          user: system ? SYSTEM_USER_ID : rng.pick(regulars).id,
          type: typeId,
          when: at + (system ? 1000 : rng.logNormal(3.5, 1) * MINUTE),
        });
      }
    } else if (!bad && rng.chance(0.012)) {
      flags.push({
        user: rng.pick(regulars).id,
        type: rng.pick([3, 4, 6, 7]),
        when: at + rng.logNormal(4, 1) * MINUTE,
      });
    }
    const liveFlags = flags.filter((flag) => flag.when < end - HOUR && flag.user !== author.id);
    if (inWave) {
      wave.posts++;
      wave.flags += liveFlags.length;
      wave.postIds.push(id);
    }
    let hidden = false;
    let deletedAt: number | null = null;
    if (liveFlags.length > 0) {
      const firstFlag = Math.min(...liveFlags.map((flag) => flag.when));
      const lastFlag = Math.max(...liveFlags.map((flag) => flag.when));
      // Staff decide after a log-normal delay; some flags are still pending when the export was taken.
      const moderator = rng.pick(moderatorIds);
      const decidedAt = lastFlag + rng.logNormal(4, 1.1) * MINUTE;
      const decided = decidedAt < end && rng.chance(0.92);
      const outcome: 'agreed' | 'disagreed' | 'ignored' | 'pending' = !decided
        ? 'pending'
        : bad
          ? rng.chance(0.93)
            ? 'agreed'
            : 'ignored'
          : rng.chance(0.7)
            ? 'disagreed'
            : 'ignored';
      const reviewable = ++reviewableId;
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
          ++actionId,
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
          ++scoreId,
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
          history('delete_post', moderator, author.id, deletedAt, `post #${id} deleted after flags`, id, topic);
        }
        const removals = (removalsByUser.get(author.id) ?? 0) + 1;
        removalsByUser.set(author.id, removals);
        if (bad === 'inappropriate' && removals === 1) {
          warnings.push([++warningId, topic, author.id, moderator, ts(decidedAt + 2000), ts(decidedAt + 2000)]);
        }
        if (removals === 2) {
          const action = bad === 'spam' ? 'suspend_user' : 'silence_user';
          history(
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
    }
    posts.push([
      id,
      author.id,
      topic,
      postNumber,
      raw,
      `<p>${raw}</p>`,
      ts(at),
      ts(at),
      deletedAt === null ? null : ts(deletedAt),
      hidden,
      hidden ? 1 : null,
      hidden && deletedAt ? ts(deletedAt) : null,
      likes,
      0,
      1,
      raw.split(/\s+/).length,
      false,
    ]);
  }
  // A few queued posts and users awaiting approval, as Discourse's review queue holds them.
  for (let i = 0; i < Math.max(10, Math.round(options.posts / 400)); i++) {
    const member = rng.pick(regulars);
    const when = FORUM_START + rng.next() * (end - FORUM_START - HOUR);
    const type = rng.chance(0.5) ? 'ReviewableQueuedPost' : 'ReviewableUser';
    const status = rng.weighted({ '0': 2, '1': 5, '2': 3 });
    reviewables.push([
      ++reviewableId,
      type,
      Number(status),
      SYSTEM_USER_ID,
      true,
      null,
      null,
      0,
      false,
      type === 'ReviewableUser' ? member.id : null,
      type === 'ReviewableUser' ? 'User' : null,
      member.id,
      '{}',
      1,
      ts(when),
      ts(when),
      ts(when),
      false,
      null,
    ]);
    const byStatus = (truth.reviewables_by_type_status[type] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  const incidents: DiscourseIncident[] = [
    {
      kind: 'spam_wave',
      start: new Date(SPAM_WAVE_START).toISOString(),
      end: new Date(SPAM_WAVE_END).toISOString(),
      description: `${SPAM_WAVE_ACCOUNTS} accounts made that morning posted ${wave.posts} near-identical "token airdrop" posts linking to ${SPAM_WAVE_DOMAIN}; members flagged them as spam ${wave.flags} times.`,
      reason: 'spam',
      post_action_type_id: 8,
      domain: SPAM_WAVE_DOMAIN,
      accounts: waveAccounts.map((account) => account.id),
      posts: wave.posts,
      flags: wave.flags,
      post_ids: wave.postIds,
      top_terms: ['airdrop', 'claim', 'drop', 'token', 'free'],
    },
  ];
  const counts = await writer.write(options.out);
  fs.writeFileSync(path.join(options.out, 'incidents.json'), `${JSON.stringify(incidents, null, 2)}\n`);
  const finite = Object.fromEntries(Object.entries(truth.users_with_actions).map(([id, entry]) => [id, entry]));
  fs.writeFileSync(
    path.join(options.out, 'ground_truth.json'),
    `${JSON.stringify({ ...truth, users_with_actions: finite }, null, 1)}\n`,
  );
  fs.writeFileSync(
    path.join(options.out, 'manifest.json'),
    `${JSON.stringify({ generator: 'sift-discourse-sample', version: 1, posts: options.posts, seed: options.seed, tables: counts }, null, 2)}\n`,
  );
  return counts;
}

function parseArgs(argv: string[]): DiscourseOptions {
  const options: DiscourseOptions = { posts: 12_000, seed: 20240101, out: path.resolve('sample-data/discourse') };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--posts' && value) options.posts = Number(value);
    else if (flag === '--seed' && value) options.seed = Number(value);
    else if (flag === '--out' && value) options.out = path.resolve(value);
    else throw new Error(`Unknown or incomplete argument: ${flag} (use --posts N --seed S --out DIR)`);
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const options = parseArgs(process.argv.slice(2));
  generateDiscourseSample(options)
    .then((counts) =>
      console.log(
        `Wrote ${options.out}: ${Object.entries(counts)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}`,
      ),
    )
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
