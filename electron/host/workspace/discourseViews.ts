/**
 * A Discourse export maps itself onto the canonical tables, so the spike view, scoring and labeling work on a forum's
 * data without hand-written SQL. Once the workspace holds Discourse's flag lifecycle — `posts`, `post_actions` and
 * `reviewables`, with Discourse's columns — Sift adds three views in the workspace database:
 *
 *   - `content`: the posts. content_id is the post id as text, like every id Sift keeps (labels, scores); a topic's
 *     first post is surface 'post', a reply 'comment', a post in a private message 'dm'.
 *   - `reports`: the flags that reach the moderators, one per post_action of Discourse's "notify flag" types
 *     (PostActionTypeView#notify_flag_types: off_topic 3, inappropriate 4, notify_moderators 7, spam 8, illegal 10,
 *     and a forum's custom flags), with the flag type's name as the reason. notify_user (6) is left out: it sends the
 *     author a private message and never reaches staff or the review queue, so it is not a report.
 *   - `moderation_actions`: staff decisions on flagged posts, one per resolved ReviewableFlaggedPost. Agreeing with
 *     the flags is 'remove' when the post was deleted, 'hide' when it is hidden, else 'warn' (agreed, post kept);
 *     disagreeing or ignoring is 'pass'. Pending reviewables are no action yet, and 'deleted' ones (the post went
 *     while in review) no staff decision. category is the reviewable's most common flag type, in the reports'
 *     words.
 *
 * They are plain views: the user sees, queries and may drop or replace them. A name the workspace already has —
 * a table, or a view the user made or mapped — is never touched.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from './workspace.js';
import { type Columns, hasColumns as has, relationColumns } from './relationColumns.js';

/** Discourse's built-in flag types that reach the moderators, for exports without `post_action_types`. */
export const DISCOURSE_REPORT_FLAG_TYPES: Readonly<Record<number, string>> = {
  3: 'off_topic',
  4: 'inappropriate',
  7: 'notify_moderators',
  8: 'spam',
  10: 'illegal',
};
/** notify_user: a message to the post's author, not a report to staff. */
const NOTIFY_USER = 'notify_user';
/** Reviewable.statuses. */
const STATUS = { pending: 0, approved: 1, rejected: 2, ignored: 3, deleted: 4 } as const;

/** What marks a workspace as a Discourse export: these tables, with at least these columns. */
const DISCOURSE_TABLES: Record<string, string[]> = {
  posts: ['id', 'user_id', 'topic_id', 'post_number', 'raw', 'created_at', 'deleted_at', 'hidden'],
  post_actions: ['id', 'post_id', 'user_id', 'post_action_type_id', 'created_at'],
  reviewables: ['id', 'type', 'status', 'target_id', 'target_type', 'target_created_by_id', 'created_at', 'updated_at'],
};

export const DISCOURSE_CANONICAL_VIEWS = ['content', 'reports', 'moderation_actions'] as const;

/** Whether these relations are a Discourse export's flag lifecycle. */
function isDiscourse(columns: Columns): boolean {
  return Object.entries(DISCOURSE_TABLES).every(([table, names]) => has(columns, table, ...names));
}

function contentSql(columns: Columns): string {
  const privateMessages = has(columns, 'topics', 'id', 'archetype');
  return `SELECT p.id::VARCHAR AS content_id, p.user_id::VARCHAR AS user_id,
  CASE ${privateMessages ? "WHEN t.archetype = 'private_message' THEN 'dm' " : ''}WHEN p.post_number = 1 THEN 'post' ELSE 'comment' END AS surface,
  'text' AS content_type, NULL::VARCHAR AS language, p.raw AS text, p.created_at,
  ${has(columns, 'posts', 'cooked') ? "coalesce(p.cooked LIKE '%<img%', false)" : 'false'} AS has_image,
  NULL::FLOAT[] AS image_emb, NULL::BIGINT AS views_24h
FROM posts p${privateMessages ? ' LEFT JOIN topics t ON t.id = p.topic_id' : ''}`;
}

function reportsSql(columns: Columns): string {
  // The forum's own list of flag types names its custom flags too; without it, Discourse's built-in ones.
  const flagTypes = has(columns, 'post_action_types', 'id', 'name_key', 'is_flag')
    ? `(SELECT id, name_key AS name FROM post_action_types WHERE is_flag AND name_key <> ${quoteLiteral(NOTIFY_USER)})`
    : `(VALUES ${Object.entries(DISCOURSE_REPORT_FLAG_TYPES)
        .map(([id, name]) => `(${id}, ${quoteLiteral(name)})`)
        .join(', ')})`;
  return `SELECT pa.id::VARCHAR AS report_id, pa.post_id::VARCHAR AS content_id, pa.user_id::VARCHAR AS reporter_id, f.name::VARCHAR AS reason, pa.created_at
FROM post_actions pa JOIN ${flagTypes} AS f(id, name) ON f.id = pa.post_action_type_id`;
}

