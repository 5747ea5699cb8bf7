/** Folder feeds (issue 24): landing folders whose new files are appended to a table, each once, whole or not at all. */
import { z } from 'zod/v3';
import { MAX_SETTLE_MS, patternProblem } from '../feedRules.js';
import type { ImportFormat } from './import.js';
import { method, nonEmpty, tableName } from './base.js';

/** What became of one file a feed saw. */
export type FeedFileStatus = 'taken' | 'duplicate' | 'failed';

export interface FeedFileRecord {
  /** The folder of the feed that saw it. */
  dir: string;
  path: string;
  table: string;
  size: number;
  sha256: string;
  status: FeedFileStatus;
  /** Rows appended (taken), else null. */
  rows: number | null;
  /** Failed: the file and the problem, in words. */
  error: string | null;
  /** Duplicate: the file already taken with the same content. */
  duplicateOf: string | null;
  at: string;
}

export interface FeedInfo {
  dir: string;
  table: string;
  pattern: string;
  /** null: each file's format from its name and first bytes, as `sift import` does. */
  format: ImportFormat | null;
  settleMs: number;
  createdAt: string;
  /** Files taken, skipped as duplicates, and set aside as bad, and the rows the taken ones brought. */
  taken: number;
  duplicates: number;
  failed: number;
  rows: number;
  /** The latest outcomes, newest first (at most 20). */
  recent: FeedFileRecord[];
}

/** Host events on the `feed` channel: one per file a feed decided about. */
export type FeedEvent = { type: FeedFileStatus } & Pick<
  FeedFileRecord,
  'dir' | 'path' | 'table' | 'rows' | 'error' | 'duplicateOf'
>;

const pattern = z
  .string()
  .min(1, 'pattern must not be empty')
  .superRefine((value, ctx) => {
    const problem = patternProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const feedMethods = {
  /** Registers a landing folder (or changes the feed of that folder). The owner's only (shared/callerAccess.ts). */
  'watch.add': method<FeedInfo>()(
    z
      .object({
        dir: nonEmpty('dir'),
        table: tableName,
        pattern: pattern.optional(),
        format: z.enum(['csv', 'parquet', 'json']).optional(),
        settleMs: z.number().int().min(0).max(MAX_SETTLE_MS).optional(),
      })
      .strict(),
  ),
  /** Stops watching a folder (removed: null when none watched it); the rows it brought and its record stay. */
  'watch.remove': method<{ removed: FeedInfo | null }>()(z.object({ dir: nonEmpty('dir') }).strict()),
  'watch.list': method<FeedInfo[]>()(z.object({}).strict()),
} as const;
