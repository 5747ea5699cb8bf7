/** Importing files and mapping them onto canonical tables. */
import { z } from 'zod/v3';
import type { MappingSuggestion } from '../canonical.js';
import { type Cell, empty, method, nonEmpty, tableName } from './base.js';
import type { ColumnInfo } from './workspace.js';

export interface CsvDialect {
  delimiter: string;
  header: boolean;
  encoding: 'utf-8' | 'utf-16' | 'latin-1';
}

export type ImportFormat = 'csv' | 'parquet' | 'json';

export interface ImportPreview {
  path: string;
  format: ImportFormat;
  suggestedTable: string;
  csv?: CsvDialect;
  columns: ColumnInfo[];
  rows: Cell[][];
  bytes: number;
  suggestions: MappingSuggestion[];
  /** The first bad row in the file's first megabyte (a strict import stops there; one that skips bad rows sets it aside). */
  problem?: string;
}

export interface ImportOutcome {
  table: string;
  rows: number;
  linked: boolean;
  format: ImportFormat;
  path: string;
  elapsedMs: number;
  /** With skipBadRows: rows set aside, and the table that holds them (line, raw text, reason) when there are any. */
  rejected?: number;
  rejectsTable?: string;
  /** Canonical views this import let Sift add (a Discourse export's content, reports, moderation_actions). */
  canonicalViews?: string[];
}

export interface SavedMapping {
  sourceTable: string;
  canonicalTable: string;
  columns: Record<string, string | null>;
  savedAt: string;
  /** whenTaken 'replace': the name the old table was kept under. */
  backupTable?: string;
  /** whenTaken 'append': rows added to the existing table (the mapping is applied once, not kept as a view). */
  appendedRows?: number;
}

export const importMethods = {
  'import.inspect': method<ImportPreview>()(z.object({ path: nonEmpty('path') }).strict()),
  'import.start': method<{ jobId: string }>()(
    z
      .object({
        path: nonEmpty('path'),
        table: tableName.optional(),
        link: z.boolean().optional(),
        replace: z.boolean().optional(),
        encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).optional(),
        skipBadRows: z.boolean().optional(),
      })
      .strict(),
  ),
  'mapping.list': method<SavedMapping[]>()(empty),
  'mapping.save': method<SavedMapping>()(
    z
      .object({
        sourceTable: tableName,
        canonicalTable: nonEmpty('canonicalTable'),
        columns: z.record(z.string(), z.string().nullable()),
        /**
         * When the canonical name is already a table (say, the sample's content): replace it, keeping the old one
         * under a backup name, or append the source's rows to it with the mapping applied.
         */
        whenTaken: z.enum(['replace', 'append']).optional(),
      })
      .strict(),
  ),
} as const;
