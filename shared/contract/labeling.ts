/** Labeling sessions: the policy taxonomy, sessions and their batches, label actions, and the audit trail's export. */
import { z } from 'zod/v3';
import { type BacktestOutcome, CUT_FORMS, parseCut } from '../backtest.js';
import type { ItemLabelState, Strategy } from '../labeling.js';
import type { PickReason } from '../labelingRanking.js';
import { STRATEGIES } from '../labeling.js';
import { policyVersionName, type Taxonomy } from '../taxonomy.js';
import { empty, job, method, nonEmpty } from './base.js';

export type { BacktestCategory, BacktestFigures, BacktestOutcome } from '../backtest.js';
export type { ItemLabelState, PickReason, Strategy, Taxonomy };

export interface SessionProgress {
  annotator: string;
  /** Items of the pool labeled or marked unsure, by anyone in the session. */
  done: number;
  /** Of those, by this annotator. */
  doneByAnnotator: number;
  /** Items this annotator skipped that are not yet labeled: they come back at the end. */
  skipped: number;
  /** Items of the ranked pool not yet done. */
  remaining: number;
  total: number;
  batch: { id: string; done: number; size: number } | null;
  itemsPerHour: number | null;
  medianSecondsPerItem: number | null;
}

export interface RetrainCategory {
  category: string;
  heldOutPositives: number;
  heldOutNegatives: number;
  /** Average precision on the held-out items: the model before the retrain, and after. Null with a reason when undefined. */
  apBefore: number | null;
  apAfter: number | null;
  reason?: string;
}

export interface RetrainOutcome {
  sessionId: string;
  model: string;
  fromVersion: string;
  version: string;
  /** Items the new version was trained on, and how many of them carry people's labels. */
  trainedOn: number;
  humanLabeled: number;
  /** Labeled items kept out of training (a fixed fifth, by content id) to measure the change. */
  heldOut: number;
  dir: string;
  categories: RetrainCategory[];
  rescored: number;
  ranked: number;
  seconds: { train: number; rescore: number; total: number };
  at: string;
}

export interface SessionSummary {
  id: string;
  name: string;
  pool: string;
  model: string;
  version: string;
  strategy: Strategy;
  batchSize: number;
  overlap: number;
  /** Minutes of inactivity after which an annotator's reserved items return to the pool. */
  idleMinutes: number;
  seed: number;
  policyVersion: string;
  createdAt: string;
  createdBy: string | null;
  /** Items the pool query returned. */
  poolSize: number;
  /** Items in the ranked order (the pool less what the strategy excludes, e.g. errors: items the model gets right). */
  ranked: number;
  excluded: number;
  /** Items the model version had not scored: ranked last, never dropped. */
  unscored: number;
  /** Items scored for this session because the model version had not scored them yet. */
  scoredForSession: number;
  /** Each retrain of the model in the loop, oldest first; the session ranks by the latest version. */
  retrains: RetrainOutcome[];
  progress?: SessionProgress;
}

export interface BatchItem {
  contentId: string;
  rank: number;
  poolSize: number;
  reason: PickReason;
  text: string | null;
  surface: string | null;
  language: string | null;
  contentType: string | null;
  createdAt: string | null;
  /** Days between the author's account creation and this upload. */
  accountAgeDays: number | null;
  reports: { count: number; reasons: Record<string, number> };
  priorActions: { action: string; category: string | null; actorType: string | null; createdAt: string }[];
  /** The session's model version's scores for the item; null when it has none. */
  scores: Record<string, number> | null;
  /** What this annotator has recorded for the item so far (null: nothing yet). */
  state: ItemLabelState | null;
}

export interface LabelBatch {
  id: string;
  sessionId: string;
  annotator: string;
  items: BatchItem[];
  /** Near-duplicates of items in this batch left for later batches (never dropped). */
  deferredDuplicates: number;
  /** Items in this batch that the annotator skipped before and that came back at the end. */
  returningSkipped: number;
  createdAt: string;
  /** No item is left to hand out: the session is finished for this annotator. */
  finished: boolean;
  progress: SessionProgress;
}

export interface RecordOutcome {
  actionId: string;
  eventIds: string[];
  /** The item the action was about (for undo: the item it restored). */
  contentId: string | null;
  item: ItemLabelState | null;
  /** For undo: what was undone (null when there was nothing left to undo). */
  undone: { actionId: string; kind: string; contentId: string | null } | null;
  progress: SessionProgress;
}

