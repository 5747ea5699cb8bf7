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
 * Here: the posts in time order, their likes and flags, the review queue, and the files written. The forum's constants
 * and texts are in discourseForum.ts, its tables in discourseTables.ts, its accounts in discourseAccounts.ts, and the
 * flag lifecycle with the ground truth it tallies in discourseModeration.ts.
 *
 *   npm run sample-data:discourse -- --posts N --seed S --out DIR
 */
import fs from 'node:fs';
import path from 'node:path';
import { Random } from '../shared/random.js';
import { addAccounts, type Member } from './discourseAccounts.js';
import {
  BAD_POSTS,
  type BadKind,
  type DiscourseIncident,
  type DiscourseOptions,
  FORUM_END,
  FORUM_START,
  GOOD_POSTS,
  HOUR,
  MINUTE,
  SPAM_WAVE_ACCOUNTS,
  SPAM_WAVE_DOMAIN,
  SPAM_WAVE_END,
  SPAM_WAVE_POSTS,
  SPAM_WAVE_START,
  SYSTEM_USER_ID,
  TOPIC_WORDS,
} from './discourseForum.js';
import { emptyTruth, type Flag, type Forum, reviewFlags } from './discourseModeration.js';
import { forumTables } from './discourseTables.js';
import { SampleWriter, timestampText as ts } from './tableWriter.js';

export async function generateDiscourseSample(options: DiscourseOptions): Promise<Record<string, number>> {
  const rng = new Random(options.seed);
  const writer = new SampleWriter();
  const tables = forumTables(writer);
  const { topics, posts, postActions, reviewables } = tables;
  const truth = emptyTruth();
  const accounts = addAccounts(rng, tables, options.posts);
  const { regulars, waveAccounts, categoryNames } = accounts;
  const ids = { topic: 0, post: 0, action: 0, reviewable: 0, score: 0, history: 0, warning: 0 };
  const topicPosts = new Map<number, number>();
  const forum: Forum = {
    rng,
    tables,
    truth,
    ids,
    accounts,
    topicCategory: new Map<number, number>(),
    removalsByUser: new Map<number, number>(),
  };
  const { topicCategory } = forum;

  // Every post's time, the spam wave's among them (each with its author), in order: post ids follow time.
  const wavePosts = Math.max(40, Math.round(options.posts / 100));
  const events: { time: number; author: Member | null }[] = [
    ...Array.from({ length: options.posts }, () => ({
      time: FORUM_START + rng.next() * (FORUM_END - FORUM_START),
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
    if (at >= FORUM_END) continue;
    const bad: BadKind = author.spammer
      ? 'spam'
      : rng.chance(0.025)
        ? 'inappropriate'
        : rng.chance(0.012)
          ? 'off_topic'
          : null;
    // A new topic a third of the time, otherwise a reply in a recent one.
    let topic: number;
    if (ids.topic === 0 || rng.chance(0.33)) {
      topic = ++ids.topic;
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
    } else topic = Math.max(1, ids.topic - rng.int(0, Math.min(20, ids.topic - 1)));
    const postNumber = (topicPosts.get(topic) ?? 0) + 1;
    topicPosts.set(topic, postNumber);
    const id = ++ids.post;
    const raw = (inWave ? rng.pick(SPAM_WAVE_POSTS) : bad ? rng.pick(BAD_POSTS[bad]) : rng.pick(GOOD_POSTS)).replace(
      /\{w\}/g,
      () => rng.pick(TOPIC_WORDS),
    );

    // Likes for ordinary posts.
    const likes = bad ? 0 : rng.chance(0.3) ? rng.int(1, 4) : 0;
    for (let l = 0; l < likes; l++) {
      const liker = rng.pick(regulars).id;
      const when = at + rng.int(1, 600) * MINUTE;
      if (when < FORUM_END)
        postActions.push([
          ++ids.action,
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
    const flags: Flag[] = [];
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
    const liveFlags = flags.filter((flag) => flag.when < FORUM_END - HOUR && flag.user !== author.id);
    if (inWave) {
      wave.posts++;
      wave.flags += liveFlags.length;
      wave.postIds.push(id);
    }
    const { hidden, deletedAt } =
      liveFlags.length > 0
        ? reviewFlags(forum, { id, topic, author, bad }, liveFlags)
        : { hidden: false, deletedAt: null };
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
    const when = FORUM_START + rng.next() * (FORUM_END - FORUM_START - HOUR);
    const type = rng.chance(0.5) ? 'ReviewableQueuedPost' : 'ReviewableUser';
    const status = rng.weighted({ '0': 2, '1': 5, '2': 3 });
    reviewables.push([
      ++ids.reviewable,
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
