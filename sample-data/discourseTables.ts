/** The Discourse sample's tables, each with all of Discourse's columns for it, in Discourse's order (discourseSchema.ts). */
import { DISCOURSE_COLUMNS } from './discourseSchema.js';
import type { SampleWriter } from './tableWriter.js';

/** Registers the forum's ten tables with the writer, in the order they are written. */
export function forumTables(writer: SampleWriter) {
  const forumTable = (name: string, columns: Record<string, string>, orderBy: string) =>
    writer.table(name, columns, orderBy, DISCOURSE_COLUMNS[name]);
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
  return {
    users,
    categories,
    topics,
    posts,
    actionTypes,
    postActions,
    reviewables,
    reviewableScores,
    histories,
    warnings,
  };
}

export type ForumTables = ReturnType<typeof forumTables>;