export interface AgreementReport {
  /** The sessions whose labels were compared (empty: every label in the workspace). */
  sessions: string[];
  /** Below this alpha a category is flagged: its policy text likely needs work. */
  floor: number;
  categories: {
    /** A category, or "<category> › leaf" for its second taxonomy level (which leaf; 0 when it does not apply). */
    category: string;
    level: 'category' | 'leaf';
    /** Each annotator's agreement with the adjudicated decision, on the items that have one. */
    vsAdjudicated: { annotator: string; items: number; agreement: number | null }[];
    items: number;
    raters: number;
    /** Items with two or more labels. */
    pairableItems: number;
    krippendorffAlpha: number | null;
    krippendorffReason?: string;
    /** Over the items with the most common number of labels (`fleissRaters`), as the statistic needs an equal count. */
    fleissKappa: number | null;
    fleissRaters: number | null;
    fleissItems: number;
    fleissReason?: string;
    cohen: { a: string; b: string; items: number; kappa: number | null; reason?: string }[];
    belowFloor: boolean;
  }[];
}

/** Labels carried from the previous policy version to a new one, and the relabel queue for the rest. */
export interface PolicyMigration {
  from: string;
  to: string;
  /**
   * Label events the migration carries to the new version: the same number however often it runs, or was killed and
   * run again (the labels under the old version decide them).
   */
  carried: number;
  /** Of those, the ones an earlier run (whole, or killed part way) had written already: this run wrote the rest. */
  alreadyCarried: number;
  /** Items whose labels a change leaves undetermined: in the relabel session. */
  relabel: number;
  carriedSession: string | null;
  relabelSession: string | null;
  /** Why items went to the relabel queue. */
  reasons: string[];
}

/** Items annotators disagree on that nobody has adjudicated yet: the adjudication queue. */
export interface Disagreements {
  sessionId: string;
  items: {
    contentId: string;
    text: string | null;
    /** Every category someone labeled on this item, contested or not, with each annotator's choice. */
    categories: {
      category: string;
      contested: boolean;
      votes: { annotator: string; value: 0 | 1; leaf: string | null }[];
    }[];
  }[];
}

export interface LabelExportOutcome {
  path: string;
  format: 'ndjson' | 'csv' | 'parquet' | 'label-studio';
  /** Events written (Label Studio: annotations). */
  events: number;
}

export interface LabelImportOutcome {
  sessionId: string;
  source: string;
  /** Events in the file. */
  events: number;
  /** Events added to the journal; the rest were there already (an import twice adds nothing). */
  imported: number;
  alreadyPresent: number;
  annotators: string[];
}

export const annotatorName = z
  .string({ message: 'annotator must be a string' })
  .min(1, 'annotator must not be empty')
  .max(64, 'annotator is at most 64 characters')
  .regex(/^[\p{L}\p{N}_.@ -]+$/u, 'annotator is letters, digits, space, _ . @ -');

const contentId = nonEmpty('contentId').max(512);
const note = z.string().max(4000, 'a note is at most 4,000 characters');

const categoryLabels = z
  .array(
    z
      .object({
        category: nonEmpty('category'),
        value: z.union([z.literal(0), z.literal(1)]),
        leaf: z.string().min(1).nullable().optional(),
      })
      .strict(),
  )
  .min(1, 'a label action labels at least one category');

export const labelActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('label'), contentId, labels: categoryLabels, note: note.optional() }).strict(),
  /** An adjudicator's decision where annotators disagree: its own event, and what the item's training label becomes. */
  z.object({ kind: z.literal('adjudicate'), contentId, labels: categoryLabels, note: note.optional() }).strict(),
  z.object({ kind: z.literal('skip'), contentId }).strict(),
  z.object({ kind: z.literal('unsure'), contentId, note: note.optional() }).strict(),
  z.object({ kind: z.literal('note'), contentId, note }).strict(),
  z.object({ kind: z.literal('undo') }).strict(),
]);
export type LabelAction = z.output<typeof labelActionSchema>;

export const sessionCreateSchema = z
  .object({
    name: nonEmpty('name').max(200),
    /** A query over `content` returning content_id: the items the session may hand out. */
    pool: nonEmpty('pool'),
    model: nonEmpty('model'),
    /** Defaults to the model's current version. */
    version: z.string().min(1).optional(),
    strategy: z.enum(STRATEGIES),
    batchSize: z.number().int().min(1, 'batchSize is at least 1').max(500, 'batchSize is at most 500'),
    /** Annotators per item: each item is handed out until this many have labeled it (agreement needs at least 2). */
    overlap: z.number().int().min(1, 'overlap is at least 1').max(20, 'overlap is at most 20').optional(),
    /** Work stealing: items reserved by an annotator idle this long (no label, no new batch) go back to the pool. */
    idleMinutes: z
      .number()
      .min(0.01, 'idleMinutes is more than 0')
      .max(24 * 60, 'idleMinutes is at most a day')
      .optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    createdBy: annotatorName.optional(),
  })
  .strict();
