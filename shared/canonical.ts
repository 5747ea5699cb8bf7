/**
 * The canonical tables of DESIGN.md. Features query these names; an import maps its columns onto them.
 * Synonyms are the column names exports from common moderation stacks use for the same thing.
 */
import { FEATURE_VIEW } from './features.js';

export interface CanonicalColumn {
  name: string;
  synonyms: string[];
  /**
   * A key column: every row needs one. A mapping must name its source column, and a row whose key is NULL is
   * refused — otherwise re-scoring would write scores for the item 'null' and joins would silently drop rows.
   */
  required: boolean;
}

export interface CanonicalTable {
  name: string;
  /** Sift owns the table: it is never written from the SQL editor and never an import target. */
  siftOwned: boolean;
  columns: CanonicalColumn[];
}

const col = (name: string, ...synonyms: string[]): CanonicalColumn => ({ name, synonyms, required: false });
/** A key column (see `required`): the one place that says which columns a mapping cannot leave out. */
const key = (name: string, ...synonyms: string[]): CanonicalColumn => ({ name, synonyms, required: true });

export const CANONICAL_TABLES: CanonicalTable[] = [
  {
    name: 'content',
    siftOwned: false,
    columns: [
      key('content_id', 'id', 'post_id', 'item_id', 'message_id', 'tweet_id', 'contentid'),
      col('user_id', 'author_id', 'owner_id', 'poster_id', 'account_id', 'userid'),
      col('surface', 'placement', 'channel', 'source'),
      col('content_type', 'media_type', 'type', 'kind'),
      col('language', 'lang', 'locale'),
      col('text', 'body', 'message', 'content', 'raw', 'tweet', 'caption'),
      col('created_at', 'created', 'timestamp', 'ts', 'posted_at', 'time', 'date'),
      col('has_image', 'with_image', 'image'),
      col('image_emb', 'image_embedding', 'embedding'),
      // Paths of the item's media files (one, or a list), relative to the imported file's folder: docs/media.md.
      col('media', 'media_path', 'media_paths', 'image_path', 'video_path', 'attachment', 'attachments'),
      col('views_24h', 'views', 'view_count', 'impressions'),
    ],
  },
  {
    name: 'users',
    siftOwned: false,
    columns: [
      key('user_id', 'id', 'account_id', 'userid'),
      col('username', 'name', 'handle', 'screen_name', 'login'),
      col('created_at', 'created', 'signup_at', 'registered_at', 'joined_at'),
      col('is_staff', 'staff', 'admin', 'moderator'),
      col('prior_violations_30d', 'prior_violations', 'violations_30d', 'strikes'),
    ],
  },
  {
    name: 'reports',
    siftOwned: false,
    columns: [
      key('report_id', 'id', 'flag_id'),
      key('content_id', 'post_id', 'item_id', 'target_id'),
      col('reporter_id', 'user_id', 'flagger_id', 'reported_by'),
      col('reason', 'flag_type', 'report_reason', 'category'),
      col('created_at', 'created', 'timestamp', 'ts', 'reported_at'),
    ],
  },
  {
    name: 'moderation_actions',
    siftOwned: false,
    columns: [
      key('action_id', 'id'),
      key('content_id', 'post_id', 'item_id'),
      col('target_user_id', 'user_id', 'target_user'),
      col('actor_id', 'moderator_id', 'acting_user_id'),
      col('actor_type', 'actor_kind'),
      col('action', 'decision', 'outcome', 'action_type'),
      col('category', 'policy', 'violation'),
      col('model_version', 'model'),
      col('created_at', 'created', 'timestamp', 'ts', 'acted_at'),
    ],
  },
  {
    name: 'model_scores',
    siftOwned: false,
    columns: [
      col('content_id', 'post_id', 'item_id'),
      col('model', 'model_name'),
      col('model_version', 'version'),
      col('category', 'label', 'class'),
      col('score', 'probability', 'prob', 'confidence'),
      col('scored_at', 'created_at', 'timestamp'),
    ],
  },
  {
    name: 'appeals',
    siftOwned: false,
    columns: [
      key('appeal_id', 'id', 'case_id'),
      key('content_id', 'post_id', 'item_id', 'target_id'),
      col('action_id', 'moderation_action_id', 'decision_id'),
      col('created_at', 'created', 'timestamp', 'ts', 'appealed_at', 'filed_at'),
      col('decided_at', 'resolved_at', 'closed_at', 'reviewed_at'),
      col('outcome', 'result', 'resolution', 'verdict'),
    ],
  },
  {
    name: 'label_events',
    siftOwned: true,
    columns: [
      col('event_id'),
      col('session_id'),
      col('content_id'),
      col('annotator_id'),
      col('category'),
      col('value'),
      col('policy_version'),
      col('kind'),
      col('created_at'),
      col('action_id'),
      col('leaf'),
      col('note'),
      col('undoes'),
      col('strategy'),
    ],
  },
];

