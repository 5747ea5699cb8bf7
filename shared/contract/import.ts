/** Importing files and mapping them onto canonical tables. */
import { z } from 'zod/v3';
import type { MappingSuggestion } from '../canonical.js';
import { type Cell, empty, job, method, nonEmpty, tableName } from './base.js';
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
  /** The mapping saved with the import, when one was asked for. */
  mapping?: SavedMapping;
  /** With a media column: the files registered (copied into the workspace) and the items that carry them. */
  media?: { files: number; items: number };
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

/** A mapping onto a canonical table, of a table already imported (mapping.save) or of the one being imported. */
const mappingInput = z
  .object({
    canonicalTable: nonEmpty('canonicalTable'),
    columns: z.record(z.string(), z.string().nullable()),
    /**
     * When the canonical name is already a table (say, the sample's content): replace it, keeping the old one
     * under a backup name, or append the source's rows to it with the mapping applied.
     */
    whenTaken: z.enum(['replace', 'append']).optional(),
  })
  .strict();

export const importMethods = {
  'import.inspect': method<ImportPreview>()(z.object({ path: nonEmpty('path') }).strict()),
  'import.run': job<ImportOutcome>()(
    z
      .object({
        path: nonEmpty('path'),
        table: tableName.optional(),
        link: z.boolean().optional(),
        replace: z.boolean().optional(),
        encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).optional(),
        skipBadRows: z.boolean().optional(),
        /** Map the imported table onto a canonical one in the same step; a refused mapping leaves no table behind. */
        mapping: mappingInput.optional(),
        /**
         * A column of media paths (one, or a list), relative to the file's folder: each file is registered and copied
         * into the workspace (docs/media.md); a path outside the allowed folders, or a file refused, fails the import.
         * Without it, a mapping that names `media` on content does the same.
         */
        mediaColumn: z.string().min(1, 'mediaColumn must not be empty').optional(),
      })
      .strict(),
  ),
  'mapping.list': method<SavedMapping[]>()(empty),
  'mapping.save': method<SavedMapping>()(mappingInput.extend({ sourceTable: tableName }).strict()),
} as const;
