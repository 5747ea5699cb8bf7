/**
 * What the label journal says, in memory: the sessions, the batches handed out, each session's LabelLog (the
 * current labels, shared/labeling.ts), when each annotator was last active, every event id and who made each action.
 * Nothing here is written anywhere: it is rebuilt from the journal on every open.
 */
import { SiftError } from '../../../shared/errors.js';
import { DEFAULT_IDLE_MINUTES, LabelLog } from '../../../shared/labeling.js';
import type { JournalRecord } from './labelJournal.js';
import {
  type BatchRecord,
  type EventRecord,
  isLabelingRecord,
  type LabelingRecord,
  type SessionRecord,
  unhandledRecord,
} from './journalRecords.js';

/** Who made an action, and in which session: an imported undo may reverse only its author's own. */
export interface ActionOwner {
  annotator: string;
  session: string | null;
}

/** A session and an annotator, as one key of the maps kept per annotator in a session. */
export const annotatorKey = (sessionId: string, annotator: string) => `${sessionId}\u0000${annotator}`;

export class LabelingState {
  readonly sessions = new Map<string, SessionRecord>();
  private readonly batches = new Map<string, BatchRecord[]>();
  private readonly logs = new Map<string, LabelLog>();
  /** When each annotator last did something in a session (a label, a batch): reservations of the idle lapse. */
  private readonly lastActive = new Map<string, number>();
  /** Every event id in the journal: imported packs are matched against it, so an import twice adds nothing. */
  readonly eventIds = new Set<string>();
  readonly actionOwners = new Map<string, ActionOwner>();
  /** Told of each rerank, so what was read under the session's old version (its ranking, contexts) is dropped. */
  private readonly rerankListeners: ((sessionId: string) => void)[] = [];
  /** How many of the journal's records this state has applied (every kind counts, known or not). */
  private applied = 0;

  /** The number of journal records applied: the journal's, once `replay` and every `apply` since have run. */
  get records(): number {
    return this.applied;
  }

  /**
   * Replay order is kept here. Every record, replayed from the journal at open (`replay`) or just appended
   * (`apply`), is applied once, in journal order, and an event's `seq` is its place in the journal (1-based,
   * counting every record). The store and SQL order labels by that `seq`, so SQL and the labeling screen agree.
   * Returns the events replayed, each with its `seq`.
   */
  replay(lines: readonly JournalRecord[]): EventRecord[] {
    const events: EventRecord[] = [];
    for (const line of lines) {
      const place = ++this.applied;
      if (!isLabelingRecord(line)) continue;
      this.applyRecord(line, place);
      if (line.t === 'event') events.push(line);
    }
    return events;
  }

  /** Applies records the journal has just made durable, after every record before them (see `replay`). */
  apply(records: readonly LabelingRecord[]): void {
    for (const record of records) this.applyRecord(record, ++this.applied);
  }

  onRerank(listener: (sessionId: string) => void): void {
    this.rerankListeners.push(listener);
  }

  private applyRecord(record: LabelingRecord, place: number): void {
    switch (record.t) {
      case 'session':
        this.sessions.set(record.id, record);
        return;
      case 'batch': {
        const list = this.batches.get(record.session_id) ?? [];
        list.push(record);
        this.batches.set(record.session_id, list);
        this.touch(record.session_id, record.annotator_id, Date.parse(record.created_at));
        return;
      }
      case 'rerank': {
        const session = this.sessions.get(record.session_id);
        if (!session) return;
        Object.assign(session, {
          version: record.version,
          ranked: record.ranked,
          excluded: record.excluded,
          unscored: record.unscored,
          retrains: [...(session.retrains ?? []), record.outcome],
        });
        for (const listener of this.rerankListeners) listener(session.id);
        return;
      }
      case 'event':
        record.seq = place;
        this.eventIds.add(record.event_id);
        if (record.kind !== 'undo' && !this.actionOwners.has(record.action_id))
          this.actionOwners.set(record.action_id, { annotator: record.annotator_id, session: record.session_id });
        if (record.session_id) {
          this.logFor(record.session_id).apply(record);
          this.touch(record.session_id, record.annotator_id, Date.parse(record.created_at));
        }
        return;
      case 'migration':
        return; // the migration's sessions and events, appended with it, carry everything it did
      default:
        unhandledRecord(record);
    }
  }

  session(id: string): SessionRecord {
    const session = this.sessions.get(id);
    if (!session)
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `There is no labeling session ${id}. Sessions here: ${[...this.sessions.keys()].join(', ') || 'none yet'}.`,
      });
    return session;
  }

  logFor(sessionId: string): LabelLog {
    let log = this.logs.get(sessionId);
    if (!log) this.logs.set(sessionId, (log = new LabelLog()));
    return log;
  }

  touch(sessionId: string, annotator: string, at: number): void {
    const key = annotatorKey(sessionId, annotator);
    if (Number.isFinite(at) && at > (this.lastActive.get(key) ?? 0)) this.lastActive.set(key, at);
  }

  /** Whether an annotator has been idle in a session longer than its reservations last. */
  idle(sessionId: string, annotator: string): boolean {
    const minutes = this.session(sessionId).idle_minutes ?? DEFAULT_IDLE_MINUTES;
    return Date.now() - (this.lastActive.get(annotatorKey(sessionId, annotator)) ?? 0) > minutes * 60_000;
  }

  /** A session's batches in the order handed out, less those a later batch replaced. */
  liveBatches(sessionId: string): BatchRecord[] {
    const all = this.batches.get(sessionId) ?? [];
    const replaced = new Set(all.map((batch) => batch.replaces).filter((id): id is string => id !== undefined));
    return all.filter((batch) => !replaced.has(batch.id));
  }

  /** Of these items, those in no live batch handed to this annotator, in any session (media her token may not see). */
  notHandedTo(annotator: string, contentIds: readonly string[]): string[] {
    const missing = new Set(contentIds);
    for (const sessionId of this.sessions.keys()) {
      for (const batch of this.liveBatches(sessionId)) {
        if (batch.annotator_id !== annotator) continue;
        for (const id of batch.items) missing.delete(id);
        if (missing.size === 0) return [];
      }
    }
    return [...missing];
  }

  /**
   * The batch an annotator works on: the earliest of theirs with an open item (an undo can reopen an earlier batch,
   * and the annotator goes back to it), else their latest.
   */
  currentBatch(sessionId: string, annotator: string): { batch: BatchRecord; open: boolean } | undefined {
    const mine = this.liveBatches(sessionId).filter((batch) => batch.annotator_id === annotator);
    const open = mine.find((batch) => batch.items.some((id) => this.isOpenItem(sessionId, annotator, id)));
    if (open) return { batch: open, open: true };
    const latest = mine.at(-1);
    return latest ? { batch: latest, open: false } : undefined;
  }

  isOpenItem(sessionId: string, annotator: string, contentId: string): boolean {
    const state = this.logFor(sessionId).item(annotator, contentId);
    return state === undefined || state.status === 'open';
  }
}
