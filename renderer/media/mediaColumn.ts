/**
 * Which column of a result shows media thumbnails: the canonical content's `media` column (the paths as the export
 * wrote them), when the result also has the item's `content_id` — the host serves an item's media by its id, never
 * by a path. Decided from the column names alone, so the grid asks the host nothing for results without media.
 */
import type { ColumnInfo } from '../../shared/contract';

/** What a thumbnail adds to a media column's width (media.css: .grid-thumb, 30 px and its margin). */
export const GRID_THUMB_WIDTH = 36;

export interface MediaColumn {
  /** The column whose cells show a thumbnail before their text. */
  column: number;
  /** The column holding each row's content_id. */
  idColumn: number;
}

export function mediaColumnOf(columns: readonly ColumnInfo[]): MediaColumn | null {
  const column = columns.findIndex((c) => c.name.toLowerCase() === 'media');
  const idColumn = columns.findIndex((c) => c.name.toLowerCase() === 'content_id');
  return column < 0 || idColumn < 0 ? null : { column, idColumn };
}
