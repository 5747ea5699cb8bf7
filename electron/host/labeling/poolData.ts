/**
 * What a labeling session reads from the data engine: the pool with the model version's scores (to rank it), the
 * texts of candidates (to keep near-duplicates out of one batch) and each batch item's context. The pool is the
 * user's query, checked as a read and run in a READ ONLY transaction; every other query is Sift's own, with ids
 * bound as parameters. Columns a workspace lacks (its own export may have no `views_24h`) are read as null.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BatchItem } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { voteOutcomeSql } from '../../../shared/labeling.js';
import type { PoolItem } from '../../../shared/labelingRanking.js';
import { describeReadOnlyQuery, readOnly } from '../query/readOnlyQuery.js';
import { hasColumns as has, relationColumns } from '../workspace/relationColumns.js';
import { quoteIdent, type Workspace } from '../workspace/workspace.js';

const CANONICAL_RELATIONS = ['content', 'users', 'reports', 'moderation_actions', 'model_scores'] as const;
const canonicalColumns = (conn: DuckDBConnection) => relationColumns(conn, CANONICAL_RELATIONS);

/** Checks the pool query: one read returning content_id. Returns its text. */
export async function checkPoolQuery(conn: DuckDBConnection, sql: string): Promise<string> {
  let described: { text: string; columns: string[] };
  try {
    described = await describeReadOnlyQuery(conn, sql, 'pool', 'content_id');
  } catch (error) {
    if (!(error instanceof SiftError)) throw error;
    const info = error.info;
    // The pool is always read-only: say what it must be, not how to allow writes in the editor.
    const message =
      info.code === 'SQL_READ_ONLY' || info.code === 'SQL_REFUSED'
        ? 'pool: give one SELECT over content returning content_id; a pool never changes anything.'
        : info.message.startsWith('pool:')
          ? info.message
          : `pool: ${info.message}`;
    throw new SiftError({ ...info, message });
  }
  const { text, columns } = described;
  if (!columns.includes('content_id')) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `pool: the query must return a content_id column (it returns ${columns.join(', ') || 'no columns'}).`,
    });
  }
  return text;
}

/** How many pool items the model version has not scored: the ones a session scores first. */
export async function countUnscored(
  workspace: Workspace,
  poolSql: string,
  model: string,
  version: string,
): Promise<number> {
  return workspace.withConnection(async (conn) => {
    const pool = await checkPoolQuery(conn, poolSql);
    const columns = await canonicalColumns(conn);
    const scored = has(columns, 'model_scores', 'content_id', 'model', 'model_version')
      ? `AND content_id NOT IN (SELECT content_id::VARCHAR FROM model_scores WHERE model = $model AND model_version = $version)`
      : '';
    return readOnly(conn, async () =>
      Number(
        (
          await conn.runAndReadAll(
            `SELECT count(DISTINCT content_id) FROM (SELECT content_id::VARCHAR AS content_id FROM (${pool})) WHERE content_id IS NOT NULL ${scored}`,
            scored ? { model, version } : {},
          )
        ).getRowsJson()[0]![0],
      ),
    );
  });
}

/** The SQL that selects the pool items a model version has not scored, for the scorer. */
export function unscoredContentSql(poolSql: string, model: string, version: string, scoresExist: boolean): string {
  const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const notScored = scoresExist
    ? ` AND content_id::VARCHAR NOT IN (SELECT content_id::VARCHAR FROM model_scores WHERE model = ${literal(model)} AND model_version = ${literal(version)})`
    : '';
  return `SELECT * FROM content WHERE content_id::VARCHAR IN (SELECT content_id::VARCHAR FROM (${poolSql}))${notScored}`;
}

export async function scoresTableExists(workspace: Workspace): Promise<boolean> {
  return workspace.withConnection(async (conn) =>
    has(await canonicalColumns(conn), 'model_scores', 'content_id', 'model', 'model_version', 'category', 'score'),
  );
}

