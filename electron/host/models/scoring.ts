/**
 * Re-scoring the rows of a query: stream them from DuckDB in batches, score each batch (locally or remotely),
 * stage the scores, and write them to model_scores in one transaction at the end — so a cancelled or failed run
 * writes nothing, and a re-run replaces that model version's earlier scores for the same content.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ScoreOutcome, TryResult, VersionComparison } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import {
  type Decision,
  DEFAULT_CRITICAL,
  DEFAULT_THRESHOLDS,
  decisionSql,
  route,
  routeItem,
} from '../../../shared/routing.js';
import type { JobContext } from '../jobs.js';
import { assertStreamFinished, describeReadOnlyQuery, relationKind } from '../query/readOnlyQuery.js';
import { quoteIdent, type Workspace } from '../workspace/workspace.js';
import { FEATURE_VIEW, pointFeaturesSql } from '../../../shared/features.js';
import type { RemoteOptions } from './kserveClient.js';
import type { ModelRegistry } from './registry.js';
import type { ScoreItem } from './modelInputs.js';
import type { ModelPackage } from './modelPackage.js';
import { MediaEmbedder } from './imageEmbeddings.js';

const SCORE_COLUMNS =
  'content_id VARCHAR, model VARCHAR, model_version VARCHAR, category VARCHAR, score DOUBLE, scored_at TIMESTAMP, model_hash VARCHAR, run_id VARCHAR';

function valueToText(contentId: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  const bytes = (value as { bytes?: Uint8Array }).bytes;
  if (bytes instanceof Uint8Array) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new SiftError({ code: 'BAD_REQUEST', message: `content ${contentId}: text is not valid UTF-8.` });
    }
  }
  return String(value);
}

function valueToNumbers(value: unknown): number[] | null {
  if (value === null || value === undefined) return null;
  const items = (value as { items?: unknown[] }).items;
  if (Array.isArray(items)) return items.map(Number);
  if (Array.isArray(value)) return value.map(Number);
  return null;
}

/**
 * Checks the query is one read-only SELECT returning the columns the model needs; returns the query to stream and
 * the columns' positions. Account features the query does not return are joined from Sift's feature view by
 * content_id (as of each item's upload), when the model's manifest reads them from there.
 */
async function checkScoringQuery(
  conn: DuckDBConnection,
  sql: string,
  pkg: ModelPackage,
  workspace: Workspace,
): Promise<{ text: string; columns: Record<string, number> }> {
  const account = pkg.manifest.kind === 'late_fusion' ? pkg.manifest.account! : null;
  const needed = ['content_id', 'text', ...(account?.columns ?? [])];
  const described = await describeReadOnlyQuery(conn, sql, 'sql', needed.join(', '));
  const missing = needed.filter((name) => !described.columns.includes(name));
  const fromView =
    account?.view && missing.includes('content_id') === false
      ? missing.filter((name) => account.columns.includes(name))
      : [];
  const stillMissing = missing.filter((name) => !fromView.includes(name));
  if (stillMissing.length > 0) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `sql: ${pkg.manifest.name} needs the column(s) ${stillMissing.join(', ')} (it reads ${needed.join(', ')}${account ? ', and image_emb when there is one' : ''}${account?.view ? `; account features not returned are read from ${account.view} by content_id` : ''}).`,
    });
  }
  if (fromView.length === 0)
    return { text: described.text, columns: Object.fromEntries(described.columns.map((name, i) => [name, i])) };
  if (workspace.featureSources === null) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `sql: ${pkg.manifest.name} reads ${fromView.join(', ')} from ${FEATURE_VIEW}, which needs the canonical tables content (content_id, user_id, created_at) and users (user_id, created_at)${workspace.featureViewProblem ? ` — ${workspace.featureViewProblem}` : ''}. Import and map them, or return the columns from your query.`,
    });
  }
  // The user's statement stays one subquery; only the feature columns are added, matched as text ids.
  const text = `SELECT q.*, ${fromView.map((name) => `f.${name}`).join(', ')} FROM (${described.text}) q LEFT JOIN ${FEATURE_VIEW} f ON f.content_id::VARCHAR = q.content_id::VARCHAR`;
  const columns = [...described.columns, ...fromView];
  return { text, columns: Object.fromEntries(columns.map((name, i) => [name, i])) };
}

