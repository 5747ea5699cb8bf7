/**
 * Labeling sessions over one workspace. The label journal (labelJournal.ts) is the durable record: sessions,
 * batches and label events are appended there, fsynced, and only then acknowledged. Everything else follows from
 * it — the in-memory state the labeling screen reads (shared/labeling.ts replays it), and the `label_events` table
 * in Sift's store that SQL reads through its snapshot, which is brought up to date from the journal after each
 * append and again on open (a crash between the two loses nothing: the store catches up from the journal).
 * A session's ranked pool is kept in the store (`session_ranking`), written before the session is acknowledged.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { timestampValue } from '@duckdb/node-api';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type {
  BatchItem,
  Disagreements,
  PolicyMigration,
  LabelAction,
  LabelBatch,
  LabelExportOutcome,
  LabelImportOutcome,
  RecordOutcome,
  RetrainOutcome,
  SessionCreateInput,
  SessionProgress,
  SessionSummary,
} from '../../../shared/contract.js';
import { CURRENT_LABELS_SQL, currentLabelsSql, LABEL_EVENT_COLUMNS } from '../../../shared/canonical.js';
import { SiftError } from '../../../shared/errors.js';
import {
  DEFAULT_IDLE_MINUTES,
  isDone,
  LabelLog,
  UNSCORED_STRATEGIES,
  type LabelEvent,
  labelingPace,
  pickDistinct,
  type Strategy,
  voteOutcomeSql,
} from '../../../shared/labeling.js';
import { type PickReason, rankPool, type RankedItem } from '../../../shared/labelingRanking.js';
import { DEFAULT_CRITICAL } from '../../../shared/routing.js';
import { carryOver, policyVersionNumber, type Taxonomy } from '../../../shared/taxonomy.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { scoreQuery } from '../models/scoring.js';
import { quoteLiteral, SIFT_DIR, type Workspace } from '../workspace/workspace.js';
import { labelStudioEvents, labelStudioTasks, type PackEvent, readPack, stableId } from './labelInterchange.js';
import { type JournalRecord, LabelJournal } from './labelJournal.js';
import { PolicyStore } from './policy.js';
import { type TrainedVersion, trainNewVersion } from './retrain.js';
import {
  countUnscored,
  type ItemContext,
  readItemContext,
  readPool,
  readTexts,
  scoresTableExists,
  unscoredContentSql,
} from './poolData.js';
import { spreadsheetSafeSelect } from '../query/exporter.js';

export const JOURNAL_FILE = 'labels.journal';

interface SessionRecord extends JournalRecord {
  t: 'session';
  id: string;
  name: string;
  pool: string;
  model: string;
  version: string;
  strategy: Strategy;
  batch_size: number;
  /** How many annotators label each item (1 unless the session asks for more). */
  overlap?: number;
  /** Minutes of inactivity after which an annotator's reservations lapse (DEFAULT_IDLE_MINUTES when absent). */
  idle_minutes?: number;
  seed: number;
  policy_version: string;
  created_at: string;
  created_by: string | null;
  pool_size: number;
  ranked: number;
  excluded: number;
  unscored: number;
  scored_for_session: number;
  /** Each retrain, from its rerank record: the session ranks by the latest version. */
  retrains?: RetrainOutcome[];
}

interface RerankRecord extends JournalRecord {
  t: 'rerank';
  session_id: string;
  version: string;
  ranked: number;
  excluded: number;
  unscored: number;
  outcome: RetrainOutcome;
}

interface BatchRecord extends JournalRecord {
  t: 'batch';
  id: string;
  session_id: string;
  annotator_id: string;
  items: string[];
  deferred: number;
  returning_skipped: number;
  created_at: string;
  /** The model version whose ranking chose it. */
  version?: string;
  /** A batch handed out under an older ranking and not started, which this one takes the place of. */
  replaces?: string;
}

type EventRecord = JournalRecord & LabelEvent & { t: 'event' };

/** A policy migration, written in the same append as the sessions and events it made: its record is its being done. */
interface MigrationRecord extends JournalRecord {
  t: 'migration';
  from: string;
  to: string;
  carried: number;
  relabel: number;
  carried_session: string | null;
  relabel_session: string | null;
  at: string;
}

interface Ranked {
  ids: string[];
  reasons: string[];
  index: Map<string, number>;
}

/** The event and action ids a policy migration derives start with it. */
const CARRY_PREFIX = 'carry';

/** store_layout's record that journaled events in the store carry their place in the journal (`seq`). */
const SEQ_KEY = 'label_seq';

const STORE_DDL = `
  CREATE TABLE IF NOT EXISTS journal_sync (records BIGINT NOT NULL);
  ALTER TABLE journal_sync ADD COLUMN IF NOT EXISTS bytes BIGINT;
  CREATE TABLE IF NOT EXISTS session_ranking (session_id VARCHAR, version VARCHAR, content_id VARCHAR, rank INTEGER, priority DOUBLE, reason_json VARCHAR);`;

/**
 * SQL's copy of the labels follows the journal once labeling pauses for a second (at most five seconds behind):
 * rewriting the snapshot on every keystroke would take CPU from the annotator's screen.
 */
const STORE_SYNC_IDLE_MS = 1000;
const STORE_SYNC_MAX_DELAY_MS = 5000;
/** Candidates read per step while filling a batch, as a multiple of the batch size. */
const CANDIDATE_WINDOW = 4;
const CONTEXT_CACHE_BATCHES = 4;

let eventCounter = 0;
/** Sortable within a process (time, then a counter), unique across processes (random tail). */
function newId(prefix: string): string {
  eventCounter = (eventCounter + 1) % 36 ** 5;
  return `${prefix}${Date.now().toString(36).padStart(9, '0')}${eventCounter.toString(36).padStart(5, '0')}${randomBytes(3).toString('hex')}`;
}