/** Names Sift owns: no import, mapping or user table may take them. */
export const PROTECTED_TABLES = [
  'label_events',
  'current_labels',
  FEATURE_VIEW,
  'label_sessions',
  'dataset_versions',
] as const;

/**
 * Sift's data that SQL may read, through read-only views on every data-engine connection: the audit trail of
 * label events, and the current labels derived from it (latest live label per item, annotator and category).
 */
export const SIFT_VIEWS = ['label_events', 'current_labels'] as const;

/** Every view Sift may install: the above, and the feature view while the canonical tables it reads exist. */
export const SIFT_OWNED_VIEWS = [...SIFT_VIEWS, FEATURE_VIEW] as const;

/** The label event record, as stored and as SQL sees it. */
export const LABEL_EVENT_COLUMNS = [
  ['event_id', 'VARCHAR'],
  ['session_id', 'VARCHAR'],
  ['content_id', 'VARCHAR'],
  ['annotator_id', 'VARCHAR'],
  ['category', 'VARCHAR'],
  ['value', 'VARCHAR'],
  ['policy_version', 'VARCHAR'],
  ['kind', 'VARCHAR'],
  ['created_at', 'TIMESTAMP'],
  ['action_id', 'VARCHAR'],
  ['leaf', 'VARCHAR'],
  ['note', 'VARCHAR'],
  ['undoes', 'VARCHAR'],
  ['strategy', 'VARCHAR'],
  /**
   * The event's place in the label journal (1, 2, …): what orders labels. A time a file supplies never does (an
   * imported event dated 2999 must not outrank a later label). Null for labels that never passed through the journal
   * (the sample's, a legacy store's): they come before every journaled one, in time order.
   */
  ['seq', 'BIGINT'],
] as const;

/** Label events latest first: by place in the journal; those never journaled last, by time then id. */
export const LABEL_ORDER_DESC = 'seq DESC NULLS LAST, created_at DESC, event_id DESC';

/**
 * Current labels from the audit trail: per item, annotator and category, the latest label whose action was not
 * undone, "latest" in the journal's order (`seq`), never by a timestamp. An undo counts only when its author made the
 * action it names, in the same session. Events imported without an action id (older logs) are each their own action.
 * The one definition: the labeling screen's replay (shared/labeling.ts) derives the same state. `events` narrows the
 * trail (one policy version's).
 */
export const currentLabelsSql = (events = 'label_events') => `
WITH events AS (SELECT *, coalesce(action_id, event_id) AS action_key FROM ${events}),
undone AS (
  SELECT DISTINCT u.undoes FROM events u
  JOIN events a ON a.action_key = u.undoes AND a.annotator_id = u.annotator_id AND a.session_id IS NOT DISTINCT FROM u.session_id
  WHERE u.kind = 'undo' AND a.kind <> 'undo')
SELECT content_id, annotator_id, category, value, leaf, policy_version, session_id, kind, created_at, event_id, seq
FROM events
WHERE kind IN ('label', 'adjudicate') AND category IS NOT NULL AND action_key NOT IN (SELECT undoes FROM undone)
QUALIFY row_number() OVER (PARTITION BY content_id, annotator_id, category ORDER BY ${LABEL_ORDER_DESC}) = 1`;
export const CURRENT_LABELS_SQL = currentLabelsSql();