/** A score belongs to an item: a row without a content_id is refused, never scored as the item 'null'. */
function nullContentId(rows: number | null, total: number): SiftError {
  const how = rows === null ? 'A row' : `${rows.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`;
  return new SiftError({
    code: 'BAD_REQUEST',
    message: `sql: ${how} of the scoring query ${rows === 1 || rows === null ? 'has' : 'have'} a NULL content_id; every score needs the item it belongs to, so nothing was scored. Leave them out (WHERE content_id IS NOT NULL) or fix the mapping of content_id.`,
  });
}

/** Creates model_scores when missing (or brings an older one up to date); refuses a view. */
export async function ensureScoresTable(conn: DuckDBConnection): Promise<void> {
  const kind = await relationKind(conn, 'model_scores');
  if (kind === null) {
    await conn.run(`CREATE TABLE model_scores (${SCORE_COLUMNS})`);
    return;
  }
  if (kind === 'view') {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message:
        'model_scores is a view over an imported table, so Sift cannot add scores to it; import the scores as a table (copy, not link), or remove that mapping.',
    });
  }
  await conn.run(
    'ALTER TABLE model_scores ADD COLUMN IF NOT EXISTS scored_at TIMESTAMP; ALTER TABLE model_scores ADD COLUMN IF NOT EXISTS model_hash VARCHAR; ALTER TABLE model_scores ADD COLUMN IF NOT EXISTS run_id VARCHAR;',
  );
}