function moderationActionsSql(columns: Columns): string {
  const scores = has(
    columns,
    'reviewable_scores',
    'reviewable_id',
    'reviewable_score_type',
    'reviewed_by_id',
    'reviewed_at',
  );
  const names = has(columns, 'post_action_types', 'id', 'name_key')
    ? 'SELECT id, name_key AS name FROM post_action_types'
    : `VALUES ${Object.entries(DISCOURSE_REPORT_FLAG_TYPES)
        .map(([id, name]) => `(${id}, ${quoteLiteral(name)})`)
        .join(', ')}`;
  // Per reviewable: who decided and when (the latest review), and its most common flag type (ties: the lower id).
  const decided = scores
    ? `LEFT JOIN (
    SELECT reviewable_id, max(reviewed_at) AS reviewed_at, arg_max(reviewed_by_id, reviewed_at) AS reviewed_by_id,
      first(reviewable_score_type ORDER BY n DESC, reviewable_score_type) AS score_type
    FROM (SELECT reviewable_id, reviewable_score_type, reviewed_by_id, reviewed_at, count(*) OVER (PARTITION BY reviewable_id, reviewable_score_type) AS n FROM reviewable_scores)
    GROUP BY reviewable_id) s ON s.reviewable_id = r.id
  LEFT JOIN (${names}) AS f(id, name) ON f.id = s.score_type`
    : '';
  return `SELECT r.id::VARCHAR AS action_id, r.target_id::VARCHAR AS content_id, r.target_created_by_id::VARCHAR AS target_user_id,
  ${scores ? 's.reviewed_by_id::VARCHAR' : 'NULL::VARCHAR'} AS actor_id,
  ${scores ? "CASE WHEN s.reviewed_by_id < 0 THEN 'system' ELSE 'human' END" : "'human'"} AS actor_type,
  CASE WHEN r.status = ${STATUS.approved} THEN (CASE WHEN p.deleted_at IS NOT NULL THEN 'remove' WHEN p.hidden THEN 'hide' ELSE 'warn' END) ELSE 'pass' END AS action,
  ${scores ? 'f.name::VARCHAR' : 'NULL::VARCHAR'} AS category, NULL::VARCHAR AS model_version,
  ${scores ? 'coalesce(s.reviewed_at, r.updated_at)' : 'r.updated_at'} AS created_at
FROM reviewables r LEFT JOIN posts p ON p.id = r.target_id
  ${decided}
WHERE r.type = 'ReviewableFlaggedPost' AND r.target_type = 'Post' AND r.target_id IS NOT NULL
  AND r.status IN (${STATUS.approved}, ${STATUS.rejected}, ${STATUS.ignored})`;
}

const VIEW_SQL: Record<(typeof DISCOURSE_CANONICAL_VIEWS)[number], (columns: Columns) => string> = {
  content: contentSql,
  reports: reportsSql,
  moderation_actions: moderationActionsSql,
};

/**
 * Adds the canonical views a Discourse workspace lacks, in one transaction (all or none), and returns their names;
 * [] when the workspace is not a Discourse export or already has every name.
 */
export async function installDiscourseViews(conn: DuckDBConnection): Promise<string[]> {
  const columns = await relationColumns(conn);
  if (!isDiscourse(columns)) return [];
  const wanted = DISCOURSE_CANONICAL_VIEWS.filter((name) => !columns.has(name));
  if (wanted.length === 0) return [];
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const name of wanted) await conn.run(`CREATE VIEW ${name} AS ${VIEW_SQL[name](columns)}`);
    await conn.run('COMMIT');
  } catch (error) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return wanted;
}

/**
 * Account creation times keyed like content.user_id, for a workspace whose `users` is Discourse's (keyed by `id`,
 * not the canonical `user_id`): the relation as SQL, or null when `users` is not Discourse's.
 */
export async function discourseAccountsSql(conn: DuckDBConnection): Promise<string | null> {
  const columns = await relationColumns(conn);
  if (
    !isDiscourse(columns) ||
    has(columns, 'users', 'user_id') ||
    !has(columns, 'users', 'id', 'username', 'created_at')
  )
    return null;
  return 'SELECT id::VARCHAR AS user_id, created_at FROM users';
}
