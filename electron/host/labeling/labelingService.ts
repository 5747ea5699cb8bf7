/**
 * Labeling sessions over one workspace, as one service composed of its parts. The label journal (labelJournal.ts)
 * is the durable record: sessions, batches and label events are appended there through its one writer
 * (journalWriter.ts, which keeps "one writer" and "acknowledged ⇒ on disk"), and everything else follows from it —
 * the state in memory the labeling screen reads (labelingState.ts, which keeps the replay order), Sift's store that
 * SQL reads (storeSync.ts), and each session's ranked pool, stored before the record naming it (sessionRankings.ts).
 *
 * The parts: sessions.ts (making and reading sessions), batches.ts, recording.ts (every event enters here, checked),
 * importExport.ts, retrainSession.ts (the model in the loop), backtest.ts (its time backtest), policyMigration.ts and
 * progress.ts.
 */
import path from 'node:path';
import type {
  Disagreements,
  LabelAction,
  LabelBatch,
  LabelExportOutcome,
  LabelImportOutcome,
  PolicyMigration,
  RecordOutcome,
  RetrainOutcome,
  SessionCreateInput,
  SessionProgress,
  SessionSummary,
} from '../../../shared/contract.js';
import type { BacktestOutcome } from '../../../shared/backtest.js';
import type { LabelEvent } from '../../../shared/labeling.js';
import type { Taxonomy } from '../../../shared/taxonomy.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { SIFT_DIR, type Workspace } from '../workspace/workspace.js';
import { backtestSession } from './backtest.js';
import { Batches } from './batches.js';
import { ImportExport } from './importExport.js';
import { JournalWriter } from './journalWriter.js';
import type { LabelingCore } from './labelingCore.js';
import { LabelingState } from './labelingState.js';
import type { PackEvent } from './labelInterchange.js';
import { JOURNAL_FILE, LabelJournal } from './labelJournal.js';
import { PolicyStore } from './policy.js';
import { migratePolicy } from './policyMigration.js';
import { sessionProgress } from './progress.js';
import { Recording } from './recording.js';
import { SessionRetraining } from './retrainSession.js';
import { SessionRankings } from './sessionRankings.js';
import { type SessionFacts, Sessions } from './sessions.js';
import { LabelStoreSync } from './storeSync.js';

export class LabelingService {
  readonly policy: PolicyStore;
  private readonly sessions: Sessions;
  private readonly batches: Batches;
  private readonly recording: Recording;
  private readonly interchange: ImportExport;
  private readonly retraining: SessionRetraining;
  private closed = false;

  private constructor(private readonly core: LabelingCore) {
    this.policy = core.policy;
    this.sessions = new Sessions(core);
    this.batches = new Batches(core);
    this.recording = new Recording(core);
    this.interchange = new ImportExport(core, this.sessions, this.recording);
    this.retraining = new SessionRetraining(core);
  }

  /** Replays the journal, brings the store up to it, and registers a retrain a kill left committed but unregistered. */
  static async open(workspace: Workspace, registry: ModelRegistry): Promise<LabelingService> {
    const { journal, records } = LabelJournal.open(path.join(workspace.dir, SIFT_DIR, JOURNAL_FILE));
    try {
      const policy = new PolicyStore(workspace.dir);
      policy.ensure();
      const state = new LabelingState();
      const events = state.replay(records);
      await SessionRankings.ensureTable(workspace);
      const store = await LabelStoreSync.open(workspace, { records: state.records, bytes: journal.bytes }, events);
      const service = new LabelingService({
        workspace,
        registry,
        policy,
        state,
        store,
        writer: new JournalWriter(journal, state, store),
        rankings: new SessionRankings(workspace, state),
      });
      await service.retraining.finishCommitted();
      return service;
    } catch (error) {
      await journal.close();
      throw error;
    }
  }