export class LabelingService {
  readonly policy: PolicyStore;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly batches = new Map<string, BatchRecord[]>();
  private readonly logs = new Map<string, LabelLog>();
  /** When each annotator last did something in a session (a label, a batch): reservations of the idle lapse. */
  private readonly lastActive = new Map<string, number>();
  /** Every event id in the journal: imported packs are matched against it, so an import twice adds nothing. */
  private readonly eventIds = new Set<string>();
  /** Who made each action, and in which session: an imported undo may reverse only its author's own. */
  private readonly actionOwners = new Map<string, { annotator: string; session: string | null }>();
  private readonly rankings = new Map<string, Promise<Ranked>>();
  /** The batch chosen ahead for an annotator, keyed by session and annotator, valid after batch `after`. */
  private readonly prepared = new Map<string, { after: string; picked: string[]; deferred: number }>();
  private readonly preparing = new Map<string, Promise<void>>();
  private readonly retraining = new Set<string>();
  /** Each session's item contexts (text, reports, actions, scores), read once. */
  private readonly contexts = new Map<string, Map<string, ItemContext>>();
  /** Records the journal holds; the store has applied the first `appliedRecords`. */
  private recordCount = 0;
  /** The journal's length in bytes when it held `recordCount` records (appends are serialised). */
  private journalBytes = 0;
  private appliedRecords = 0;
  private pendingEvents: LabelEvent[] = [];
  private syncTimer: NodeJS.Timeout | null = null;
  private syncDue: number | null = null;
  private syncing: Promise<void> = Promise.resolve();
  /** Actions are applied one at a time, so an undo always sees the action before it. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly workspace: Workspace,
    private readonly registry: ModelRegistry,
    private readonly journal: LabelJournal,
  ) {
    this.policy = new PolicyStore(workspace.dir);
  }

  static async open(workspace: Workspace, registry: ModelRegistry): Promise<LabelingService> {
    const { journal, records } = LabelJournal.open(path.join(workspace.dir, SIFT_DIR, JOURNAL_FILE));
    const service = new LabelingService(workspace, registry, journal);
    try {
      service.policy.ensure();
      records.forEach((record, index) => {
        if (record.t === 'event') (record as EventRecord).seq = index + 1; // its place in the journal orders it
        service.applyRecord(record);
      });
      service.recordCount = records.length;
      service.journalBytes = journal.bytes;
      await workspace.withStore((conn) => conn.run(STORE_DDL));
      const [applied, appliedBytes] = await workspace.withStore(
        async (conn) =>
          (
            await conn.runAndReadAll('SELECT coalesce(max(records), 0), max(bytes) FROM journal_sync')
          ).getRowsJson()[0]!,
      );
      service.appliedRecords = Number(applied);
      if (service.appliedRecords > records.length) service.appliedRecords = 0; // a journal restored from an older backup: re-apply by id
      service.pendingEvents = records
        .slice(service.appliedRecords)
        .filter((record): record is EventRecord => record.t === 'event');
      if (service.pendingEvents.length > 0 || service.appliedRecords !== records.length) await service.syncStore();
      // Caught up, but the mark lacks the journal's length (a store from before it was kept): record it for journalAhead.
      else if (appliedBytes === null || Number(appliedBytes) !== journal.bytes)
        await workspace.withStore((conn) => conn.run(`UPDATE journal_sync SET bytes = ${journal.bytes}`));
      await service.numberStoredEvents(records);
      await service.finishCommittedRetrains();
    } catch (error) {
      await journal.close();
      throw error;
    }
    return service;
  }

  /**
   * Whether the journal holds records the store has not applied: a kill came after an append was acknowledged and
   * before the store's sync (at most a few seconds later). Opening the service catches the store up. Cheap enough
   * for every open: the journal's length against the one recorded with the store's last sync.
   */
  static async journalAhead(workspace: Workspace): Promise<boolean> {
    const length = fs.statSync(path.join(workspace.dir, SIFT_DIR, JOURNAL_FILE), { throwIfNoEntry: false })?.size ?? 0;
    if (length === 0) return false;
    const recorded = await workspace
      .withStore(async (conn) => (await conn.runAndReadAll('SELECT max(bytes) FROM journal_sync')).getRowsJson()[0]![0])
      .catch(() => null); // no such table or column yet: the store has not caught up since it was made
    return recorded === null || Number(recorded) !== length;
  }

  private applyRecord(record: JournalRecord): void {
    if (record.t === 'session') {
      const session = record as SessionRecord;
      this.sessions.set(session.id, session);
    } else if (record.t === 'batch') {
      const batch = record as BatchRecord;
      const list = this.batches.get(batch.session_id) ?? [];
      list.push(batch);
      this.batches.set(batch.session_id, list);
      this.touch(batch.session_id, batch.annotator_id, Date.parse(batch.created_at));
    } else if (record.t === 'rerank') {
      const rerank = record as RerankRecord;
      const session = this.sessions.get(rerank.session_id);
      if (!session) return;
      Object.assign(session, {
        version: rerank.version,
        ranked: rerank.ranked,
        excluded: rerank.excluded,
        unscored: rerank.unscored,
        retrains: [...(session.retrains ?? []), rerank.outcome],
      });
      // Everything read under the old version goes: the ranking, the batch chosen ahead, the items' scores.
      this.rankings.delete(session.id);
      this.contexts.delete(session.id);
      for (const key of this.prepared.keys()) if (key.startsWith(`${session.id}\u0000`)) this.prepared.delete(key);
    } else if (record.t === 'event') {
      const event = record as EventRecord;
      this.eventIds.add(event.event_id);
      if (event.kind !== 'undo' && !this.actionOwners.has(event.action_id))
        this.actionOwners.set(event.action_id, { annotator: event.annotator_id, session: event.session_id });
      if (event.session_id) {
        this.logFor(event.session_id).apply(event);
        this.touch(event.session_id, event.annotator_id, Date.parse(event.created_at));
      }
    }
  }

  private touch(sessionId: string, annotator: string, at: number): void {
    const key = `${sessionId}\u0000${annotator}`;
    if (Number.isFinite(at) && at > (this.lastActive.get(key) ?? 0)) this.lastActive.set(key, at);
  }

  /** Whether an annotator has been idle in a session longer than its reservations last. */
  private idle(sessionId: string, annotator: string): boolean {
    const minutes = this.session(sessionId).idle_minutes ?? DEFAULT_IDLE_MINUTES;
    return Date.now() - (this.lastActive.get(`${sessionId}\u0000${annotator}`) ?? 0) > minutes * 60_000;
  }

  private logFor(sessionId: string): LabelLog {
    let log = this.logs.get(sessionId);
    if (!log) this.logs.set(sessionId, (log = new LabelLog()));
    return log;
  }