export type SessionCreateInput = z.output<typeof sessionCreateSchema>;

const sessionAndAnnotator = z.object({ sessionId: nonEmpty('sessionId'), annotator: annotatorName }).strict();

export const labelingMethods = {
  /** The policy taxonomy (the latest version unless one is named) and the versions the workspace holds. */
  'taxonomy.get': method<{ taxonomy: Taxonomy; versions: string[]; file: string }>()(
    z.object({ version: policyVersionName().optional() }).strict(),
  ),
  'sessions.list': method<SessionSummary[]>()(empty),
  /** A job (scoring the pool can take a while). */
  'sessions.create': job<SessionSummary>()(sessionCreateSchema),
  'sessions.get': method<SessionSummary>()(sessionAndAnnotator),
  /** The annotator's open batch, or a new one when every item of the last is labeled or skipped. */
  'sessions.next': method<LabelBatch>()(sessionAndAnnotator),
  /**
   * Retrains the distilled model on the labels so far (a fixed fifth held out), saves it as a new version, re-scores
   * the pool and re-ranks the session by it. The annotator keeps labeling meanwhile.
   */
  /** A job (progress, cancel). */
  'sessions.retrain': job<RetrainOutcome>()(z.object({ sessionId: nonEmpty('sessionId') }).strict()),
  /**
   * The time backtest: the session's recipe trained on content created before `cut`, judged on labeled content at or
   * after it, beside the same recipe cross-validated before it (shared/backtest.ts). A job; saves nothing.
   */
  'sessions.backtest': job<BacktestOutcome>()(
    z
      .object({
        sessionId: nonEmpty('sessionId'),
        cut: z.string({ message: 'cut must be a string' }).refine(
          (value) => parseCut(value) !== null,
          (value) => ({ message: `cut: "${value}" is not ${CUT_FORMS}` }),
        ),
      })
      .strict(),
  ),
  /** Appends an action to the label journal; resolves only once it is on disk. */
  'labels.record': method<RecordOutcome>()(sessionAndAnnotator.extend({ action: labelActionSchema }).strict()),
  /**
   * Records actions in order as one durable append (`sift labels ingest`'s group commit); one invalid action
   * refuses the whole call before anything is written.
   */
  'labels.recordMany': method<RecordOutcome[]>()(
    sessionAndAnnotator.extend({ actions: z.array(labelActionSchema).min(1).max(10_000) }).strict(),
  ),
  /** Agreement per category over the current labels of the sessions named (all sessions when none is). */
  /** Carries labels to a new policy version by its declared changes and queues the rest for relabeling. */
  'policy.migrate': method<PolicyMigration>()(z.object({ to: policyVersionName().optional() }).strict()),
  /** The adjudication queue of a session: items with a category annotators disagree on and nobody adjudicated. */
  'labels.disagreements': method<Disagreements>()(z.object({ sessionId: nonEmpty('sessionId') }).strict()),
  'labels.agreement': method<AgreementReport>()(
    z.object({ sessions: z.array(nonEmpty('sessions')).max(1000).default([]) }).strict(),
  ),
  'labels.export': method<LabelExportOutcome>()(
    z
      .object({
        /** The session's trail; Label Studio tasks may instead cover every session's current labels (none named). */
        sessionId: nonEmpty('sessionId').optional(),
        format: z.enum(['ndjson', 'csv', 'parquet', 'label-studio']).default('ndjson'),
        path: z.string().min(1).optional(),
        /** Only this annotator's events: their label pack, for a lead to import elsewhere. */
        annotator: annotatorName.optional(),
      })
      .strict()
      .refine((input) => input.sessionId !== undefined || input.format === 'label-studio', {
        message: 'sessionId is required (only a Label Studio export may cover every session)',
        path: ['sessionId'],
      }),
  ),
  /** Imports a label pack (NDJSON events, as exported) or a Label Studio JSON export into a session. */
  'labels.import': method<LabelImportOutcome>()(
    /** Without a session, a new one is made over the file's items. */
    z
      .object({
        sessionId: nonEmpty('sessionId').optional(),
        path: nonEmpty('path'),
        format: z.enum(['pack', 'label-studio']).default('pack'),
      })
      .strict(),
  ),
} as const;
