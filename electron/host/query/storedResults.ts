/** A query's result in the results store: how it is kept, waiting for its rows, a page of it, sorted or not. */
import type { Cell, ColumnInfo, PageResult } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { quoteIdent, type Workspace } from '../workspace/workspace.js';

export interface StoredResult {
  id: string;
  table: string;
  columns: ColumnInfo[];
  /** Rows stored (and visible to readers) so far. */
  rowCount: number;
  complete: boolean;
  /** Settles when every row is stored; rejects with what stopped the read. */
  done: Promise<void>;
  /** Stops a read still streaming in. */
  stop(): void;
  sorted?: { key: string; table: string };
  lastUsed: number;
  /**
   * The first rows as they streamed in, converted as a page reads them from the store: the first page is answered
   * from here instead of a read-back (about a third of a first page's time). Dropped after that.
   */
  firstRows?: Cell[][];
}

/** Waits until rows [0, needed) are stored; a far page, a sort or an export of a streaming result waits here. */
export async function rowsStored(stored: StoredResult, needed: number): Promise<void> {
  if (!stored.complete && stored.rowCount < needed) await stored.done;
}

export async function readPage(
  workspace: Workspace,
  stored: StoredResult,
  input: {
    resultId: string;
    offset: number;
    limit: number;
    sort?: { column: string; direction: 'asc' | 'desc' };
  },
): Promise<PageResult> {
  await rowsStored(stored, input.sort ? Number.POSITIVE_INFINITY : input.offset + input.limit);
  const table = input.sort ? await sortedTable(workspace, stored, input.sort) : stored.table;
  return workspace.withResults(async (conn) => {
    // rowid of a freshly created table runs 0..n-1 in insertion order, so a page is a range scan, not an OFFSET.
    const reader = await conn.runAndReadAll(
      `SELECT * EXCLUDE (rowid) FROM (SELECT rowid, * FROM ${table} WHERE rowid >= $from AND rowid < $to) ORDER BY rowid`,
      { from: input.offset, to: input.offset + input.limit },
    );
    return {
      resultId: stored.id,
      offset: input.offset,
      rowCount: stored.rowCount,
      rows: reader.getRowsJson() as Cell[][],
    };
  });
}

async function sortedTable(
  workspace: Workspace,
  stored: StoredResult,
  sort: { column: string; direction: 'asc' | 'desc' },
): Promise<string> {
  if (!stored.columns.some((column) => column.name === sort.column)) {
    throw new SiftError({ code: 'BAD_REQUEST', message: `sort.column: the result has no column "${sort.column}".` });
  }
  const key = `${sort.column}\u0000${sort.direction}`;
  if (stored.sorted?.key === key) return stored.sorted.table;
  const table = quoteIdent(`s_${stored.id.replace(/-/g, '')}`);
  await workspace.withResults(async (conn) => {
    await conn.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT * FROM ${stored.table} ORDER BY ${quoteIdent(sort.column)} ${sort.direction.toUpperCase()} NULLS LAST, rowid`,
    );
  });
  stored.sorted = { key, table };
  return table;
}

/** A result by its id, marked as just used; a closed or evicted one is an error that says to run the query again. */
export function usedResult(results: ReadonlyMap<string, StoredResult>, resultId: string): StoredResult {
  const stored = results.get(resultId);
  if (!stored)
    throw new SiftError({
      code: 'NOT_FOUND',
      message: `Result ${resultId} is gone (closed, or the workspace was reopened); run the query again.`,
    });
  stored.lastUsed = Date.now();
  return stored;
}