  /** Whether the journal holds records the store has not applied (a kill came between an append and the sync). */
  static journalAhead(workspace: Workspace): Promise<boolean> {
    return LabelStoreSync.journalAhead(workspace);
  }

  // Sessions

  taxonomy(version?: string): { taxonomy: Taxonomy; versions: string[]; file: string } {
    return this.sessions.taxonomy(version);
  }

  list(): SessionSummary[] {
    return this.sessions.list();
  }

  get(id: string, annotator: string): SessionSummary {
    return this.sessions.get(id, annotator);
  }

  create(input: SessionCreateInput, ctx: JobContext): Promise<SessionSummary> {
    return this.sessions.create(input, ctx);
  }

  /** What a dataset manifest records of each session. */
  sessionFacts(ids: string[]): SessionFacts[] {
    return this.sessions.facts(ids);
  }

  /** Of these items, those never handed to this annotator in a batch: an annotator's token sees media of hers only. */
  notHandedTo(annotator: string, contentIds: readonly string[]): string[] {
    return this.core.state.notHandedTo(annotator, contentIds);
  }

  progress(sessionId: string, annotator: string): SessionProgress {
    return sessionProgress(this.core.state, sessionId, annotator);
  }

  disagreements(sessionId: string): Promise<Disagreements> {
    return this.sessions.disagreements(sessionId);
  }

  retrain(sessionId: string, ctx: JobContext): Promise<RetrainOutcome> {
    return this.retraining.retrain(sessionId, ctx);
  }

  /** The session's recipe trained before a cut and judged after it, beside in time (backtest.ts); saves nothing. */
  backtest(sessionId: string, cut: string, ctx: JobContext): Promise<BacktestOutcome> {
    return backtestSession(this.core, sessionId, cut, ctx);
  }

  // Batches and labels

  next(sessionId: string, annotator: string): Promise<LabelBatch> {
    return this.batches.next(sessionId, annotator);
  }

  /** Records one action (answered after its commit: journalWriter.ts). */
  async record(sessionId: string, annotator: string, action: LabelAction): Promise<RecordOutcome> {
    return (await this.recording.recordMany(sessionId, annotator, [action]))[0]!;
  }

  recordMany(sessionId: string, annotator: string, actions: LabelAction[]): Promise<RecordOutcome[]> {
    return this.recording.recordMany(sessionId, annotator, actions);
  }

  // Labels in and out

  exportEvents(
    sessionId: string | undefined,
    format: LabelExportOutcome['format'],
    target: string | undefined,
    annotator?: string,
  ): Promise<LabelExportOutcome> {
    return this.interchange.exportEvents(sessionId, format, target, annotator);
  }

  importFile(
    sessionId: string | undefined,
    file: string,
    format: 'pack' | 'label-studio',
    ctx?: JobContext,
  ): Promise<LabelImportOutcome> {
    return this.interchange.importFile(sessionId, file, format, ctx);
  }

  importEvents(sessionId: string, events: PackEvent[], source: string): Promise<LabelImportOutcome> {
    return this.interchange.importEvents(sessionId, events, source);
  }

  migratePolicy(to: string | undefined, ctx: JobContext): Promise<PolicyMigration> {
    return migratePolicy({ core: this.core, sessions: this.sessions, recording: this.recording }, to, ctx);
  }

  /** Label events journaled but perhaps not yet in the store (it follows the journal within seconds). */
  unsyncedEvents(): readonly LabelEvent[] {
    return this.core.store.unsynced();
  }

  /** Brings the store (and SQL's snapshot) up to the journal now, rather than once labeling pauses. */
  syncStore(): Promise<void> {
    return this.core.store.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const { store, writer } = this.core;
    store.cancelScheduled();
    await writer.drained();
    await this.batches.settle();
    await store
      .sync()
      .catch((error: unknown) =>
        console.error('[sift] label store sync on close failed (the journal keeps every event):', error),
      );
    store.stop();
    this.closed = true;
    await writer.close();
  }
}