export interface MappingSuggestion {
  canonicalTable: string;
  /** Fraction of the canonical table's columns that found a source column. */
  score: number;
  /** canonical column → source column (null when nothing matched). */
  columns: Record<string, string | null>;
}

const normalize = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** Scores every importable canonical table against the source's column names, best first. */
export function suggestMappings(sourceColumns: string[], tableNameHint = ''): MappingSuggestion[] {
  const normalizedSources = sourceColumns.map((name) => ({ name, key: normalize(name) }));
  const hint = normalize(tableNameHint);
  const suggestions = CANONICAL_TABLES.filter((table) => !table.siftOwned).map((table) => {
    const used = new Set<string>();
    const columns: Record<string, string | null> = {};
    let matched = 0;
    for (const canonical of table.columns) {
      const candidates = [canonical.name, ...canonical.synonyms];
      let found: string | null = null;
      for (const candidate of candidates) {
        const hit = normalizedSources.find((source) => source.key === candidate && !used.has(source.name));
        if (hit) {
          found = hit.name;
          break;
        }
      }
      if (found) {
        used.add(found);
        // An exact name counts double: "id" alone says little, "content_id" says a lot.
        matched += normalize(found) === canonical.name ? 2 : 1;
      }
      columns[canonical.name] = found;
    }
    let score = matched / (2 * table.columns.length);
    if (hint && (hint === table.name || hint.includes(table.name) || table.name.includes(hint))) score += 0.25;
    return { canonicalTable: table.name, score: Math.min(1, score), columns };
  });
  return suggestions.sort((a, b) => b.score - a.score);
}

export function canonicalTable(name: string): CanonicalTable | undefined {
  return CANONICAL_TABLES.find((table) => table.name === name);
}

/** The key columns a mapping onto `table` must map, in the table's order. */
export function requiredColumns(table: CanonicalTable): string[] {
  return table.columns.filter((column) => column.required).map((column) => column.name);
}

/**
 * Why a mapping cannot be saved for want of its keys, or null when every key column is mapped. One message for the
 * UI, the CLI and the host, which all check with this.
 */
export function missingKeysProblem(
  table: CanonicalTable,
  columns: Record<string, string | null | undefined>,
): string | null {
  const missing = requiredColumns(table).filter((name) => !columns[name]);
  if (missing.length === 0) return null;
  return `columns.${missing[0]}: ${table.name} needs its key column${missing.length > 1 ? 's' : ''} ${missing.join(' and ')} mapped to a column of the source; every row is identified by ${missing.length > 1 ? 'them' : 'it'}.`;
}

/** The canonical table each spike source counts. */
export const SPIKE_SOURCE_TABLES = { reports: 'reports', actions: 'moderation_actions' } as const;

/**
 * What each view reads, so an empty workspace can say what to import to light it up: every table in `all`, and at
 * least one of `anyOf`. The one place that says so; views and their empty states read it.
 */
export const VIEW_NEEDS = {
  spikes: {
    all: [],
    anyOf: [SPIKE_SOURCE_TABLES.reports, SPIKE_SOURCE_TABLES.actions],
    purpose: 'Spikes chart reports or moderation actions over time',
  },
  models: { all: ['content'], anyOf: [], purpose: 'Scoring reads the text of content items' },
  evaluate: {
    all: ['content'],
    anyOf: [],
    purpose: 'Evaluation compares model scores of content items with human labels',
  },
  label: { all: ['content'], anyOf: [], purpose: 'Labeling hands out content items' },
} as const satisfies Record<string, { all: readonly string[]; anyOf: readonly string[]; purpose: string }>;

export type ViewWithNeeds = keyof typeof VIEW_NEEDS;

/** The canonical tables a view still lacks ([] when it has what it needs), given the workspace's table names. */
export function missingForView(view: ViewWithNeeds, tables: readonly string[]): string[] {
  const needs = VIEW_NEEDS[view];
  const missing: string[] = needs.all.filter((name) => !tables.includes(name));
  if (needs.anyOf.length > 0 && !needs.anyOf.some((name) => tables.includes(name))) missing.push(...needs.anyOf);
  return missing;
}