export async function scoreQuery(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; sql: string; remote?: RemoteOptions; batchSize?: number; package?: ModelPackage },
  ctx: JobContext,
): Promise<ScoreOutcome> {
  const started = performance.now();
  // A package given is scored as it is (a retrain's new version, not yet registered); else the model of that name.
  const { pkg, scorer, shared } = input.package
    ? await registry.scorerOf(input.package, { remote: input.remote })
    : await registry.scorer(input.model, { remote: input.remote });
  const batchSize = input.batchSize ?? 1024;
  // A fusion model that names an image encoder: items with media and no image_emb get one made from their media.
  const encoderPkg = registry.encoderFor(pkg);
  const embedder = encoderPkg ? await MediaEmbedder.create(workspace, encoderPkg) : null;
  const runId = randomUUID();
  const stageName = `score_${runId.replace(/-/g, '')}`;
  // A temporary table lives on the writer connection alone and vanishes with it.
  const stage = `temp.${quoteIdent(stageName)}`;
  const reader = await workspace.connect();
  const writer = await workspace.connect();
  const onAbort = () => reader.interrupt();
  ctx.signal.addEventListener('abort', onAbort);
  try {
    const { text: query, columns } = await checkScoringQuery(reader, input.sql, pkg, workspace);
    // The user's query is read inside a READ ONLY transaction: DuckDB refuses any write it might attempt.
    await reader.run('BEGIN TRANSACTION READ ONLY');
    const [totalText, missingIds] = (
      await reader.runAndReadAll(`SELECT count(*), count(*) FILTER (WHERE content_id IS NULL) FROM (${query})`)
    ).getRowsJson()[0]!;
    const total = Number(totalText);
    if (Number(missingIds) > 0) throw nullContentId(Number(missingIds), total);
    ctx.progress(
      0,
      `Scoring ${total.toLocaleString('en-US')} items with ${pkg.manifest.name} ${pkg.manifest.version} (${scorer.provider})`,
    );
    await writer.run(`CREATE TEMP TABLE ${quoteIdent(stageName)} (content_id VARCHAR, category VARCHAR, score DOUBLE)`);
    const appender = await writer.createAppender(stageName, null, 'temp');
    const categories = pkg.manifest.categories;
    const accountColumns = pkg.manifest.kind === 'late_fusion' ? pkg.manifest.account!.columns : [];
    let done = 0;
    let pending: ScoreItem[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      await embedder?.fill(pending);
      const probabilities = await scorer.score(pending);
      pending.forEach((item, row) => {
        categories.forEach((category, k) => {
          appender.appendVarchar(item.contentId);
          appender.appendVarchar(category);
          appender.appendDouble(probabilities[row * categories.length + k]!);
          appender.endRow();
        });
      });
      // Flushed each batch: DuckDB's appender otherwise writes ~200k rows at once, holding this thread ~70 ms.
      appender.flushSync();
      done += pending.length;
      pending = [];
      ctx.progress(
        total > 0 ? done / total : null,
        `Scored ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`,
      );
      // Let the host answer the UI between batches.
      await new Promise((resolve) => setImmediate(resolve));
    };
    const result = await reader.stream(query);
    for (;;) {
      if (ctx.signal.aborted)
        throw new SiftError({ code: 'CANCELLED', message: 'Scoring cancelled; no scores were written.' });
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const ids = chunk.getColumnValues(columns.content_id!);
      const texts = chunk.getColumnValues(columns.text!);
      const images = columns.image_emb !== undefined ? chunk.getColumnValues(columns.image_emb) : null;
      const accounts = accountColumns.map((name) => chunk.getColumnValues(columns[name]!));
      for (let row = 0; row < chunk.rowCount; row++) {
        // Counted above; checked again so no score is ever staged for the item 'null'.
        if (ids[row] === null || ids[row] === undefined) throw nullContentId(null, total);
        const contentId = String(ids[row]);
        pending.push({
          contentId,
          text: valueToText(contentId, texts[row]),
          imageEmb: images ? valueToNumbers(images[row]) : null,
          account: accountColumns.length
            ? accounts.map((values) => (values[row] === null ? Number.NaN : Number(values[row])))
            : null,
        });
        if (pending.length >= batchSize) await flush();
      }
    }
    if (!ctx.signal.aborted) await assertStreamFinished(reader, 'The scoring query');
    await flush();
    appender.closeSync();
    if (ctx.signal.aborted)
      throw new SiftError({ code: 'CANCELLED', message: 'Scoring cancelled; no scores were written.' });
    ctx.progress(1, 'Writing scores');
    await writer.run('BEGIN TRANSACTION');
    let replaced = 0;
    let rows = 0;
    try {
      await ensureScoresTable(writer);
      const keys = { model: pkg.manifest.name, version: pkg.manifest.version };
      replaced = Number(
        (
          await writer.run(
            `DELETE FROM model_scores WHERE model = $model AND model_version = $version AND content_id::VARCHAR IN (SELECT content_id FROM ${stage})`,
            keys,
          )
        ).rowsChanged,
      );
      rows = Number(
        (
          await writer.run(
            `INSERT INTO model_scores (content_id, model, model_version, category, score, scored_at, model_hash, run_id)
             SELECT content_id, $model, $version, category, score, now()::TIMESTAMP, $hash, $run FROM ${stage}`,
            { ...keys, hash: pkg.hash, run: runId },
          )
        ).rowsChanged,
      );
      await writer.run('COMMIT');
    } catch (error) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    const elapsedMs = Math.round(performance.now() - started);
    return {
      runId,
      model: pkg.manifest.name,
      version: pkg.manifest.version,
      hash: pkg.hash,
      provider: scorer.provider,
      note: scorer.note,
      items: done,
      rows,
      replaced,
      elapsedMs,
      itemsPerSecond: Math.round(done / Math.max(elapsedMs / 1000, 1e-3)),
      ...(embedder ? { imageEmbeddings: embedder.counts } : {}),
    };
  } catch (error) {
    if (ctx.signal.aborted)
      throw new SiftError({ code: 'CANCELLED', message: 'Scoring cancelled; no scores were written.' });
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await writer.run(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
    await reader.run('ROLLBACK').catch(() => undefined);
    reader.closeSync();
    writer.closeSync();
    if (!shared) await scorer.close();
  }
}

/** A time as the data's clock reads it: an explicit zone is turned into UTC, a naive time is taken as written. */
function dataClockTime(at: string): string {
  return /(?:Z|[+-]\d\d:?\d\d)$/i.test(at.trim())
    ? new Date(at).toISOString().slice(0, 23).replace('T', ' ')
    : at.trim().replace('T', ' ');
}

/**
 * The account features of an upload by `userId` at `at`, from the same definitions as the feature view — the
 * single-item path of the skew test.
 */
export async function accountFeaturesAsOf(
  workspace: Workspace,
  userId: string,
  at: string,
): Promise<Record<string, number>> {
  return workspace.withConnection(async (conn) => {
    const sources = workspace.featureSources;
    if (sources === null) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `asOf: account features need the canonical tables content and users${workspace.featureViewProblem ? ` (${workspace.featureViewProblem})` : ''}.`,
      });
    }
    const row = (
      await conn.runAndReadAll(pointFeaturesSql(sources), { user_id: userId, at: dataClockTime(at) })
    ).getRowObjectsJson()[0]!;
    if (row.account_age_days === null)
      throw new SiftError({ code: 'BAD_REQUEST', message: `asOf.userId: no account "${userId}" in users.` });
    return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, Number(value)]));
  });
}

