/**
 * The model in the loop, for a session: retrain.ts trains the new version; here the pool is re-scored and re-ranked
 * by it, the session's `rerank` record commits it, and only then is the version registered as the model (on open,
 * a committed retrain whose registration a kill prevented is registered).
 */
import fs from 'node:fs';
import type { RetrainOutcome } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { rankPool } from '../../../shared/labelingRanking.js';
import { DEFAULT_CRITICAL } from '../../../shared/routing.js';
import type { JobContext } from '../jobs.js';
import { scoreQuery } from '../models/scoring.js';
import type { RerankRecord, SessionRecord } from './journalRecords.js';
import type { LabelingCore } from './labelingCore.js';
import { readPool, unscoredContentSql } from './poolData.js';
import { type TrainedVersion, trainNewVersion } from './retrain.js';

export class SessionRetraining {
  private readonly retraining = new Set<string>();

  constructor(private readonly core: LabelingCore) {}

  /**
   * Retrains the session's distilled model on the labels so far, re-scores the pool with the new version and
   * re-ranks the session by it. Runs beside labeling; only the final switch goes through the journal's writer.
   */
  async retrain(sessionId: string, ctx: JobContext): Promise<RetrainOutcome> {
    const { state } = this.core;
    const session = state.session(sessionId);
    if (this.retraining.has(sessionId))
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `Session ${session.name} is already retraining; wait for that to finish.`,
      });
    this.retraining.add(sessionId);
    try {
      const started = performance.now();
      await this.core.store.sync(); // SQL's labels must include the ones just made
      const committedVersions = new Set(
        [...state.sessions.values()].flatMap((s) =>
          (s.retrains ?? []).filter((r) => r.model === session.model).map((r) => r.version),
        ),
      );
      const trained = await trainNewVersion(
        this.core.workspace,
        this.core.registry,
        {
          model: session.model,
          sessionId,
          sessionName: session.name,
          policyVersion: session.policy_version,
          taxonomy: this.core.policy.get(session.policy_version),
          committedVersions,
        },
        ctx,
      );
      try {
        return await this.finish(session, trained, started, ctx);
      } finally {
        trained.done();
      }
    } finally {
      this.retraining.delete(sessionId);
    }
  }

  /** Scores and ranks the pool by the new (still unregistered) version, commits the rerank, then registers the version. */
  private async finish(
    session: SessionRecord,
    trained: TrainedVersion,
    started: number,
    ctx: JobContext,
  ): Promise<RetrainOutcome> {
    const { workspace, registry } = this.core;
    const sessionId = session.id;
    const rescoreStarted = performance.now();
    const scoring: JobContext = {
      ...ctx,
      progress: (fraction, message) => ctx.progress(0.45 + 0.45 * (fraction ?? 0), message),
    };
    const scored = await scoreQuery(
      workspace,
      registry,
      {
        model: session.model,
        package: trained.pkg,
        sql: unscoredContentSql(session.pool, session.model, trained.version, true),
      },
      scoring,
    );
    const rescoreSeconds = (performance.now() - rescoreStarted) / 1000;
    ctx.progress(0.92, 'Re-ranking the pool');
    const pool = await readPool(workspace, session.pool, session.model, trained.version, session.strategy === 'errors');
    const { manifest } = trained.pkg;
    const ranking = rankPool(pool, session.strategy, {
      categories: manifest.categories,
      thresholds: manifest.thresholds,
      critical: manifest.critical ?? DEFAULT_CRITICAL,
      seed: session.seed,
    });
    await this.core.rankings.write(sessionId, trained.version, ranking.items);
    const outcome: RetrainOutcome = {
      sessionId,
      model: session.model,
      fromVersion: trained.fromVersion,
      version: trained.version,
      trainedOn: trained.trainedOn,
      humanLabeled: trained.humanLabeled,
      heldOut: trained.heldOut,
      dir: trained.pkg.dir,
      categories: trained.categories,
      rescored: scored.items,
      ranked: ranking.items.length,
      seconds: { train: trained.trainSeconds, rescore: rescoreSeconds, total: (performance.now() - started) / 1000 },
      at: new Date().toISOString(),
    };
    if (ctx.signal.aborted)
      throw new SiftError({
        code: 'CANCELLED',
        message: 'Retraining cancelled; the model stays at its previous version.',
      });
    const record: RerankRecord = {
      t: 'rerank',
      session_id: sessionId,
      version: trained.version,
      ranked: ranking.items.length,
      excluded: ranking.excluded,
      unscored: ranking.unscored,
      outcome,
    };
    await this.core.writer.append([record]);
    await this.register(outcome);
    return outcome;
  }

  /** Makes a committed retrain's version the model of its name (after the commit, and on open when a kill came between). */
  private async register(outcome: RetrainOutcome): Promise<void> {
    const { registry } = this.core;
    if (registry.isRegistered(outcome.dir)) return;
    await registry.add(outcome.dir);
    const pkg = registry.package(outcome.model);
    if (pkg.manifest.version !== outcome.version)
      throw new SiftError({
        code: 'INTERNAL',
        message: `The retrained ${outcome.model} ${outcome.version} was saved in ${outcome.dir} but another folder takes precedence in models.json.`,
      });
  }

  /** The newest committed retrain of each model, registered if a kill came between its commit and its registration. */
  async finishCommitted(): Promise<void> {
    const newest = new Map<string, RetrainOutcome>();
    for (const session of this.core.state.sessions.values())
      for (const outcome of session.retrains ?? [])
        if ((newest.get(outcome.model)?.at ?? '') < outcome.at) newest.set(outcome.model, outcome);
    for (const outcome of newest.values()) {
      if (this.core.registry.isRegistered(outcome.dir) || !fs.existsSync(outcome.dir)) continue;
      console.error(
        `sift: a retrain of ${outcome.model} was committed but not registered (a crash came between); registering ${outcome.version} now.`,
      );
      await this.register(outcome).catch((error: unknown) =>
        console.error(`sift: could not register ${outcome.dir}:`, error),
      );
    }
  }
}
