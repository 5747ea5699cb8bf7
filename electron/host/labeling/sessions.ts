/**
 * Labeling sessions: making one (its pool scored where needed, ranked, the ranking stored, the record appended), and
 * what is read of them — summaries, the facts a dataset manifest records, the adjudication queue.
 */
import type { Disagreements, SessionCreateInput, SessionSummary } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { DEFAULT_IDLE_MINUTES, UNSCORED_STRATEGIES, voteOutcomeSql } from '../../../shared/labeling.js';
import { rankPool } from '../../../shared/labelingRanking.js';
import { DEFAULT_CRITICAL } from '../../../shared/routing.js';
import type { Taxonomy } from '../../../shared/taxonomy.js';
import type { JobContext } from '../jobs.js';
import { scoreQuery } from '../models/scoring.js';
import { newId, type SessionRecord } from './journalRecords.js';
import type { LabelingCore } from './labelingCore.js';
import { countUnscored, readPool, readTexts, scoresTableExists, unscoredContentSql } from './poolData.js';
import { sessionProgress } from './progress.js';

/** What a dataset manifest records of each session. */
export interface SessionFacts {
  id: string;
  name: string;
  strategy: string;
  pool: string;
  model: string;
  version: string;
  policyVersion: string;
}

export class Sessions {
  constructor(private readonly core: LabelingCore) {}

  taxonomy(version?: string): { taxonomy: Taxonomy; versions: string[]; file: string } {
    const { policy } = this.core;
    const chosen = version ?? policy.latestVersion();
    return { taxonomy: policy.get(chosen), versions: policy.versions(), file: policy.file(chosen) };
  }

  list(): SessionSummary[] {
    return [...this.core.state.sessions.values()].reverse().map((session) => summary(session));
  }

  get(id: string, annotator: string): SessionSummary {
    return { ...summary(this.core.state.session(id)), progress: sessionProgress(this.core.state, id, annotator) };
  }

  /**
   * Ranks the pool and records the session. When the chosen version is the model's current one and has not scored
   * every pool item, those are scored first (a session needs scores to rank by).
   */
  async create(input: SessionCreateInput, ctx: JobContext): Promise<SessionSummary> {
    const { record } = await this.prepare(input, ctx);
    await this.core.writer.append([record]);
    return summary(record);
  }