/** The pool, each item with the version's scores, its views and (for the errors strategy) its human labels. */
export async function readPool(
  workspace: Workspace,
  poolSql: string,
  model: string,
  version: string,
  withLabels: boolean,
): Promise<PoolItem[]> {
  return workspace.withConnection(async (conn) => {
    const pool = await checkPoolQuery(conn, poolSql);
    const columns = await canonicalColumns(conn);
    const scoresExist = has(columns, 'model_scores', 'content_id', 'model', 'model_version', 'category', 'score');
    const scores = scoresExist
      ? `SELECT content_id::VARCHAR AS content_id, list(category ORDER BY category) AS categories, list(score ORDER BY category) AS scores
         FROM (SELECT content_id, category, max(score) AS score FROM model_scores WHERE model = $model AND model_version = $version GROUP BY ALL) GROUP BY 1`
      : `SELECT NULL::VARCHAR AS content_id, NULL::VARCHAR[] AS categories, NULL::DOUBLE[] AS scores WHERE false`;
    const views = has(columns, 'content', 'content_id', 'views_24h')
      ? `SELECT content_id::VARCHAR AS content_id, max(TRY_CAST(views_24h AS DOUBLE)) AS views FROM content GROUP BY 1`
      : `SELECT NULL::VARCHAR AS content_id, NULL::DOUBLE AS views WHERE false`;
    const labels = withLabels
      ? `SELECT content_id::VARCHAR AS content_id, list(category) AS label_categories, list(label) AS label_values FROM (
           SELECT content_id, category, label FROM (${voteOutcomeSql('current_labels')}) WHERE label IS NOT NULL) GROUP BY 1`
      : `SELECT NULL::VARCHAR AS content_id, NULL::VARCHAR[] AS label_categories, NULL::INTEGER[] AS label_values WHERE false`;
    const rows = await readOnly(conn, async () =>
      (
        await conn.runAndReadAll(
          `WITH pool AS (SELECT DISTINCT content_id::VARCHAR AS content_id FROM (${pool}) WHERE content_id IS NOT NULL)
           SELECT p.content_id, v.views, s.categories, s.scores, l.label_categories, l.label_values
           FROM pool p LEFT JOIN (${scores}) s USING (content_id) LEFT JOIN (${views}) v USING (content_id) LEFT JOIN (${labels}) l USING (content_id)
           ORDER BY p.content_id`,
          // DuckDB refuses parameters the statement does not use: without model_scores (a random session on a
          // workspace nothing has scored yet) there are none.
          scoresExist ? { model, version } : {},
        )
      ).getRowsJson(),
    );
    return rows.map(([contentId, views, categories, values, labelCategories, labelValues]) => {
      let itemScores: Record<string, number> | null = null;
      if (Array.isArray(categories) && categories.length > 0) {
        itemScores = {};
        (categories as string[]).forEach((category, i) => (itemScores![category] = Number((values as number[])[i])));
      }
      const item: PoolItem = {
        contentId: String(contentId),
        scores: itemScores,
        views24h: views === null ? null : Number(views),
      };
      if (Array.isArray(labelCategories)) {
        item.humanLabels = {};
        (labelCategories as string[]).forEach(
          (category, i) => (item.humanLabels![category] = Number((labelValues as number[])[i]) === 1 ? 1 : 0),
        );
      }
      return item;
    });
  });
}

/** The texts of candidate items (near-duplicate checks). */
export async function readTexts(workspace: Workspace, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  return workspace.withConnection(async (conn) => {
    const columns = await canonicalColumns(conn);
    if (!has(columns, 'content', 'content_id', 'text')) return new Map();
    const rows = (
      await conn.runAndReadAll(
        `SELECT content_id::VARCHAR, text::VARCHAR FROM content WHERE content_id::VARCHAR IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`,
        { ids: JSON.stringify(ids) },
      )
    ).getRowsJson();
    return new Map(rows.map(([id, text]) => [String(id), text === null ? '' : String(text)]));
  });
}

