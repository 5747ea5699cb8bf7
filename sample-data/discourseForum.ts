/**
 * The Discourse sample's forum: its time span, the spam wave's shape, Discourse's own codes (post action types,
 * reviewable and score statuses, user history actions) and the texts its members post.
 */
export const FORUM_START = Date.UTC(2024, 0, 1);
export const FORUM_DAYS = 60;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const FORUM_END = FORUM_START + FORUM_DAYS * 24 * HOUR;
export const SYSTEM_USER_ID = -1;
/** The spam wave: three hours on day 41 of the forum's 60. */
export const SPAM_WAVE_START = Date.UTC(2024, 1, 10, 14);
export const SPAM_WAVE_END = Date.UTC(2024, 1, 10, 17);
export const SPAM_WAVE_DOMAIN = 'claim-drop.example';
export const SPAM_WAVE_ACCOUNTS = 24;
export const SPAM_WAVE_POSTS = [
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

export type BadKind = 'spam' | 'inappropriate' | 'off_topic' | null;

export interface DiscourseOptions {
  posts: number;
  seed: number;
  out: string;
}

export const TOPIC_WORDS = [
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
export const GOOD_POSTS = [
  'Thanks, that fixed it for me after the upgrade.',
  'Have you tried rebuilding the container? That usually helps with {w} issues.',
  'I can reproduce this on the latest version, will open a bug report.',
  'Here is the config I use for {w}, hope it helps.',
  'Great write-up, bookmarking this for later.',
  'Does anyone know if the {w} setting survives a restart?',
];
export const BAD_POSTS: Record<Exclude<BadKind, null>, string[]> = {
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