  /**
   * Everything of a new session but its journal record: the pool scored and ranked, the ranking in the store (a
   * ranking nobody's record names is never read). The caller commits the record, alone or with the events it holds.
   */
  async prepare(
    input: SessionCreateInput,
    ctx: JobContext,
  ): Promise<{ record: SessionRecord; inPool: ReadonlySet<string> }> {
    const { workspace, registry, policy } = this.core;
    const pkg = registry.package(input.model);
    const version = input.version ?? pkg.manifest.version;
    const policyVersion = policy.latestVersion();
    policy.get(policyVersion); // a damaged policy file stops here, before anything is written
    let scoredForSession = 0;
    if (version === pkg.manifest.version && !UNSCORED_STRATEGIES.includes(input.strategy)) {
      const missing = await countUnscored(workspace, input.pool, input.model, version);
      if (missing > 0 && pkg.manifest.kind !== 'distilled_text') {
        // A fusion model reads account features a content row does not carry: its scores come from `sift score`.
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `model: ${input.model} ${version} has not scored ${missing.toLocaleString('en-US')} items of the pool, and a session scores only text models itself. Score them first (sift score --model ${input.model} --sql "…" with its account features), or rank by a text model such as text-distil.`,
        });
      }
      if (missing > 0) {
        ctx.progress(0, `Scoring ${missing.toLocaleString('en-US')} pool items with ${input.model} ${version}`);
        const sql = unscoredContentSql(input.pool, input.model, version, await scoresTableExists(workspace));
        const outcome = await scoreQuery(workspace, registry, { model: input.model, sql }, ctx);
        scoredForSession = outcome.items;
      }
    }
    if (ctx.signal.aborted)
      throw new SiftError({ code: 'CANCELLED', message: 'Session creation cancelled; no session was made.' });
    ctx.progress(null, 'Ranking the pool');
    if (input.strategy === 'errors') await this.core.store.sync(); // the labels just made count as human labels too
    const pool = await readPool(workspace, input.pool, input.model, version, input.strategy === 'errors');
    if (pool.length === 0)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: 'pool: the query returned no items; a session needs at least one.',
      });
    const seed = input.seed ?? 1;
    const ranking = rankPool(pool, input.strategy, {
      categories: pkg.manifest.categories,
      thresholds: pkg.manifest.thresholds,
      critical: pkg.manifest.critical ?? DEFAULT_CRITICAL,
      seed,
    });
    if (ranking.items.length === 0) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `The ${input.strategy} strategy found nothing to label in this pool of ${pool.length} items${input.strategy === 'errors' ? ' (no item has a human label that contradicts the model at its thresholds)' : ''}.`,
      });
    }
    if (ctx.signal.aborted)
      throw new SiftError({ code: 'CANCELLED', message: 'Session creation cancelled; no session was made.' });
    const id = newId('s');
    await this.core.rankings.write(id, version, ranking.items);
    const record: SessionRecord = {
      t: 'session',
      id,
      name: input.name,
      pool: input.pool,
      model: input.model,
      version,
      strategy: input.strategy,
      batch_size: input.batchSize,
      overlap: input.overlap ?? 1,
      ...(input.idleMinutes !== undefined ? { idle_minutes: input.idleMinutes } : {}),
      seed,
      policy_version: policyVersion,
      created_at: new Date().toISOString(),
      created_by: input.createdBy ?? null,
      pool_size: pool.length,
      ranked: ranking.items.length,
      excluded: ranking.excluded,
      unscored: ranking.unscored,
      scored_for_session: scoredForSession,
    };
    return { record, inPool: new Set(ranking.items.map((item) => item.contentId)) };
  }

  facts(ids: string[]): SessionFacts[] {
    return ids.map((id) => {
      const session = this.core.state.session(id);
      return {
        id,
        name: session.name,
        strategy: session.strategy,
        pool: session.pool,
        model: session.model,
        version: session.version,
        policyVersion: session.policy_version,
      };
    });
  }

  /**
   * The adjudication queue: items of the session whose annotators disagree on a category nobody adjudicated — outvoted
   * or tied (voteOutcomeSql); a tie is no label until someone decides it.
   */
  async disagreements(sessionId: string): Promise<Disagreements> {
    const { workspace } = this.core;
    this.core.state.session(sessionId);
    await this.core.store.sync();
    const rows = await workspace.withConnection(async (conn) =>
      (
        await conn.runAndReadAll(
          `WITH scoped AS (SELECT * FROM current_labels WHERE session_id = $session),
           contested AS (SELECT content_id, category FROM (${voteOutcomeSql('scoped')}) WHERE status IN ('majority', 'tied')),
           items AS (SELECT DISTINCT content_id FROM contested)
           SELECT s.content_id, s.category, (c.content_id IS NOT NULL) AS contested, list(struct_pack(annotator := s.annotator_id, value := s.value, leaf := s.leaf) ORDER BY s.annotator_id)
           FROM scoped s JOIN items i USING (content_id) LEFT JOIN contested c USING (content_id, category)
           WHERE s.kind = 'label'
           GROUP BY ALL ORDER BY min(s.created_at), s.content_id, s.category`,
          { session: sessionId },
        )
      ).getRowsJson(),
    );
    const texts = await readTexts(workspace, [...new Set(rows.map((row) => String(row[0])))]);
    const items = new Map<string, Disagreements['items'][number]>();
    for (const [contentId, category, contested, votes] of rows) {
      const item = items.get(String(contentId)) ?? {
        contentId: String(contentId),
        text: texts.get(String(contentId)) ?? null,
        categories: [],
      };
      item.categories.push({
        category: String(category),
        contested: contested === true,
        votes: (votes as { annotator: string; value: string; leaf: string | null }[]).map((vote) => ({
          annotator: String(vote.annotator),
          value: vote.value === '1' ? 1 : 0,
          leaf: vote.leaf === null ? null : String(vote.leaf),
        })),
      });
      items.set(item.contentId, item);
    }
    return { sessionId, items: [...items.values()] };
  }
}

/** A session as the contract describes it. */
export function summary(session: SessionRecord): SessionSummary {
  return {
    id: session.id,
    name: session.name,
    pool: session.pool,
    model: session.model,
    version: session.version,
    strategy: session.strategy,
    batchSize: session.batch_size,
    overlap: session.overlap ?? 1,
    idleMinutes: session.idle_minutes ?? DEFAULT_IDLE_MINUTES,
    seed: session.seed,
    policyVersion: session.policy_version,
    createdAt: session.created_at,
    createdBy: session.created_by,
    poolSize: session.pool_size,
    ranked: session.ranked,
    excluded: session.excluded,
    unscored: session.unscored,
    scoredForSession: session.scored_for_session,
    retrains: session.retrains ?? [],
  };
}
