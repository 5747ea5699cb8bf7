/**
 * A session's ranked pool, kept in the store (`session_ranking`) under the session and the model version that
 * ranked it, and read once per version.
 */
import path from 'node:path';
import { SiftError } from '../../../shared/errors.js';
import type { RankedItem } from '../../../shared/labelingRanking.js';
import { SIFT_DIR, type Workspace } from '../workspace/workspace.js';
import type { LabelingState } from './labelingState.js';

const RANKING_DDL =
  'CREATE TABLE IF NOT EXISTS session_ranking (session_id VARCHAR, version VARCHAR, content_id VARCHAR, rank INTEGER, priority DOUBLE, reason_json VARCHAR);';

export interface Ranked {
  ids: string[];
  reasons: string[];
  index: Map<string, number>;
}

export class SessionRankings {
  private readonly cache = new Map<string, Promise<Ranked>>();

  constructor(
    private readonly workspace: Workspace,
    private readonly state: LabelingState,
  ) {
    // A rerank names a new version: the ranking read under the old one goes.
    state.onRerank((sessionId) => this.cache.delete(sessionId));
  }

  static ensureTable(workspace: Workspace): Promise<void> {
    return workspace.withStore(async (conn) => void (await conn.run(RANKING_DDL)));
  }

  /**
   * Stores a ranked pool under its session and model version, checkpointed: on disk before the journal record that
   * names it (a session, a rerank) is appended. A ranking no record names is never read, so a kill in between
   * leaves nothing a later run could trip on.
   */
  async write(sessionId: string, version: string, items: RankedItem[]): Promise<void> {
    await this.workspace.withStore(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        await conn.run('DELETE FROM session_ranking WHERE session_id = $id AND version = $version', {
          id: sessionId,
          version,
        });
        const appender = await conn.createAppender('session_ranking');
        for (const item of items) {
          appender.appendVarchar(sessionId);
          appender.appendVarchar(version);
          appender.appendVarchar(item.contentId);
          appender.appendInteger(item.rank);
          appender.appendDouble(item.priority);
          appender.appendVarchar(JSON.stringify(item.reason));
          appender.endRow();
        }
        appender.closeSync();
        await conn.run('COMMIT');
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
      // Only keeps the WAL small: another write in flight (a CLI call through the engine) makes DuckDB refuse a
      // checkpoint, which must not fail the ranking just committed — the next checkpoint folds it in.
      await conn.run('CHECKPOINT').catch(() => undefined);
    });
  }

  /** The session's ranked pool under its current model version. */
  of(sessionId: string): Promise<Ranked> {
    let ranked = this.cache.get(sessionId);
    if (!ranked) {
      ranked = this.workspace.withStore(async (conn) => {
        const version = this.state.session(sessionId).version;
        const rows = (
          await conn.runAndReadAll(
            'SELECT content_id, reason_json FROM session_ranking WHERE session_id = $id AND version = $version ORDER BY rank',
            { id: sessionId, version },
          )
        ).getRowsJson() as [string, string][];
        if (rows.length === 0)
          throw new SiftError({
            code: 'INTERNAL',
            message: `Session ${sessionId}'s ranked pool is missing from the store (${path.join(this.workspace.dir, SIFT_DIR)}).`,
          });
        return {
          ids: rows.map((row) => row[0]),
          reasons: rows.map((row) => row[1]),
          index: new Map(rows.map((row, i) => [row[0], i])),
        };
      });
      ranked.catch(() => this.cache.delete(sessionId));
      this.cache.set(sessionId, ranked);
    }
    return ranked;
  }
}
