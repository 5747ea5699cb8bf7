/**
 * An import's media column (`sift import FILE --media-column COLUMN`, or `media` in the import's mapping onto
 * content): each row's paths, read from the table the import just made (inside its transaction), are registered
 * through media/registration.ts relative to FILE's folder. A refused file fails the whole import.
 */
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SiftError } from '../../../shared/errors.js';
import { mediaPathsOf } from '../../../shared/media.js';
import type { JobContext } from '../jobs.js';
import { type MediaReference, stageMedia, type StagedMedia } from '../media/registration.js';
import { quoteIdent, type Workspace } from '../workspace/workspace.js';

export interface ImportMediaRequest {
  table: string;
  /** The column of paths, and the column of the items' ids, as named in the imported table. */
  mediaColumn: string;
  idColumn: string;
  /** The imported file (its folder is where relative paths start) and how it is named in messages. */
  file: string;
  display: string;
}

export async function stageImportMedia(
  conn: DuckDBConnection,
  workspace: Workspace,
  request: ImportMediaRequest,
  ctx: JobContext,
): Promise<StagedMedia> {
  const { table, mediaColumn, idColumn, display } = request;
  const columns = (
    await conn.runAndReadAll(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $table`,
      { table },
    )
  )
    .getRowsJson()
    .map((row) => String(row[0]));
  for (const [column, what] of [
    [mediaColumn, 'the media column'],
    [idColumn, "the items' id column"],
  ] as const) {
    if (!columns.includes(column))
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${display}: has no column "${column}" (${what}); its columns are ${columns.join(', ')}.`,
        file: request.file,
      });
  }
  const rows = (
    await conn.runAndReadAll(
      `SELECT CAST(${quoteIdent(idColumn)} AS VARCHAR), ${quoteIdent(mediaColumn)} FROM ${quoteIdent(table)}`,
    )
  ).getRowsJson();
  const refs: MediaReference[] = rows.map(([id, cell], index) => ({
    contentId: id === null ? '' : String(id),
    row: index + 1,
    paths: mediaPathsOf(cell),
  }));
  const keyless = refs.find((ref) => ref.contentId === '' && ref.paths.length > 0);
  if (keyless)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${display}: row ${keyless.row} has media but no ${idColumn}; media belong to an item.`,
      file: request.file,
    });
  ctx.progress(null, `Registering the media of ${display}`);
  return stageMedia(
    workspace,
    refs.filter((ref) => ref.contentId !== ''),
    path.dirname(request.file),
    ctx,
  );
}