export async function tryModel(
  workspace: Workspace,
  registry: ModelRegistry,
  input: {
    model: string;
    text: string;
    imageEmb?: number[];
    account?: Record<string, number>;
    asOf?: { userId: string; at: string };
    remote?: RemoteOptions;
  },
): Promise<TryResult> {
  const started = performance.now();
  const { pkg, scorer, shared } = await registry.scorer(input.model, { remote: input.remote });
  try {
    const fusion = pkg.manifest.kind === 'late_fusion';
    const accountColumns = pkg.manifest.account?.columns ?? [];
    const given =
      fusion && input.asOf ? await accountFeaturesAsOf(workspace, input.asOf.userId, input.asOf.at) : input.account;
    const account = fusion ? accountColumns.map((column) => given?.[column] ?? Number.NaN) : null;
    const probabilities = await scorer.score([
      { contentId: 'try', text: input.text, imageEmb: input.imageEmb ?? null, account },
    ]);
    const scores = Object.fromEntries(
      pkg.manifest.categories.map((category, k) => [category, Math.round(probabilities[k]! * 1e6) / 1e6]),
    );
    const decisions = Object.fromEntries(
      Object.entries(scores).map(([category, score]) => [category, route(pkg.manifest, category, score)]),
    );
    const overall = routeItem(pkg.manifest, scores);
    return {
      model: pkg.manifest.name,
      version: pkg.manifest.version,
      provider: scorer.provider,
      scores,
      decisions,
      decision: overall.decision,
      category: overall.category,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      ...(fusion
        ? {
            account: {
              values: Object.fromEntries(accountColumns.map((column, k) => [column, account![k]!])),
              source: input.asOf ? 'computed' : 'given',
            },
          }
        : {}),
    } as TryResult;
  } finally {
    if (!shared) await scorer.close();
  }
}

