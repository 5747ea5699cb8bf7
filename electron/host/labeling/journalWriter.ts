/**
 * The one way into the label journal. The labeling service's parts change labeling only through `exclusive` (or
 * `append`, which is `exclusive` around one commit); nothing else holds the journal.
 */
import type { LabelingRecord } from './journalRecords.js';
import type { LabelJournal } from './labelJournal.js';
import type { LabelingState } from './labelingState.js';
import type { LabelStoreSync } from './storeSync.js';

/** Appends records durably, then applies them; only work run by `JournalWriter.exclusive` is handed one. */
export type Commit = (records: LabelingRecord[]) => Promise<void>;

/**
 * Two invariants are kept here.
 * - One writer: changes run one at a time, in the order they were asked for, so each sees every change before it
 *   (an undo finds the action it reverses, a batch sees the items just handed out, an import the ids just written).
 * - Acknowledged ⇒ on disk: a commit resolves only once the journal has written and fsynced its records (all of them
 *   or, after a crash, none: LabelJournal.append), and only then are they applied to the state; a call is answered
 *   after its commit, so nothing it acknowledged can be lost. The store follows later (storeSync.ts).
 */
export class JournalWriter {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly journal: LabelJournal,
    private readonly state: LabelingState,
    private readonly store: LabelStoreSync,
  ) {}

  /** Runs `work` after every change asked for before it, and before any asked for after; `commit` appends. */
  exclusive<T>(work: (commit: Commit) => Promise<T>): Promise<T> {
    const run = this.queue.then(
      () => work(this.commit),
      () => work(this.commit),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Appends records as one change (one append: all of them or none). */
  append(records: LabelingRecord[]): Promise<void> {
    return this.exclusive((commit) => commit(records));
  }

  /** Resolves once every change asked for so far is done. */
  async drained(): Promise<void> {
    await this.queue;
  }

  close(): Promise<void> {
    return this.journal.close();
  }

  private readonly commit: Commit = async (records) => {
    await this.journal.append(records);
    this.state.apply(records);
    const events = records.filter((record) => record.t === 'event');
    this.store.appended(events, { records: this.state.records, bytes: this.journal.bytes });
  };
}