export type ItemContext = Omit<BatchItem, 'rank' | 'poolSize' | 'reason' | 'state'>;

/** Each item's content and context: surface, language, account age at upload, reports on it, actions taken on it, scores. */
export async function readItemContext(
  workspace: Workspace,
  ids: string[],
  model: string,
  version: string,
): Promise<Map<string, ItemContext>> {
  const result = new Map<string, ItemContext>();
  for (const id of ids) {
    result.set(id, {
      contentId: id,
      text: null,
      surface: null,
      language: null,
      contentType: null,
      createdAt: null,
      accountAgeDays: null,
      reports: { count: 0, reasons: {} },
      priorActions: [],
      scores: null,
    });
  }
  if (ids.length === 0) return result;
  await workspace.withConnection(async (conn) => {
    const columns = await canonicalColumns(conn);
    const params = { ids: JSON.stringify(ids) };
    const inIds = `IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`;
    if (has(columns, 'content', 'content_id')) {
      const pick = (name: string, cast = 'VARCHAR') =>
        has(columns, 'content', name) ? `c.${quoteIdent(name)}::${cast}` : `NULL::${cast}`;
      const accountAge =
        has(columns, 'content', 'user_id', 'created_at') && has(columns, 'users', 'user_id', 'created_at')
          ? `date_diff('day', u.created_at::TIMESTAMP, c.created_at::TIMESTAMP)`
          : 'NULL::BIGINT';
      const joinUsers = accountAge === 'NULL::BIGINT' ? '' : 'LEFT JOIN users u ON u.user_id = c.user_id';
      const createdAt = has(columns, 'content', 'created_at')
        ? `strftime(c.created_at::TIMESTAMP, '%Y-%m-%dT%H:%M:%S')`
        : 'NULL::VARCHAR';
      const rows = (
        await conn.runAndReadAll(
          `SELECT c.content_id::VARCHAR, ${pick('text')}, ${pick('surface')}, ${pick('language')}, ${pick('content_type')}, ${createdAt}, ${accountAge}
           FROM content c ${joinUsers} WHERE c.content_id::VARCHAR ${inIds}`,
          params,
        )
      ).getRowsJson();
      for (const [id, text, surface, language, contentType, createdAtValue, age] of rows) {
        const entry = result.get(String(id));
        if (!entry) continue;
        Object.assign(entry, {
          text,
          surface,
          language,
          contentType,
          createdAt: createdAtValue,
          accountAgeDays: age === null ? null : Number(age),
        });
      }
    }
    if (has(columns, 'reports', 'content_id')) {
      const reason = has(columns, 'reports', 'reason') ? "coalesce(reason::VARCHAR, '(none)')" : `'(none)'`;
      const rows = (
        await conn.runAndReadAll(
          `SELECT content_id::VARCHAR, ${reason}, count(*) FROM reports WHERE content_id::VARCHAR ${inIds} GROUP BY ALL ORDER BY 1, 2`, // ordered: the same item prints its scores in one order
          params,
        )
      ).getRowsJson();
      for (const [id, why, count] of rows) {
        const entry = result.get(String(id));
        if (!entry) continue;
        entry.reports.count += Number(count);
        entry.reports.reasons[String(why)] = Number(count);
      }
    }
    if (has(columns, 'moderation_actions', 'content_id', 'action', 'created_at')) {
      const category = has(columns, 'moderation_actions', 'category') ? 'category::VARCHAR' : 'NULL::VARCHAR';
      const actor = has(columns, 'moderation_actions', 'actor_type') ? 'actor_type::VARCHAR' : 'NULL::VARCHAR';
      const rows = (
        await conn.runAndReadAll(
          `SELECT content_id::VARCHAR, action::VARCHAR, ${category}, ${actor}, strftime(created_at::TIMESTAMP, '%Y-%m-%dT%H:%M:%S') FROM moderation_actions WHERE content_id::VARCHAR ${inIds} ORDER BY created_at LIMIT 5000`,
          params,
        )
      ).getRowsJson();
      for (const [id, action, cat, actorType, at] of rows) {
        result.get(String(id))?.priorActions.push({
          action: String(action),
          category: cat === null ? null : String(cat),
          actorType: actorType === null ? null : String(actorType),
          createdAt: String(at),
        });
      }
    }
    if (has(columns, 'model_scores', 'content_id', 'model', 'model_version', 'category', 'score')) {
      // Ordered, so an item's scores print in one order (grouping alone leaves it to DuckDB's threads).
      const rows = (
        await conn.runAndReadAll(
          `SELECT content_id::VARCHAR, category::VARCHAR, max(score) FROM model_scores WHERE model = $model AND model_version = $version AND content_id::VARCHAR ${inIds} GROUP BY ALL ORDER BY 1, 2`,
          { ...params, model, version },
        )
      ).getRowsJson();
      for (const [id, cat, score] of rows) {
        const entry = result.get(String(id));
        if (!entry) continue;
        entry.scores ??= {};
        entry.scores[String(cat)] = Number(score);
      }
    }
  });
  return result;
}

