/**
 * The label journal's records, one discriminated union on `t`: every kind the labeling service writes. Replay
 * (LabelingState.apply) switches over it exhaustively, so a new kind does not compile until replay handles it.
 */
import { randomBytes } from 'node:crypto';
import type { RetrainOutcome } from '../../../shared/contract.js';
import type { LabelEvent, Strategy } from '../../../shared/labeling.js';

/** A labeling session: its pool, the model version that ranks it, and its ranking's counts (the ranking is in the store). */
export interface SessionRecord {
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

/** A retrain's commit: the session ranks by the new version from here on. */
export interface RerankRecord {
  t: 'rerank';
  session_id: string;
  version: string;
  ranked: number;
  excluded: number;
  unscored: number;
  outcome: RetrainOutcome;
}

/** Items handed to an annotator. */
export interface BatchRecord {
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

/** One label event (shared/labeling.ts); its `seq` is its place in the journal, set on replay, never written. */
export interface EventRecord extends LabelEvent {
  t: 'event';
}

/** A policy migration, written in the same append as the sessions and events it made: its record is its being done. */
export interface MigrationRecord {
  t: 'migration';
  from: string;
  to: string;
  carried: number;
  relabel: number;
  carried_session: string | null;
  relabel_session: string | null;
  at: string;
}

export type LabelingRecord = SessionRecord | RerankRecord | BatchRecord | EventRecord | MigrationRecord;

/** Every kind, checked by the compiler against the union (a kind missing here or not in it fails to compile). */
const RECORD_KINDS: Record<LabelingRecord['t'], true> = {
  session: true,
  rerank: true,
  batch: true,
  event: true,
  migration: true,
};

/**
 * Whether a line read from the journal is one of the records above. The journal is written by this service alone,
 * so a line's kind vouches for its fields; a line of any other kind is passed over by replay, as it always was.
 */
export function isLabelingRecord(line: unknown): line is LabelingRecord {
  return (
    typeof line === 'object' &&
    line !== null &&
    't' in line &&
    typeof line.t === 'string' &&
    Object.hasOwn(RECORD_KINDS, line.t)
  );
}

/** For the `default` of an exhaustive switch over the union: a kind it lacks is a compile error there. */
export function unhandledRecord(record: never): never {
  throw new Error(`A label journal record of an unknown kind: ${JSON.stringify(record)}`);
}

let idCounter = 0;
/** Sortable within a process (time, then a counter), unique across processes (random tail). */
export function newId(prefix: string): string {
  idCounter = (idCounter + 1) % 36 ** 5;
  return `${prefix}${Date.now().toString(36).padStart(9, '0')}${idCounter.toString(36).padStart(5, '0')}${randomBytes(3).toString('hex')}`;
}
