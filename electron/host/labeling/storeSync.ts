/**
 * Sift's store follows the label journal: `label_events` (which SQL reads through its snapshot) receives the
 * journal's events a second after labeling pauses, and catches up on open. The journal stays the record: a kill
 * between an append and the store's sync loses nothing, since the store is brought up to the journal again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { timestampValue } from '@duckdb/node-api';
import { LABEL_EVENT_COLUMNS } from '../../../shared/canonical.js';
import type { LabelEvent } from '../../../shared/labeling.js';
import { SIFT_DIR, type Workspace } from '../workspace/workspace.js';
import type { EventRecord } from './journalRecords.js';
import { JOURNAL_FILE } from './labelJournal.js';

/** store_layout's record that journaled events in the store carry their place in the journal (`seq`). */
const SEQ_KEY = 'label_seq';

const STORE_DDL = `
  CREATE TABLE IF NOT EXISTS journal_sync (records BIGINT NOT NULL);
  ALTER TABLE journal_sync ADD COLUMN IF NOT EXISTS bytes BIGINT;`;

/**
 * SQL's copy of the labels follows the journal once labeling pauses for a second (at most five seconds behind):
 * rewriting the snapshot on every keystroke would take CPU from the annotator's screen.
 */
const STORE_SYNC_IDLE_MS = 1000;
const STORE_SYNC_MAX_DELAY_MS = 5000;

/** How far the journal has come: its records and its length in bytes then. */
export interface JournalMark {
  records: number;
  bytes: number;
}

/**
 * The store's side of "the store follows the journal": `journal_sync` records how many of the journal's records the
 * store has applied (and the journal's length then), in the same transaction as the events, and events are inserted
 * by id — so a sync a crash interrupted is redone whole, and an event applied before a lost mark is not doubled.
 */
export class LabelStoreSync {
  private pending: EventRecord[];
  /** The events a sync is writing now: out of `pending`, not yet committed. */
  private inFlight: readonly EventRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private due: number | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly workspace: Workspace,
    /** The journal as far as it has been appended. */
    private journal: JournalMark,
    /** How many of the journal's records the store has applied. */
    private appliedRecords: number,
    pending: EventRecord[],
  ) {
    this.pending = pending;
  }

  /** Brings the store up to the journal just replayed (`events`: every event in it, each with its `seq`). */
  static async open(
    workspace: Workspace,
    journal: JournalMark,
    events: readonly EventRecord[],
  ): Promise<LabelStoreSync> {
    await workspace.withStore((conn) => conn.run(STORE_DDL));
    const [applied, appliedBytes] = await workspace.withStore(
      async (conn) =>
        (await conn.runAndReadAll('SELECT coalesce(max(records), 0), max(bytes) FROM journal_sync')).getRowsJson()[0]!,
    );
    let appliedRecords = Number(applied);
    if (appliedRecords > journal.records) appliedRecords = 0; // a journal restored from an older backup: re-apply by id
    const pending = events.filter((event) => (event.seq ?? 0) > appliedRecords);
    const store = new LabelStoreSync(workspace, journal, appliedRecords, pending);
    if (pending.length > 0 || appliedRecords !== journal.records) await store.sync();
    // Caught up, but the mark lacks the journal's length (a store from before it was kept): record it for journalAhead.
    else if (appliedBytes === null || Number(appliedBytes) !== journal.bytes)
      await workspace.withStore((conn) => conn.run(`UPDATE journal_sync SET bytes = ${journal.bytes}`));
    await store.numberStoredEvents(events);
    return store;
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

  /** The journal has made `events` durable and now stands at `journal`: the store follows shortly. */
  appended(events: readonly EventRecord[], journal: JournalMark): void {
    for (const event of events) this.pending.push(event); // one at a time: an ingest can append many thousands
    this.journal = journal;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.due ??= now + STORE_SYNC_MAX_DELAY_MS;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.due = null;
        void this.sync().catch((error: unknown) =>
          console.error(
            '[sift] label store sync failed (the journal keeps every event; it is retried on open):',
            error,
          ),
        );
      },
      Math.min(STORE_SYNC_IDLE_MS, this.due - now),
    );
  }

  /** Drops a sync scheduled but not begun (the caller syncs itself). */
  cancelScheduled(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** No sync is scheduled from here on (the service is closing). */
  stop(): void {
    this.cancelScheduled();
    this.stopped = true;
  }

  /**
   * The journal's events the store may not hold yet (at most a few seconds' worth): what a rule that must not wait
   * for the store (restricted media, electron/host/media/restrictedAccess.ts) reads beside it.
   */
  unsynced(): readonly LabelEvent[] {
    return [...this.inFlight, ...this.pending];
  }

  /** Inserts the journal's events the store lacks, records how far it got, and refreshes SQL's snapshot. */
  sync(): Promise<void> {
    const run = this.syncing.then(async () => {
      const events = this.pending;
      const { records: upTo, bytes: upToBytes } = this.journal;
      if (events.length === 0 && upTo === this.appliedRecords) return;
      this.pending = [];
      this.inFlight = events;
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
        this.pending = [...events, ...this.pending];
        throw error;
      } finally {
        this.inFlight = [];
      }
      this.appliedRecords = upTo;
      await this.workspace.refreshLabelSnapshot();
    });
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /**
   * Stores from before `seq` hold journaled events without their place in the journal: numbered once, from the
   * journal itself (recorded in store_layout), and SQL's copy rewritten.
   */
  private async numberStoredEvents(events: readonly EventRecord[]): Promise<void> {
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
        for (const event of events) {
          appender.appendVarchar(String(event.event_id));
          appender.appendBigInt(BigInt(event.seq!));
          appender.endRow();
        }
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
}