/**
 * People's labels that are settled, per item and category: the adjudicator's decision where there is one, else the
 * annotators' unanimous value. `contested` lists items with a category annotators disagree on and nobody settled.
 * A policy leaf named in `leaves` (csam under nsfw) becomes its own category, positive where the annotator chose it.
 * `sessions` limits the labels to those sessions. Common table expressions to put after WITH; `settled` and
 * `contested` are the ones to read.
 */
export function settledLabelsSql(
  leaves: { category: string; leaf: string }[],
  sessions: string[] = [],
  policyVersion?: string,
): { ctes: string; params: string[] } {
  const leafTable =
    leaves.length > 0
      ? `SELECT * FROM (VALUES ${leaves.map(() => '(?, ?)').join(', ')}) t(category, leaf_name)`
      : `SELECT NULL::VARCHAR AS category, NULL::VARCHAR AS leaf_name WHERE false`;
  const conditions = [
    ...(sessions.length > 0 ? [`session_id IN (${sessions.map(() => '?').join(', ')})`] : []),
    ...(policyVersion ? ['policy_version = ?'] : []),
  ];
  const scope = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return {
    ctes: `
        leaf_of AS (${leafTable}),
        scoped AS (SELECT * FROM current_labels ${scope}),
        votes AS (
          SELECT content_id, annotator_id, category, value, kind, created_at, policy_version, seq, event_id FROM scoped
          UNION ALL
          SELECT c.content_id, c.annotator_id, l.leaf_name, CASE WHEN c.value = '1' AND c.leaf = l.leaf_name THEN '1' ELSE '0' END, c.kind, c.created_at, c.policy_version, c.seq, c.event_id
          FROM scoped c JOIN leaf_of l ON l.category = c.category),
        outcomes AS (${voteOutcomeSql('votes')}),
        settled AS (SELECT content_id, category, label::VARCHAR AS value FROM outcomes WHERE status IN ('adjudicated', 'unanimous')),
        contested AS (SELECT DISTINCT content_id FROM outcomes WHERE status IN ('majority', 'tied'))`,
    params: [
      ...leaves.flatMap((entry) => [entry.category, entry.leaf]),
      ...sessions,
      ...(policyVersion ? [policyVersion] : []),
    ],
  };
}

export interface TrainingItem {
  contentId: string;
  text: string;
  /** One 0/1 target per model category. */
  targets: number[];
  /** category → the settled human label (adjudicated or unanimous), when people labeled the item. */
  human: Record<string, 0 | 1> | null;
  source: 'human' | 'decision' | 'untouched';
  /** When the content was created (ms since the epoch; a plain TIMESTAMP read as UTC), null when unknown. */
  createdAt: number | null;
}