  /** Appends records durably, then applies them. Serialised with every other append of this service. */
  private async commit(records: JournalRecord[]): Promise<void> {
    await this.journal.append(records);
    records.forEach((record, index) => {
      if (record.t === 'event') (record as EventRecord).seq = this.recordCount + index + 1;
    });
    this.recordCount += records.length;
    this.journalBytes = this.journal.bytes;
    for (const record of records) {
      this.applyRecord(record);
      if (record.t === 'event') this.pendingEvents.push(record as EventRecord);
    }
    this.scheduleStoreSync();
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The store: label_events for SQL, brought up to date from the journal

  private scheduleStoreSync(): void {
    if (this.closed) return;
    const now = Date.now();
    this.syncDue ??= now + STORE_SYNC_MAX_DELAY_MS;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(
      () => {
        this.syncTimer = null;
        this.syncDue = null;
        void this.syncStore().catch((error: unknown) =>
          console.error(
            '[sift] label store sync failed (the journal keeps every event; it is retried on open):',
            error,
          ),
        );
      },
      Math.min(STORE_SYNC_IDLE_MS, this.syncDue - now),
    );
  }

  /**
   * Stores from before `seq` hold journaled events without their place in the journal: numbered once, from the
   * journal itself (recorded in store_layout), and SQL's copy rewritten.
   */
  private async numberStoredEvents(records: JournalRecord[]): Promise<void> {
    const done = await this.workspace.withStore(
      async (conn) =>
        (await conn.runAndReadAll(`SELECT count(*) FROM store_layout WHERE key = '${SEQ_KEY}'`)).getRowsJson()[0]![0],
    );
    if (Number(done) > 0) return;
    const numbered = await this.workspace.withStore(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        await conn.run('CREATE OR REPLACE TEMP TABLE journal_seq (event_id VARCHAR, seq BIGINT)');
        const appender = await conn.createAppender('journal_seq', null, 'temp');
        records.forEach((record, index) => {
          if (record.t !== 'event') return;
          appender.appendVarchar(String(record.event_id));
          appender.appendBigInt(BigInt(index + 1));
          appender.endRow();
        });
        appender.closeSync();
        const updated = await conn.run(
          'UPDATE label_events SET seq = j.seq FROM temp.journal_seq j WHERE label_events.event_id = j.event_id AND label_events.seq IS NULL',
        );
        await conn.run('DROP TABLE temp.journal_seq');
        await conn.run(`INSERT INTO store_layout VALUES ('${SEQ_KEY}', 'journal')`);
        await conn.run('COMMIT');
        return Number(updated.rowsChanged);
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    if (numbered > 0) await this.workspace.refreshLabelSnapshot();
  }

  /** Inserts the journal's events the store lacks, records how far it got, and refreshes SQL's snapshot. */
  syncStore(): Promise<void> {
    const run = this.syncing.then(async () => {
      const events = this.pendingEvents;
      const upTo = this.recordCount;
      const upToBytes = this.journalBytes;
      if (events.length === 0 && upTo === this.appliedRecords) return;
      this.pendingEvents = [];
      try {
        await this.workspace.withStore(async (conn) => {
          await conn.run('BEGIN TRANSACTION');
          try {
            if (events.length > 0) {
              // By id, so an event applied before a crash that lost the sync mark is not applied twice.
              await conn.run('CREATE OR REPLACE TEMP TABLE incoming AS SELECT * FROM label_events WHERE false');
              const appender = await conn.createAppender('incoming', null, 'temp');
              for (const event of events) {
                for (const [name] of LABEL_EVENT_COLUMNS) {
                  const value = event[name as keyof LabelEvent];
                  if (value === null || value === undefined) appender.appendNull();
                  else if (name === 'created_at')
                    appender.appendTimestamp(timestampValue(BigInt(Date.parse(String(value))) * 1000n));
                  else if (name === 'seq') appender.appendBigInt(BigInt(Number(value)));
                  else appender.appendVarchar(String(value));
                }
                appender.endRow();
              }
              appender.closeSync();
              await conn.run(
                'INSERT INTO label_events SELECT * FROM incoming WHERE event_id NOT IN (SELECT event_id FROM label_events)',
              );
              await conn.run('DROP TABLE incoming');
            }
            await conn.run('DELETE FROM journal_sync');
            await conn.run(`INSERT INTO journal_sync (records, bytes) VALUES (${upTo}, ${upToBytes})`);
            await conn.run('COMMIT');
          } catch (error) {
            await conn.run('ROLLBACK').catch(() => undefined);
            throw error;
          }
        });
      } catch (error) {
        this.pendingEvents = [...events, ...this.pendingEvents];
        throw error;
      }
      this.appliedRecords = upTo;
      await this.workspace.refreshLabelSnapshot();
    });
    this.syncing = run.catch(() => undefined);
    return run;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Sessions

  taxonomy(version?: string): { taxonomy: Taxonomy; versions: string[]; file: string } {
    const chosen = version ?? this.policy.latestVersion();
    return { taxonomy: this.policy.get(chosen), versions: this.policy.versions(), file: this.policy.file(chosen) };
  }

  list(): SessionSummary[] {
    return [...this.sessions.values()].reverse().map((session) => this.summary(session));
  }

  private session(id: string): SessionRecord {
    const session = this.sessions.get(id);
    if (!session)
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `There is no labeling session ${id}. Sessions here: ${[...this.sessions.keys()].join(', ') || 'none yet'}.`,
      });
    return session;
  }

  get(id: string, annotator: string): SessionSummary {
    return { ...this.summary(this.session(id)), progress: this.progress(id, annotator) };
  }

  private summary(session: SessionRecord): SessionSummary {
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

  /**
   * Ranks the pool and records the session. When the chosen version is the model's current one and has not scored
   * every pool item, those are scored first (a session needs scores to rank by).
   */
  async create(input: SessionCreateInput, ctx: JobContext): Promise<SessionSummary> {
    const { record } = await this.prepareSession(input, ctx);
    await this.serialised(() => this.commit([record]));
    return this.summary(record);
  }

  /**
   * Everything of a new session but its journal record: the pool scored and ranked, the ranking in the store (a
   * ranking nobody's record names is never read). The caller commits the record, alone or with the events it holds.
   */
  private async prepareSession(
    input: SessionCreateInput,
    ctx: JobContext,
  ): Promise<{ record: SessionRecord; inPool: ReadonlySet<string> }> {
    const pkg = this.registry.package(input.model);
    const version = input.version ?? pkg.manifest.version;
    const policyVersion = this.policy.latestVersion();
    this.policy.get(policyVersion); // a damaged policy file stops here, before anything is written
    let scoredForSession = 0;
    if (version === pkg.manifest.version && !UNSCORED_STRATEGIES.includes(input.strategy)) {
      const missing = await countUnscored(this.workspace, input.pool, input.model, version);
      if (missing > 0 && pkg.manifest.kind !== 'distilled_text') {
        // A fusion model reads account features a content row does not carry: its scores come from `sift score`.
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `model: ${input.model} ${version} has not scored ${missing.toLocaleString('en-US')} items of the pool, and a session scores only text models itself. Score them first (sift score --model ${input.model} --sql "…" with its account features), or rank by a text model such as text-distil.`,
        });
      }
      if (missing > 0) {
        ctx.progress(0, `Scoring ${missing.toLocaleString('en-US')} pool items with ${input.model} ${version}`);
        const sql = unscoredContentSql(input.pool, input.model, version, await scoresTableExists(this.workspace));
        const outcome = await scoreQuery(this.workspace, this.registry, { model: input.model, sql }, ctx);
        scoredForSession = outcome.items;
      }
    }
    if (ctx.signal.aborted)
      throw new SiftError({ code: 'CANCELLED', message: 'Session creation cancelled; no session was made.' });
    ctx.progress(null, 'Ranking the pool');
    if (input.strategy === 'errors') await this.syncStore(); // the labels just made count as human labels too
    const pool = await readPool(this.workspace, input.pool, input.model, version, input.strategy === 'errors');
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
    await this.writeRanking(id, version, ranking.items);
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

  /** Stores a ranked pool under its session and model version, on disk before anything that needs it is acknowledged. */
  private async writeRanking(sessionId: string, version: string, items: RankedItem[]): Promise<void> {
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
      await conn.run('CHECKPOINT');
    });
  }

  private ranking(sessionId: string): Promise<Ranked> {
    let ranked = this.rankings.get(sessionId);
    if (!ranked) {
      ranked = this.workspace.withStore(async (conn) => {
        const version = this.session(sessionId).version;
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
      ranked.catch(() => this.rankings.delete(sessionId));
      this.rankings.set(sessionId, ranked);
    }
    return ranked;
  }

  /**
   * The model in the loop: retrains the session's distilled model on the labels so far, re-scores the pool with the
   * new version and re-ranks the session by it. Runs beside labeling; only the final switch is serialised with it.
   */
  async retrain(sessionId: string, ctx: JobContext): Promise<RetrainOutcome> {
    const session = this.session(sessionId);
    if (this.retraining.has(sessionId))
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `Session ${session.name} is already retraining; wait for that to finish.`,
      });
    this.retraining.add(sessionId);
    try {
      const started = performance.now();
      await this.syncStore(); // SQL's labels must include the ones just made
      const committedVersions = new Set(
        [...this.sessions.values()].flatMap((s) =>
          (s.retrains ?? []).filter((r) => r.model === session.model).map((r) => r.version),
        ),
      );
      const trained = await trainNewVersion(
        this.workspace,
        this.registry,
        {
          model: session.model,
          sessionId,
          sessionName: session.name,
          policyVersion: session.policy_version,
          taxonomy: this.policy.get(session.policy_version),
          committedVersions,
        },
        ctx,
      );
      try {
        return await this.finishRetrain(session, trained, started, ctx);
      } finally {
        trained.done();
      }
    } finally {
      this.retraining.delete(sessionId);
    }
  }

  /** Scores and ranks the pool by the new (still unregistered) version, commits the rerank, then registers the version. */
  private async finishRetrain(
    session: SessionRecord,
    trained: TrainedVersion,
    started: number,
    ctx: JobContext,
  ): Promise<RetrainOutcome> {
    const sessionId = session.id;
    const rescoreStarted = performance.now();
    const scoring: JobContext = {
      ...ctx,
      progress: (fraction, message) => ctx.progress(0.45 + 0.45 * (fraction ?? 0), message),
    };
    const scored = await scoreQuery(
      this.workspace,
      this.registry,
      {
        model: session.model,
        package: trained.pkg,
        sql: unscoredContentSql(session.pool, session.model, trained.version, true),
      },
      scoring,
    );
    const rescoreSeconds = (performance.now() - rescoreStarted) / 1000;
    ctx.progress(0.92, 'Re-ranking the pool');
    const pool = await readPool(
      this.workspace,
      session.pool,
      session.model,
      trained.version,
      session.strategy === 'errors',
    );
    const { manifest } = trained.pkg;
    const ranking = rankPool(pool, session.strategy, {
      categories: manifest.categories,
      thresholds: manifest.thresholds,
      critical: manifest.critical ?? DEFAULT_CRITICAL,
      seed: session.seed,
    });
    await this.writeRanking(sessionId, trained.version, ranking.items);
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
    await this.serialised(() => this.commit([record]));
    await this.registerRetrained(outcome);
    return outcome;
  }

  /** Makes a committed retrain's version the model of its name (after the commit, and on open when a kill came between). */
  private async registerRetrained(outcome: RetrainOutcome): Promise<void> {
    if (this.registry.isRegistered(outcome.dir)) return;
    await this.registry.add(outcome.dir);
    const pkg = this.registry.package(outcome.model);
    if (pkg.manifest.version !== outcome.version)
      throw new SiftError({
        code: 'INTERNAL',
        message: `The retrained ${outcome.model} ${outcome.version} was saved in ${outcome.dir} but another folder takes precedence in models.json.`,
      });
  }

  /** The newest committed retrain of each model, registered if a kill came between its commit and its registration. */
  private async finishCommittedRetrains(): Promise<void> {
    const newest = new Map<string, RetrainOutcome>();
    for (const session of this.sessions.values())
      for (const outcome of session.retrains ?? [])
        if ((newest.get(outcome.model)?.at ?? '') < outcome.at) newest.set(outcome.model, outcome);
    for (const outcome of newest.values()) {
      if (this.registry.isRegistered(outcome.dir) || !fs.existsSync(outcome.dir)) continue;
      console.error(
        `sift: a retrain of ${outcome.model} was committed but not registered (a crash came between); registering ${outcome.version} now.`,
      );
      await this.registerRetrained(outcome).catch((error: unknown) =>
        console.error(`sift: could not register ${outcome.dir}:`, error),
      );
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Batches

  /**
   * The batch an annotator works on: the earliest of theirs with an open item (an undo can reopen an earlier batch,
   * and the annotator goes back to it), else their latest.
   */
  private currentBatch(sessionId: string, annotator: string): { batch: BatchRecord; open: boolean } | undefined {
    const all = this.batches.get(sessionId) ?? [];
    const replaced = new Set(all.map((batch) => batch.replaces).filter((id): id is string => id !== undefined));
    const mine = all.filter((batch) => batch.annotator_id === annotator && !replaced.has(batch.id));
    const open = mine.find((batch) => batch.items.some((id) => this.isOpenItem(sessionId, annotator, id)));
    if (open) return { batch: open, open: true };
    const latest = mine.at(-1);
    return latest ? { batch: latest, open: false } : undefined;
  }

  private isOpenItem(sessionId: string, annotator: string, contentId: string): boolean {
    const state = this.logFor(sessionId).item(annotator, contentId);
    return state === undefined || state.status === 'open';
  }

  /** Which items may go into an annotator's next batch, and which skipped items may come back. */
  /**
   * Which items may go into an annotator's next batch, and which skipped items may come back. With overlap k, an item
   * is handed out until k annotators have labeled it (or hold it in an open batch), and never twice to one annotator.
   */
  private eligibility(sessionId: string, annotator: string, alsoExcluded: ReadonlySet<string> = new Set()) {
    const overlap = this.session(sessionId).overlap ?? 1;
    const log = this.logFor(sessionId);
    const claims = new Map<string, number>(); // item → annotators other than this one who labeled it or hold it
    const mine = log.items.get(annotator);
    for (const [who, items] of log.items) {
      if (who === annotator) continue;
      for (const [id, state] of items) if (isDone(state)) claims.set(id, (claims.get(id) ?? 0) + 1);
    }
    // Items waiting in another annotator's open batch are theirs for now — unless they went idle (work stealing:
    // nobody waits on a batch its holder walked away from; their labels still count if they come back to it).
    const all = this.batches.get(sessionId) ?? [];
    const replaced = new Set(all.map((batch) => batch.replaces).filter((id): id is string => id !== undefined));
    for (const batch of all) {
      if (batch.annotator_id === annotator || replaced.has(batch.id) || this.idle(sessionId, batch.annotator_id))
        continue;
      for (const id of batch.items)
        if (this.isOpenItem(sessionId, batch.annotator_id, id)) claims.set(id, (claims.get(id) ?? 0) + 1);
    }
    const full = (id: string) => (claims.get(id) ?? 0) >= overlap;
    const doneByMe = (id: string) => isDone(mine?.get(id));
    const skipped = [...(mine?.values() ?? [])]
      .filter((state) => state.status === 'skipped')
      .sort((a, b) => (a.at! < b.at! ? -1 : 1));
    const skippedIds = new Set(skipped.map((state) => state.contentId));
    const eligible = (id: string) => !full(id) && !doneByMe(id) && !skippedIds.has(id) && !alsoExcluded.has(id);
    const returnable = skipped.map((state) => state.contentId).filter((id) => !full(id) && !alsoExcluded.has(id));
    return { eligible, returnable };
  }

  /** Walks the ranked pool for a batch's worth of eligible, mutually distinct items. */
  private async selectBatch(
    sessionId: string,
    size: number,
    eligible: (id: string) => boolean,
  ): Promise<{ picked: string[]; deferred: number }> {
    const ranked = await this.ranking(sessionId);
    const candidates: string[] = [];
    const texts = new Map<string, string>(); // read once per candidate, however many steps the walk takes
    let cursor = 0;
    let picked: string[] = [];
    let deferred = 0;
    while (picked.length < size && cursor < ranked.ids.length) {
      // Each step reads as many candidates again as the last (at least a few batches' worth): a pool whose top is
      // one campaign of a thousand copies is passed in a few steps, not a thousand.
      const target = candidates.length + Math.max(size * CANDIDATE_WINDOW, candidates.length);
      while (cursor < ranked.ids.length && candidates.length < target) {
        const id = ranked.ids[cursor++]!;
        if (eligible(id)) candidates.push(id);
      }
      for (const [id, text] of await readTexts(
        this.workspace,
        candidates.filter((id) => !texts.has(id)),
      ))
        texts.set(id, text);
      const choice = pickDistinct(
        candidates.map((contentId) => ({ contentId, text: texts.get(contentId) ?? '' })),
        size,
      );
      picked = choice.picked.map((candidate) => candidate.contentId);
      const lastPicked = picked.length > 0 ? candidates.indexOf(picked.at(-1)!) : -1;
      deferred = lastPicked + 1 - picked.length;
      if (cursor >= ranked.ids.length && picked.length < size) {
        // The pool has no distinct item left: its near-duplicates come next (before skipped items), in rank order.
        const extra = choice.deferred.slice(0, size - picked.length).map((candidate) => candidate.contentId);
        picked.push(...extra);
        deferred = Math.max(0, deferred - extra.length);
      }
    }
    return { picked, deferred };
  }

  /** The annotator's open batch, or a new one. Serialised, so two calls never hand out two batches at once. */
  next(sessionId: string, annotator: string): Promise<LabelBatch> {
    this.touch(sessionId, annotator, Date.now()); // asking for work is activity: this annotator's reservations hold
    return this.serialised(async () => {
      const session = this.session(sessionId);
      const working = this.currentBatch(sessionId, annotator);
      // An untouched batch chosen under an older model version gives way to one from the re-ranked pool.
      const stale =
        working?.open &&
        (working.batch.version ?? session.version) !== session.version &&
        working.batch.items.every((id) => this.isOpenItem(sessionId, annotator, id));
      if (working?.open && !stale) {
        this.prepareNext(session, annotator, working.batch);
        return this.describeBatch(session, working.batch, annotator);
      }
      const replaces = stale ? working.batch.id : undefined;
      const size = session.batch_size;
      const { eligible, returnable } = this.eligibility(sessionId, annotator);
      if (replaces) this.prepared.delete(`${sessionId}\u0000${annotator}`);
      const key = `${sessionId}\u0000${annotator}`;
      await this.preparing.get(key); // half-way there is closer than starting over
      const prepared = this.prepared.get(key);
      this.prepared.delete(key);
      let picked: string[];
      let deferred: number;
      // A batch prepared while the last one was labeled holds if every item in it is still eligible.
      if (prepared && prepared.after === working?.batch.id && prepared.picked.every(eligible))
        ({ picked, deferred } = prepared);
      else ({ picked, deferred } = await this.selectBatch(sessionId, size, eligible));
      // Skipped items come back at the end, once everything else is handed out.
      let returning = 0;
      for (const id of returnable) {
        if (picked.length >= size) break;
        picked = [...picked, id];
        returning++;
      }
      if (picked.length === 0) {
        return {
          id: '',
          sessionId,
          annotator,
          items: [],
          deferredDuplicates: 0,
          returningSkipped: 0,
          createdAt: new Date().toISOString(),
          finished: true,
          progress: this.progress(sessionId, annotator),
        };
      }
      const batch: BatchRecord = {
        t: 'batch',
        id: newId('b'),
        session_id: sessionId,
        annotator_id: annotator,
        items: picked,
        deferred,
        returning_skipped: returning,
        created_at: new Date().toISOString(),
        version: session.version,
        ...(replaces ? { replaces } : {}),
      };
      await this.commit([batch]);
      this.prepareNext(session, annotator, batch);
      return this.describeBatch(session, batch, annotator);
    });
  }

  /**
   * While the annotator labels a batch, the one after it is chosen and its context read, so the next batch is on
   * screen without waiting for the pool walk and the context queries. Checked again when it is handed out.
   */
  private prepareNext(session: SessionRecord, annotator: string, batch: BatchRecord): void {
    const key = `${session.id}\u0000${annotator}`;
    if (this.prepared.get(key)?.after === batch.id || this.preparing.has(key)) return;
    const work = (async () => {
      try {
        const { eligible } = this.eligibility(session.id, annotator, new Set(batch.items));
        const { picked, deferred } = await this.selectBatch(session.id, session.batch_size, eligible);
        if (picked.length < session.batch_size) return; // near the end of the pool: chosen fresh, with skipped items
        await this.cacheContext(session, picked);
        this.prepared.set(key, { after: batch.id, picked, deferred });
      } catch {
        // Only a head start: the batch is chosen when asked for.
      } finally {
        this.preparing.delete(key);
      }
    })();
    this.preparing.set(key, work);
  }

  private async cacheContext(session: SessionRecord, ids: string[]): Promise<Map<string, ItemContext>> {
    let cache = this.contexts.get(session.id);
    if (!cache) this.contexts.set(session.id, (cache = new Map()));
    const missing = ids.filter((id) => !cache.has(id));
    if (missing.length > 0) {
      const read = await readItemContext(this.workspace, missing, session.model, session.version);
      // Kept for the batches in play only: an annotator rarely looks further back than the last two.
      if (cache.size > 4 * CONTEXT_CACHE_BATCHES * session.batch_size) cache.clear();
      for (const [id, context] of read) cache.set(id, context);
    }
    return new Map(ids.map((id) => [id, cache.get(id)!]));
  }

  private async describeBatch(session: SessionRecord, batch: BatchRecord, annotator: string): Promise<LabelBatch> {
    const ranked = await this.ranking(session.id);
    const context = await this.cacheContext(session, batch.items);
    const log = this.logFor(session.id);
    const items: BatchItem[] = batch.items.map((id) => {
      const index = ranked.index.get(id) ?? -1;
      return {
        ...context.get(id)!,
        rank: index + 1,
        poolSize: session.pool_size,
        reason: (index >= 0
          ? JSON.parse(ranked.reasons[index]!)
          : { strategy: session.strategy, unscored: true }) as PickReason,
        state: log.item(annotator, id) ?? null,
      };
    });
    return {
      id: batch.id,
      sessionId: session.id,
      annotator,
      items,
      deferredDuplicates: batch.deferred,
      returningSkipped: batch.returning_skipped,
      createdAt: batch.created_at,
      finished: false,
      progress: this.progress(session.id, annotator),
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Label actions

  /** Records one action: on disk (fsynced) before this resolves. */
  async record(sessionId: string, annotator: string, action: LabelAction): Promise<RecordOutcome> {
    return (await this.recordMany(sessionId, annotator, [action]))[0]!;
  }

  /**
   * Records actions in order with one journal append (one fsync): the path both the labeling screen (one action)
   * and `sift labels ingest` (whatever arrived together) take. An invalid action rejects the whole call before
   * anything is written.
   */
  recordMany(sessionId: string, annotator: string, actions: LabelAction[]): Promise<RecordOutcome[]> {
    return this.serialised(async () => {
      const session = this.session(sessionId);
      const taxonomy = this.policy.get(session.policy_version);
      const ranked = await this.ranking(sessionId);
      const log = this.logFor(sessionId);
      // Undo targets among this call's own actions are found on a scratch copy of the order of actions.
      const pendingUndone = new Set<string>();
      const pendingActions: { actionId: string; kind: string; contentId: string | null }[] = [];
      const records: EventRecord[] = [];
      const outcomes: {
        actionId: string;
        eventIds: string[];
        contentId: string | null;
        undone: RecordOutcome['undone'];
      }[] = [];
      actions.forEach((action, index) => {
        const where = actions.length > 1 ? `action ${index + 1}: ` : '';
        const now = new Date().toISOString();
        const actionId = newId('a');
        const base = {
          t: 'event' as const,
          session_id: sessionId,
          annotator_id: annotator,
          policy_version: session.policy_version,
          action_id: actionId,
          strategy: session.strategy,
          created_at: now,
          note: null,
          leaf: null,
          undoes: null,
          category: null,
          value: null,
        };
        if (action.kind === 'undo') {
          let target: { actionId: string; kind: string; contentId: string | null } | null = null;
          for (let i = pendingActions.length - 1; i >= 0 && !target; i--)
            if (!pendingUndone.has(pendingActions[i]!.actionId)) target = pendingActions[i]!;
          if (!target) {
            const logged = log.undoTarget(sessionId, annotator, pendingUndone);
            if (logged) target = { actionId: logged.actionId, kind: logged.kind, contentId: logged.contentId };
          }
          if (!target) {
            outcomes.push({ actionId, eventIds: [], contentId: null, undone: null });
            return;
          }
          pendingUndone.add(target.actionId);
          const eventId = newId('e');
          records.push({
            ...base,
            event_id: eventId,
            content_id: target.contentId,
            kind: 'undo',
            undoes: target.actionId,
          });
          outcomes.push({ actionId, eventIds: [eventId], contentId: target.contentId, undone: target });
          return;
        }
        if (!ranked.index.has(action.contentId)) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}content_id ${action.contentId} is not in session ${sessionId}'s pool.`,
          });
        }
        const eventIds: string[] = [];
        const push = (fields: Partial<EventRecord>) => {
          const eventId = newId('e');
          eventIds.push(eventId);
          records.push({ ...base, ...fields, event_id: eventId, content_id: action.contentId } as EventRecord);
        };
        if (action.kind === 'label' || action.kind === 'adjudicate') {
          const seen = new Set<string>();
          action.labels.forEach((label, i) => {
            const category = taxonomy.categories.find((c) => c.name === label.category);
            if (!category)
              throw new SiftError({
                code: 'BAD_REQUEST',
                message: `${where}labels.${i}.category: "${label.category}" is not a category of policy ${taxonomy.version} (${taxonomy.categories.map((c) => c.name).join(', ')}).`,
              });
            if (seen.has(label.category))
              throw new SiftError({
                code: 'BAD_REQUEST',
                message: `${where}labels.${i}.category: "${label.category}" is labeled twice in one action.`,
              });
            seen.add(label.category);
            const leaf = label.leaf ?? null;
            if (leaf !== null) {
              if (!category.leaves.some((l) => l.name === leaf))
                throw new SiftError({
                  code: 'BAD_REQUEST',
                  message: `${where}labels.${i}.leaf: "${leaf}" is not a leaf of ${category.name} in policy ${taxonomy.version}${category.leaves.length ? ` (${category.leaves.map((l) => l.name).join(', ')})` : ' (it has none)'}.`,
                });
              if (label.value !== 1)
                throw new SiftError({
                  code: 'BAD_REQUEST',
                  message: `${where}labels.${i}.leaf: a leaf is chosen only when the category applies (value 1).`,
                });
            }
            push({
              kind: action.kind,
              category: label.category,
              value: String(label.value),
              leaf,
              note: i === 0 ? (action.note ?? null) : null,
            });
          });
        } else if (action.kind === 'skip') {
          push({ kind: 'skip' });
        } else if (action.kind === 'unsure') {
          push({ kind: 'unsure', note: action.note ?? null });
        } else {
          push({ kind: 'note', note: action.note });
        }
        pendingActions.push({ actionId, kind: action.kind, contentId: action.contentId });
        outcomes.push({ actionId, eventIds, contentId: action.contentId, undone: null });
      });
      if (records.length > 0) await this.commit(records);
      const progress = this.progress(sessionId, annotator);
      return outcomes.map((outcome) => ({
        ...outcome,
        item: outcome.contentId === null ? null : (log.item(annotator, outcome.contentId) ?? null),
        progress,
      }));
    });
  }

  /**
   * Imports label events made elsewhere (a label pack, a Label Studio export) into a session, keeping their ids and
   * annotators; events already in the journal are left alone. Every event is checked first — item in the pool,
   * category and leaf in the policy, the session's policy version, an undo only of its author's own action made
   * before it in this session, no event joining another annotator's action — and one bad event refuses the whole file.
   * Events take their places in the journal in the order given; the times they state never order them.
   */
  importEvents(sessionId: string, events: PackEvent[], source: string): Promise<LabelImportOutcome> {
    return this.serialised(async () => {
      const session = this.session(sessionId);
      const ranked = await this.ranking(sessionId);
      const records = this.eventRecords(session, ranked.index, events, source);
      if (records.length > 0) await this.commit(records);
      return this.importOutcome(sessionId, source, events, records);
    });
  }

  private importOutcome(
    sessionId: string,
    source: string,
    events: PackEvent[],
    records: EventRecord[],
  ): LabelImportOutcome {
    return {
      sessionId,
      source,
      events: events.length,
      imported: records.length,
      alreadyPresent: events.length - records.length,
      annotators: [...new Set(records.map((record) => record.annotator_id))].sort(),
    };
  }

  /** The journal records of imported events the journal lacks, each checked against the session; one bad event refuses them all. */
  private eventRecords(
    session: SessionRecord,
    inPool: { has(id: string): boolean },
    events: PackEvent[],
    source: string,
  ): EventRecord[] {
    const sessionId = session.id;
    const taxonomy = this.policy.get(session.policy_version);
    const fresh = events.filter((event) => !this.eventIds.has(event.event_id));
    const seen = new Set<string>();
    const records: EventRecord[] = [];
    // The actions this import makes, in order: an undo in it may name one made above it.
    const importedOwners = new Map<string, { annotator: string; session: string | null }>();
    const ownerOf = (actionId: string) => importedOwners.get(actionId) ?? this.actionOwners.get(actionId);
    fresh.forEach((event, index) => {
      const where = `${source} ${event.line !== undefined ? `line ${event.line}` : `event ${events.indexOf(event) + 1}`} (${event.event_id})`;
      if (seen.has(event.event_id)) return; // the same event twice in one file
      seen.add(event.event_id);
      const actionId = event.action_id ?? event.event_id;
      if (event.kind === 'undo') {
        // An undo reverses its author's own action, in this session, made before it.
        const owner = event.undoes ? ownerOf(event.undoes) : undefined;
        if (!event.undoes || !owner || owner.session !== sessionId) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: an undo of ${event.undoes ? `action ${event.undoes}, which is not an action of session ${sessionId} made before it` : 'no action (undoes is empty)'}.`,
          });
        }
        if (owner.annotator !== event.annotator_id) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: "${event.annotator_id}" undoes action ${event.undoes}, which is "${owner.annotator}"'s; an undo may only reverse its author's own actions.`,
          });
        }
      } else {
        const owner = ownerOf(actionId);
        if (owner && (owner.annotator !== event.annotator_id || owner.session !== sessionId)) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: action_id ${actionId} is an action of "${owner.annotator}" already in this workspace; an event by "${event.annotator_id}" cannot join it.`,
          });
        }
        if (!owner) importedOwners.set(actionId, { annotator: event.annotator_id, session: sessionId });
      }
      if (event.policy_version !== session.policy_version) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: made under policy ${event.policy_version}; session ${sessionId} labels under ${session.policy_version}. Import it into a session of that policy.`,
        });
      }
      if (!inPool.has(event.content_id))
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: content_id ${event.content_id} is not in session ${sessionId}'s pool.`,
        });
      let value: string | null = null;
      if (event.kind === 'label' || event.kind === 'adjudicate') {
        const category = taxonomy.categories.find((c) => c.name === event.category);
        if (!category)
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: category "${event.category ?? ''}" is not in policy ${taxonomy.version}.`,
          });
        value = String(event.value ?? '');
        if (value !== '0' && value !== '1')
          throw new SiftError({ code: 'BAD_REQUEST', message: `${where}: value must be 0 or 1, not "${value}".` });
        if (event.leaf && !category.leaves.some((leaf) => leaf.name === event.leaf))
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${where}: "${event.leaf}" is not a leaf of ${category.name}.`,
          });
      }
      void index;
      records.push({
        t: 'event',
        event_id: event.event_id,
        session_id: sessionId,
        content_id: event.content_id,
        annotator_id: event.annotator_id,
        category: event.kind === 'label' || event.kind === 'adjudicate' ? event.category! : null,
        value,
        policy_version: event.policy_version,
        kind: event.kind,
        created_at: new Date(event.created_at).toISOString(),
        action_id: actionId,
        leaf: event.leaf ?? null,
        note: event.note ?? null,
        undoes: event.undoes ?? null,
        strategy: session.strategy,
      } as EventRecord);
    });
    return records;
  }

  /**
   * The adjudication queue: items of the session whose annotators disagree on a category nobody adjudicated — outvoted
   * or tied (voteOutcomeSql); a tie is no label until someone decides it.
   */
  async disagreements(sessionId: string): Promise<Disagreements> {
    this.session(sessionId);
    await this.syncStore();
    const rows = await this.workspace.withConnection(async (conn) =>
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
    const texts = await readTexts(this.workspace, [...new Set(rows.map((row) => String(row[0])))]);
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

  /**
   * Carries the labels made under the previous policy version to `to` (the latest by default) by its declared
   * changes: determined ones become events under `to` in a session "Carried over to policy <to>"; the items whose
   * labels a change leaves undetermined go into a session "Relabel under policy <to>" — the relabel queue. Event ids
   * derive from the labels carried, so running it twice adds nothing. All-or-nothing: the sessions, the carried
   * events and a `migration` record are one journal append (see labelJournal.ts), so a run killed at any point
   * either did all of it or left nothing, and running it again finishes the job.
   */
  async migratePolicy(to: string | undefined, ctx: JobContext): Promise<PolicyMigration> {
    const target = to ?? this.policy.latestVersion();
    const next = this.policy.get(target);
    const number = policyVersionNumber(target);
    if (number < 2)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `to: ${target} is the first policy version; there is nothing to carry over to it.`,
      });
    const from = `v${number - 1}`;
    this.policy.get(from);
    await this.syncStore();
    // What is carried is decided by the labels made under `from` alone, which the migration never changes: a run
    // killed part way and run again decides the same events (their ids derive from them) and writes the rest. An
    // annotator who has labeled an item under `to` herself is not carried over on it.
    const labels = await this.workspace.withStore(async (conn) =>
      (
        await conn.runAndReadAll(
          `WITH human_to AS (SELECT DISTINCT content_id, annotator_id FROM label_events WHERE policy_version = $to AND NOT starts_with(event_id, '${CARRY_PREFIX}-'))
           SELECT content_id, annotator_id, category, value, leaf, kind, event_id
           FROM (${currentLabelsSql('(SELECT * FROM label_events WHERE policy_version = $from)')}) ANTI JOIN human_to USING (content_id, annotator_id)
           ORDER BY content_id, annotator_id, category`,
          { from, to: target },
        )
      ).getRowsJson(),
    );
    // Per item and annotator: their values under the old version (a merge needs the siblings).
    const groups = new Map<
      string,
      {
        contentId: string;
        annotator: string;
        kind: string;
        labels: { category: string; value: 0 | 1; leaf: string | null; eventId: string }[];
      }
    >();
    for (const [contentId, annotator, category, value, leaf, kind, eventId] of labels) {
      const key = `${contentId}\u0000${annotator}\u0000${kind}`;
      const group = groups.get(key) ?? {
        contentId: String(contentId),
        annotator: String(annotator),
        kind: String(kind),
        labels: [],
      };
      group.labels.push({
        category: String(category),
        value: value === '1' ? 1 : 0,
        leaf: leaf === null ? null : String(leaf),
        eventId: String(eventId),
      });
      groups.set(key, group);
    }
    const carried: PackEvent[] = [];
    const relabel = new Map<string, string>(); // item → why
    for (const group of groups.values()) {
      const siblings = Object.fromEntries(group.labels.map((label) => [label.category, label.value]));
      const actionId = stableId(CARRY_PREFIX, from, target, group.contentId, group.annotator, group.kind);
      for (const label of group.labels) {
        for (const outcome of carryOver(label, next, siblings)) {
          if (outcome.kind === 'relabel') {
            if (!relabel.has(group.contentId)) relabel.set(group.contentId, outcome.because);
            continue;
          }
          carried.push({
            event_id: stableId(CARRY_PREFIX, from, target, label.eventId, outcome.category),
            action_id: actionId,
            annotator_id: group.annotator,
            content_id: group.contentId,
            kind: group.kind as 'label' | 'adjudicate',
            category: outcome.category,
            value: String(outcome.value),
            leaf: outcome.leaf,
            note: `carried over from ${from}: ${outcome.because}`,
            undoes: null,
            policy_version: target,
            created_at: new Date().toISOString(),
          });
        }
      }
    }
    // A merge carries one merged value per item, annotator and kind, however many parts said so.
    const decided = [
      ...new Map(
        carried.map((event) => [
          `${event.content_id}\u0000${event.annotator_id}\u0000${event.kind}\u0000${event.category}`,
          event,
        ]),
      ).values(),
    ];
    const unique = decided.filter((event) => !this.eventIds.has(event.event_id));
    const model = (await this.registry.list()).find((info) => !info.error && info.kind === 'distilled_text');
    const carriedName = `Carried over to policy ${target}`;
    const relabelName = `Relabel under policy ${target}`;
    const earlier = (name: string) =>
      [...this.sessions.values()].filter((session) => session.name === name && session.policy_version === target);
    const newSession = (name: string, ids: string[], strategy: 'random' | 'relabel') =>
      this.prepareSession(
        {
          name,
          pool: `SELECT content_id FROM content WHERE content_id::VARCHAR IN (${ids.map(quoteLiteral).join(', ')})`,
          model: model!.name,
          strategy,
          batchSize: 20,
        },
        ctx,
      );
    // Everything the migration writes goes to the journal in one append, after the rankings are in the store: a kill
    // before it leaves no trace a re-run could trip on (it redoes the migration), a kill after it leaves it done.
    const records: JournalRecord[] = [];
    let carriedSession = earlier(carriedName).at(-1)?.id ?? null;
    let carriedEvents: EventRecord[] = [];
    if (unique.length > 0 && model) {
      const items = [...new Set(unique.map((event) => event.content_id))];
      // Into the last such session when its pool holds every item (labels changed under the old version since), else a new one.
      const last = earlier(carriedName).at(-1);
      const lastPool = last ? (await this.ranking(last.id)).index : null;
      const into =
        last && lastPool && items.every((id) => lastPool.has(id))
          ? { record: last, inPool: lastPool }
          : await newSession(carriedName, items, 'random');
      if (into.record !== last) records.push(into.record);
      carriedEvents = this.eventRecords(into.record, into.inPool, unique, `policy ${from} → ${target}`);
      records.push(...carriedEvents);
      carriedSession = into.record.id;
    }
    // Items an earlier run queued for relabeling stay in that session; only new ones make a new one.
    const queued = new Set<string>();
    for (const session of earlier(relabelName)) for (const id of (await this.ranking(session.id)).ids) queued.add(id);
    const toQueue = [...relabel.keys()].filter((id) => !queued.has(id));
    let relabelSession = earlier(relabelName).at(-1)?.id ?? null;
    if (toQueue.length > 0 && model) {
      const { record } = await newSession(relabelName, toQueue, 'relabel');
      records.push(record);
      relabelSession = record.id;
    }
    if (ctx.signal.aborted)
      throw new SiftError({ code: 'CANCELLED', message: 'Policy migration cancelled; nothing was carried over.' });
    if (records.length > 0) {
      const done: MigrationRecord = {
        t: 'migration',
        from,
        to: target,
        carried: carriedEvents.length,
        relabel: toQueue.length,
        carried_session: carriedSession,
        relabel_session: relabelSession,
        at: new Date().toISOString(),
      };
      await this.serialised(() => this.commit([...records, done]));
    }
    return {
      from,
      to: target,
      carried: decided.length,
      alreadyCarried: decided.length - unique.length,
      relabel: relabel.size,
      carriedSession,
      relabelSession,
      reasons: [...new Set(relabel.values())],
    };
  }

  /** What a dataset manifest records of each session. */
  sessionFacts(ids: string[]): {
    id: string;
    name: string;
    strategy: string;
    pool: string;
    model: string;
    version: string;
    policyVersion: string;
  }[] {
    return ids.map((id) => {
      const session = this.session(id);
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

  progress(sessionId: string, annotator: string): SessionProgress {
    const session = this.session(sessionId);
    const log = this.logFor(sessionId);
    // With overlap k an item is done once k annotators have labeled it.
    const overlap = session.overlap ?? 1;
    const labels = new Map<string, number>();
    let doneByAnnotator = 0;
    let skipped = 0;
    for (const [who, items] of log.items) {
      for (const [id, state] of items) {
        if (isDone(state)) {
          labels.set(id, (labels.get(id) ?? 0) + 1);
          if (who === annotator) doneByAnnotator++;
        }
      }
    }
    const done = new Set([...labels.entries()].filter(([, n]) => n >= overlap).map(([id]) => id));
    for (const state of log.items.get(annotator)?.values() ?? [])
      if (state.status === 'skipped' && !done.has(state.contentId)) skipped++;
    const batch = this.currentBatch(sessionId, annotator)?.batch;
    const pace = labelingPace(
      log.actions
        .filter((a) => a.annotatorId === annotator && !a.undone && (a.kind === 'label' || a.kind === 'unsure'))
        .map((a) => a.at),
    );
    return {
      annotator,
      done: done.size,
      doneByAnnotator,
      skipped,
      remaining: Math.max(0, session.ranked - done.size),
      total: session.ranked,
      batch: batch
        ? {
            id: batch.id,
            done: batch.items.filter((id) => !this.isOpenItem(sessionId, annotator, id)).length,
            size: batch.items.length,
          }
        : null,
      ...pace,
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Export

  /** Writes the session's audit trail (every event, undos included) to a file: temporary name, then rename. */
  async exportEvents(
    sessionId: string | undefined,
    format: LabelExportOutcome['format'],
    target: string | undefined,
    annotator?: string,
  ): Promise<LabelExportOutcome> {
    if (sessionId === undefined && format !== 'label-studio')
      throw new SiftError({ code: 'BAD_REQUEST', message: 'sessionId: name the session whose trail to export.' });
    if (sessionId !== undefined) this.session(sessionId);
    const extension = format === 'ndjson' ? 'ndjson' : format === 'label-studio' ? 'label-studio.json' : format;
    const who = annotator ? `-${annotator.replace(/[^\p{L}\p{N}_.-]+/gu, '_')}` : '';
    const resolved = this.workspace.checkExportTarget(
      target ?? path.join(this.workspace.exportsDir(), `labels-${sessionId ?? 'all'}${who}.${extension}`),
      'path',
    );
    const dir = path.dirname(resolved);
    if (!fs.existsSync(dir))
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `Cannot export to ${resolved}: the folder ${dir} does not exist.`,
        file: resolved,
      });
    await this.syncStore();
    const partial = path.join(dir, `.${path.basename(resolved)}.${process.pid}-${randomUUID().slice(0, 8)}.partial`);
    const filter = [
      ...(sessionId !== undefined ? [`session_id = ${quoteLiteral(sessionId)}`] : []),
      ...(annotator ? [`annotator_id = ${quoteLiteral(annotator)}`] : []),
      'true',
    ].join(' AND ');
    try {
      let events: number;
      if (format === 'label-studio') {
        const rows = await this.workspace.withStore(async (conn) =>
          (
            await conn.runAndReadAll(
              `SELECT content_id, annotator_id, category, value, leaf, strftime(created_at, '%Y-%m-%dT%H:%M:%S') FROM (${CURRENT_LABELS_SQL}) WHERE ${filter} ORDER BY content_id, annotator_id, category`,
            )
          ).getRowsJson(),
        );
        const texts = await readTexts(this.workspace, [...new Set(rows.map((row) => String(row[0])))]);
        const tasks = labelStudioTasks(
          rows.map(([contentId, annotatorId, category, value, leaf, createdAt]) => ({
            contentId: String(contentId),
            text: texts.get(String(contentId)) ?? null,
            annotator: String(annotatorId),
            category: String(category),
            value: String(value),
            leaf: leaf === null ? null : String(leaf),
            createdAt: `${String(createdAt)}Z`,
          })),
        );
        fs.writeFileSync(partial, `${JSON.stringify(tasks, null, 1)}\n`);
        events = (tasks as { annotations: unknown[] }[]).reduce((sum, task) => sum + task.annotations.length, 0);
      } else {
        const options =
          format === 'csv'
            ? 'FORMAT csv, HEADER true'
            : format === 'parquet'
              ? "FORMAT parquet, COMPRESSION 'zstd'"
              : 'FORMAT json';
        events = await this.workspace.withStore(async (conn) => {
          const columns = LABEL_EVENT_COLUMNS.map(([name]) => name).join(', ');
          const events = `SELECT ${columns} FROM label_events WHERE ${filter} ORDER BY seq NULLS FIRST, created_at, event_id`;
          // CSV is for people (a spreadsheet): notes and ids that look like formulas are neutralised; Parquet and JSON keep them raw.
          const source = format === 'csv' ? await spreadsheetSafeSelect(conn, events) : events;
          const outcome = await conn.run(
            `COPY (${source}) TO ${quoteLiteral(partial)} (${options}, USE_TMP_FILE false)`,
          );
          return Number(outcome.rowsChanged);
        });
      }
      fs.renameSync(partial, resolved);
      return { path: resolved, format, events };
    } finally {
      fs.rmSync(partial, { force: true });
    }
  }

  /**
   * Reads a pack or a Label Studio export and imports it: into the session named, else into a new session over the
   * file's items (random order, the workspace's distilled text model), for a team arriving with its labels.
   */
  async importFile(
    sessionId: string | undefined,
    file: string,
    format: 'pack' | 'label-studio',
    ctx?: JobContext,
  ): Promise<LabelImportOutcome> {
    const policy = this.policy.get(sessionId ? this.session(sessionId).policy_version : this.policy.latestVersion());
    const events = format === 'pack' ? readPack(file) : labelStudioEvents(file, policy);
    if (sessionId) return this.importEvents(sessionId, events, path.basename(file));
    const source = path.basename(file);
    const name = `Imported from ${source}`.slice(0, 200);
    const ids = [...new Set(events.map((event) => event.content_id))];
    const pool = `SELECT content_id FROM content WHERE content_id::VARCHAR IN (${ids.map(quoteLiteral).join(', ')})`;
    // The session an earlier import of this file made: importing again goes into it (adding nothing when that import
    // was whole), never into a second, empty one.
    const earlier = [...this.sessions.values()].find(
      (session) => session.name === name && session.pool === pool && session.policy_version === policy.version,
    );
    if (earlier) return this.importEvents(earlier.id, events, source);
    const models = (await this.registry.list()).filter((model) => !model.error && model.kind === 'distilled_text');
    const model = models.find((m) => m.name === 'text-distil') ?? models[0];
    if (!model)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: 'There is no text model to order a new session by; name a session to import into (--session ID).',
      });
    const { record, inPool } = await this.prepareSession(
      { name, pool, model: model.name, strategy: 'random', batchSize: 20 },
      ctx ?? { signal: new AbortController().signal, progress: () => undefined, log: () => undefined },
    );
    // The new session and its events are one append: a kill leaves both or neither.
    return this.serialised(async () => {
      const records = this.eventRecords(record, inPool, events, source);
      await this.commit([record, ...records]);
      return this.importOutcome(record.id, source, events, records);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    await this.queue;
    await this.syncStore().catch((error: unknown) =>
      console.error('[sift] label store sync on close failed (the journal keeps every event):', error),
    );
    this.closed = true;
    await this.journal.close();
  }
}
