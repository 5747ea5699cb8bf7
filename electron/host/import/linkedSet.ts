/**
 * A linked import of many files (issue 24): a glob pattern (`landing/*.csv`, `exports/**\/*.parquet`) or a folder of
 * Parquet files, read with hive partitioning (`year=2024/month=03/part-0.parquet` gives columns year and month). The
 * view reads whatever matches each time it is queried, inside the folders SQL may read (docs/safety.md: the data
 * engine's allow-lists still decide what a read may open; a pattern reaching Sift's own folder is refused here too).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SiftError } from '../../../shared/errors.js';
import type { ImportFormat } from '../../../shared/contract.js';
import { quoteLiteral, SIFT_DIR, type Workspace } from '../workspace/workspace.js';
import type { ReadPlan } from './readPlan.js';
import { tableNameFor } from './readPlan.js';

const GLOB_CHARACTERS = /[*?[\]]/;

export interface LinkedSet {
  /** The pattern (a folder becomes `folder/**\/*.parquet`), as recorded. */
  pattern: string;
  plan: ReadPlan;
  /** The default table name: the folder's. */
  table: string;
}

/** Whether a linked import names many files: a folder, or a pattern that is not itself an existing file's name. */
export function isLinkedSet(file: string): boolean {
  const stat = fs.statSync(path.resolve(file), { throwIfNoEntry: false });
  if (stat) return stat.isDirectory();
  return GLOB_CHARACTERS.test(file);
}

export function planLinkedSet(workspace: Workspace, file: string): LinkedSet {
  const resolved = path.resolve(file);
  const segments = resolved.split(path.sep);
  const firstGlob = segments.findIndex((segment) => GLOB_CHARACTERS.test(segment));
  const folder = firstGlob < 0 ? resolved : segments.slice(0, firstGlob).join(path.sep) || path.sep;
  workspace.checkReadable(folder, 'path', 'folder');
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new SiftError({ code: 'IMPORT_NOT_FOUND', message: `${folder}: no such folder.`, file: folder });
  if (segments.includes(SIFT_DIR) || workspace.isOwnFile(folder))
    throw new SiftError({ code: 'BAD_REQUEST', message: `${resolved}: reaches Sift's own folder.`, file: resolved });
  const pattern = firstGlob < 0 ? path.join(resolved, '**', '*.parquet') : resolved;
  const format = firstGlob < 0 ? 'parquet' : formatOf(resolved);
  const literal = quoteLiteral(pattern);
  const source =
    format === 'parquet'
      ? `read_parquet(${literal}, hive_partitioning = true, union_by_name = true)`
      : format === 'json'
        ? `read_json_auto(${literal}, format = 'auto', union_by_name = true, maximum_object_size = 67108864)`
        : `read_csv(${literal}, union_by_name = true)`;
  return { pattern, plan: { format, source, bytes: 0 }, table: tableNameFor(folder) };
}

function formatOf(pattern: string): ImportFormat {
  const extension = path.extname(pattern).toLowerCase();
  if (extension === '.parquet' || extension === '.pq') return 'parquet';
  if (['.json', '.ndjson', '.jsonl'].includes(extension)) return 'json';
  if (['.csv', '.tsv', '.txt', '.tab'].includes(extension)) return 'csv';
  throw new SiftError({
    code: 'BAD_REQUEST',
    message: `${pattern}: a linked pattern names its files' extension (such as *.csv, *.parquet or *.json), so Sift knows how to read them.`,
    file: pattern,
  });
}

/** DuckDB's message for a pattern nothing matches, in Sift's words. */
export function noMatchError(error: unknown, pattern: string): SiftError | null {
  const message = error instanceof Error ? error.message : String(error);
  if (!/No files found that match the pattern/i.test(message)) return null;
  return new SiftError({ code: 'IMPORT_NOT_FOUND', message: `${pattern}: no file matches.`, file: pattern });
}
