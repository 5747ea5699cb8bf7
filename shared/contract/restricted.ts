/**
 * Restricted media (shared/restrictedMedia.ts): the owner's approval of a reveal per item and reviewer, the audit log
 * of every reveal, the retention setting that purges the bytes, and the dataset versions that hold such bytes.
 * Who may call what is in shared/callerAccess.ts: a reviewer (an annotator's token) asks and reads her own items'
 * standing; everything else is the owner's.
 */
import { z } from 'zod/v3';
import { MAX_RETENTION_DAYS, type restrictedReexport } from '../restrictedMedia.js';
import { empty, method, nonEmpty } from './base.js';
import { annotatorName } from './labeling.js';

export type ApprovalState = 'none' | 'requested' | 'approved';

export interface RestrictedStanding {
  contentId: string;
  /** A current label puts the item (or another item with the same bytes) in a critical-severity leaf. */
  restricted: boolean;
  /** This reviewer's approval for the item. */
  approval: ApprovalState;
  /** The bytes were purged under the retention setting: hashes and labels remain. */
  purged: boolean;
}

export interface RestrictedApproval {
  contentId: string;
  reviewer: string;
  state: Exclude<ApprovalState, 'none'>;
  requestedAt: string | null;
  reason: string | null;
  approvedAt: string | null;
}

/** One reveal: restricted bytes served as they are (not the shielded rendition). */
export interface RevealRecord {
  at: string;
  reviewer: string;
  contentId: string;
  position: number;
  rendition: string;
}

export interface RetentionSetting {
  /** Days restricted bytes are kept (from registration or restriction, whichever is later); null: kept. */
  days: number | null;
}

export interface PurgeOutcome {
  /** Each purged file's SHA-256 with the items that carried it. */
  purged: { sha256: string; contentIds: string[] }[];
  /** Restricted media still held, and when each is due (null: no retention set). */
  kept: number;
}

export type RestrictedReexport = ReturnType<typeof restrictedReexport>;

/** One restricted media file (by SHA-256) and the items carrying it. */
export interface RestrictedMediaFile {
  sha256: string;
  contentIds: string[];
  /** `purged`: the bytes are gone under the retention setting; hashes and labels remain. */
  status: string;
  restrictedSince: string;
  /** When the retention setting purges its bytes (null: no retention set, or purged already). */
  purgeDueAt: string | null;
}

const contentId = nonEmpty('contentId').max(512);
const reviewer = z
  .string({ message: 'reviewer must be a string' })
  .min(1, 'reviewer must not be empty')
  .max(64, 'reviewer is at most 64 characters');

export const restrictedMethods = {
  /** Each item's standing for the calling reviewer (an annotator sees only her own approvals). */
  'restricted.standing': method<RestrictedStanding[]>()(
    z
      .object({
        contentIds: z.array(contentId).max(500, 'at most 500 items at a time'),
        annotator: annotatorName.optional(),
      })
      .strict(),
  ),
  /** A reviewer asks the owner to approve revealing one item (it matters once the item is restricted). */
  'restricted.request': method<RestrictedApproval>()(
    z.object({ contentId, annotator: annotatorName.optional(), reason: z.string().max(1000).optional() }).strict(),
  ),
  /** Requests and approvals, pending first (the owner's). */
  'restricted.approvals': method<RestrictedApproval[]>()(empty),
  'restricted.approve': method<RestrictedApproval>()(z.object({ contentId, reviewer }).strict()),
  'restricted.revoke': method<{ revoked: boolean }>()(z.object({ contentId, reviewer }).strict()),
  /** Every reveal of restricted media, latest first. */
  'restricted.audit': method<RevealRecord[]>()(
    z.object({ limit: z.number().int().min(1).max(100_000).default(1000) }).strict(),
  ),
  'restricted.retention.get': method<RetentionSetting>()(empty),
  'restricted.retention.set': method<RetentionSetting>()(
    z.object({ days: z.number().int().min(1).max(MAX_RETENTION_DAYS).nullable() }).strict(),
  ),
  /** Purges the bytes of restricted media past the retention (also checked when the workspace opens). */
  'restricted.purge': method<PurgeOutcome>()(empty),
  /**
   * Every restricted media file. The dataset versions holding their bytes are datasets.holdingMedia's answer for these
   * SHA-256s; a new version without the bytes is datasets.export (restrictedReexport in shared/restrictedMedia.ts
   * makes its input from the old manifest) and the old one's removal datasets.delete: a version is never rewritten.
   */
  'restricted.files': method<RestrictedMediaFile[]>()(empty),
  /** The datasets.export input for the next version after the one in `dir` (restrictedReexport of its manifest). */
  'restricted.reexportInput': method<RestrictedReexport>()(z.object({ dir: nonEmpty('dir') }).strict()),
} as const;