/**
 * What the distilled model trains on, as the demo build does: people's labels first, then moderation decisions (a
 * pass is negative for every category), then a fixed fifth of untouched content as (noisy) negatives.
 * People's labels graduate only when they are settled: the adjudicator's decision where there is one, else the
 * annotators' unanimous value. An item with an unsettled category (annotators disagree, nobody adjudicated) is left
 * out altogether — its label is not known. A model category that is a policy leaf (csam) is positive when the
 * annotator chose that leaf.
 */
export async function readTrainingItems(
  workspace: Workspace,
  categories: string[],
  leaves: { category: string; leaf: string }[],
): Promise<TrainingItem[]> {
  return workspace.withConnection(async (conn) => {
    const columns = await canonicalColumns(conn);
    if (!has(columns, 'content', 'content_id', 'text'))
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: 'Retraining needs a content table with content_id and text.',
      });
    const decisions = has(columns, 'moderation_actions', 'content_id', 'action', 'category', 'created_at')
      ? `SELECT content_id::VARCHAR AS content_id, arg_max(action, created_at)::VARCHAR AS action, arg_max(category, created_at)::VARCHAR AS decided
         FROM moderation_actions WHERE content_id IS NOT NULL AND action IN ('remove', 'warn', 'hide', 'pass') GROUP BY 1`
      : `SELECT NULL::VARCHAR AS content_id, NULL::VARCHAR AS action, NULL::VARCHAR AS decided WHERE false`;
    const settled = settledLabelsSql(leaves);
    const createdAt = has(columns, 'content', 'created_at')
      ? 'epoch_ms(TRY_CAST(c.created_at AS TIMESTAMP))'
      : 'NULL::BIGINT';
    const rows = (
      await conn.runAndReadAll(
        `
        WITH ${settled.ctes},
        human AS (
          SELECT content_id::VARCHAR AS content_id, list(category) AS categories, list(TRY_CAST(value AS INTEGER)) AS labels
          FROM settled WHERE content_id NOT IN (SELECT content_id FROM contested) GROUP BY 1)
        SELECT c.content_id::VARCHAR, c.text::VARCHAR, h.categories, h.labels, d.action, d.decided, ${createdAt}
        FROM content c LEFT JOIN human h ON h.content_id = c.content_id::VARCHAR LEFT JOIN (${decisions}) d ON d.content_id = c.content_id::VARCHAR
        WHERE c.content_id::VARCHAR NOT IN (SELECT content_id::VARCHAR FROM contested)
          AND (h.content_id IS NOT NULL OR d.content_id IS NOT NULL OR hash(c.content_id::VARCHAR) % 5 = 0)
        ORDER BY 1`,
        settled.params,
      )
    ).getRowsJson();
    return rows.map(([contentId, text, humanCategories, humanLabels, action, decided, created]) => {
      const createdAt = created === null ? null : Number(created);
      if (Array.isArray(humanCategories)) {
        const human: Record<string, 0 | 1> = {};
        (humanCategories as string[]).forEach(
          (category, i) => (human[category] = Number((humanLabels as number[])[i]) === 1 ? 1 : 0),
        );
        return {
          contentId: String(contentId),
          text: String(text ?? ''),
          targets: categories.map((c) => human[c] ?? 0),
          human,
          source: 'human' as const,
          createdAt,
        };
      }
      if (action !== null) {
        return {
          contentId: String(contentId),
          text: String(text ?? ''),
          targets: categories.map((c) => (action !== 'pass' && c === decided ? 1 : 0)),
          human: null,
          source: 'decision' as const,
          createdAt,
        };
      }
      return {
        contentId: String(contentId),
        text: String(text ?? ''),
        targets: categories.map(() => 0),
        human: null,
        source: 'untouched' as const,
        createdAt,
      };
    });
  });
}
