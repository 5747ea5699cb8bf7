/**
 * The Discourse sample's accounts — the system user, six moderators, the members, and the spam wave's accounts made
 * the morning of the wave — and its fixed rows: Discourse's post action types and the forum's categories.
 */
import type { Random } from '../shared/random.js';
import {
  FORUM_END,
  FORUM_START,
  HOUR,
  MINUTE,
  POST_ACTION_TYPES,
  SPAM_WAVE_ACCOUNTS,
  SPAM_WAVE_END,
  SPAM_WAVE_START,
  SYSTEM_USER_ID,
} from './discourseForum.js';
import type { ForumTables } from './discourseTables.js';
import { timestampText as ts } from './tableWriter.js';

export interface Member {
  id: number;
  createdAt: number;
  spammer: boolean;
}

export interface ForumAccounts {
  moderatorIds: number[];
  usernames: Map<number, string>;
  members: Member[];
  /** Who posts, likes and flags at random: every member but the spam wave's accounts. */
  regulars: Member[];
  waveAccounts: Member[];
  categoryNames: string[];
}

/** Writes the accounts and fixed rows (for a forum of `posts` posts) and returns who is who. */
export function addAccounts(rng: Random, tables: ForumTables, posts: number): ForumAccounts {
  const { users, actionTypes, categories } = tables;
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
      ts(FORUM_END),
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
  const memberCount = Math.max(200, Math.round(posts / 12));
  const members: Member[] = [];
  /** Who posts, likes and flags at random: every member but the spam wave's accounts. */
  const regulars: typeof members = [];
  for (let i = 0; i < memberCount; i++) {
    const id = 100 + i;
    const spammer = rng.chance(0.04);
    const createdAt = spammer
      ? FORUM_START + rng.next() * (FORUM_END - FORUM_START - 5 * 24 * HOUR)
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
      ts(Math.min(FORUM_END, createdAt + rng.int(1, 60) * 24 * HOUR)),
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
  return { moderatorIds, usernames, members, regulars, waveAccounts, categoryNames };
}