/** Shadow comparison: on the items both versions scored, where do their decisions at the thresholds differ? */
export async function compareVersions(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { a: { model: string; version: string }; b: { model: string; version: string }; limit?: number },
  ctx?: JobContext,
): Promise<VersionComparison> {
  let thresholds: Record<string, { remove: number; escalate: number }> = {};
  let critical: string[] = DEFAULT_CRITICAL; // a model known only from its scores routes by the defaults
  for (const name of [input.b.model, input.a.model]) {
    try {
      const { manifest } = registry.package(name);
      thresholds = manifest.thresholds;
      critical = manifest.critical;
      break;
    } catch {
      // a model known only from its recorded scores: default thresholds
    }
  }
  const categoryRows = Object.entries(thresholds);
  const thresholdValues = categoryRows.length
    ? categoryRows
        .map(
          ([category, t]) =>
            `(${[category, t.remove, t.escalate, critical.includes(category)].map((v) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v))).join(', ')})`,
        )
        .join(', ')
    : `('__none__', ${DEFAULT_THRESHOLDS.remove}, ${DEFAULT_THRESHOLDS.escalate}, false)`;
  const decision = (score: string) => decisionSql(score, 'remove_at', 'escalate_at', 'critical');
  return workspace.withConnection(async (conn) => {
    // A cancel interrupts whichever of the two queries is running.
    const onAbort = () => conn.interrupt();
    ctx?.signal.addEventListener('abort', onAbort);
    try {
      return await compareOn(conn);
    } catch (error) {
      if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Comparison cancelled.' });
      throw error;
    } finally {
      ctx?.signal.removeEventListener('abort', onAbort);
    }
  });

  async function compareOn(conn: DuckDBConnection): Promise<VersionComparison> {
    if (!(await relationKind(conn, 'model_scores'))) return { a: input.a, b: input.b, categories: [], flips: [] };
    ctx?.progress(null, "Pairing the two versions' scores and routing each");
    const binds = { ma: input.a.model, va: input.a.version, mb: input.b.model, vb: input.b.version };
    const joined = `
      WITH t(category, remove, escalate, critical) AS (VALUES ${thresholdValues}),
      a AS (SELECT content_id::VARCHAR AS content_id, category, max(score) AS score FROM model_scores WHERE model = $ma AND model_version = $va GROUP BY ALL),
      b AS (SELECT content_id::VARCHAR AS content_id, category, max(score) AS score FROM model_scores WHERE model = $mb AND model_version = $vb GROUP BY ALL),
      paired AS (
        SELECT a.content_id, a.category, a.score AS score_a, b.score AS score_b,
               coalesce(t.remove, ${DEFAULT_THRESHOLDS.remove}) AS remove_at, coalesce(t.escalate, ${DEFAULT_THRESHOLDS.escalate}) AS escalate_at, coalesce(t.critical, false) AS critical
        FROM a JOIN b USING (content_id, category) LEFT JOIN t ON t.category = a.category),
      both_scored AS (SELECT content_id, category, score_a, score_b, ${decision('score_a')} AS decision_a, ${decision('score_b')} AS decision_b FROM paired)`;
    const summary = (
      await conn.runAndReadAll(
        `${joined}
         SELECT category, count(*) AS items, count(*) FILTER (WHERE decision_a <> decision_b) AS flips,
                count(*) FILTER (WHERE decision_a = 'remove') AS remove_a, count(*) FILTER (WHERE decision_b = 'remove') AS remove_b,
                count(*) FILTER (WHERE decision_a = 'escalate') AS escalate_a, count(*) FILTER (WHERE decision_b = 'escalate') AS escalate_b
         FROM both_scored GROUP BY category ORDER BY category`,
        binds,
      )
    ).getRowsJson();
    ctx?.progress(0.5, 'Finding the items whose decision flips');
    const flips = (
      await conn
        .runAndReadAll(
          `${joined}
         SELECT s.content_id, s.category, s.score_a, s.score_b, s.decision_a, s.decision_b, c.text
         FROM both_scored s LEFT JOIN (SELECT content_id::VARCHAR AS content_id, text FROM content) c USING (content_id)
         WHERE s.decision_a <> s.decision_b
         ORDER BY abs(s.score_b - s.score_a) DESC, s.content_id, s.category LIMIT ${Math.min(5000, input.limit ?? 200)}`,
          binds,
        )
        .catch(async () =>
          conn.runAndReadAll(
            `${joined} SELECT content_id, category, score_a, score_b, decision_a, decision_b, NULL AS text FROM both_scored WHERE decision_a <> decision_b ORDER BY abs(score_b - score_a) DESC LIMIT ${Math.min(5000, input.limit ?? 200)}`,
            binds,
          ),
        )
    ).getRowsJson();
    return {
      a: input.a,
      b: input.b,
      categories: summary.map(([category, items, flipCount, removeA, removeB, escalateA, escalateB]) => ({
        category: String(category),
        items: Number(items),
        flips: Number(flipCount),
        divergence: Number(items) ? Number(flipCount) / Number(items) : 0,
        removeA: Number(removeA),
        removeB: Number(removeB),
        escalateA: Number(escalateA),
        escalateB: Number(escalateB),
      })),
      flips: flips.map(([contentId, category, scoreA, scoreB, decisionA, decisionB, text]) => ({
        contentId: String(contentId),
        category: String(category),
        scoreA: Number(scoreA),
        scoreB: Number(scoreB),
        decisionA: decisionA as Decision,
        decisionB: decisionB as Decision,
        text: text === null ? null : String(text),
      })),
    };
  }
}

/** The (model, version) pairs that have scores in the workspace, for picking a comparison. */
export async function scoredVersions(
  workspace: Workspace,
): Promise<{ model: string; version: string; items: number; firstScoredAt: string; lastScoredAt: string }[]> {
  return workspace.withConnection(async (conn) => {
    if (!(await relationKind(conn, 'model_scores'))) return [];
    const rows = (
      await conn.runAndReadAll(
        `SELECT model, model_version, count(DISTINCT content_id) AS items, strftime(min(scored_at), '%Y-%m-%dT%H:%M:%S'), strftime(max(scored_at), '%Y-%m-%dT%H:%M:%S') FROM model_scores GROUP BY ALL ORDER BY model, min(scored_at)`,
      )
    ).getRowsJson();
    return rows.map(([model, version, items, first, last]) => ({
      model: String(model),
      version: String(version),
      items: Number(items),
      firstScoredAt: String(first),
      lastScoredAt: String(last),
    }));
  });
}
