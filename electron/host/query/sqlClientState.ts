/**
 * The SQL editor's memory, kept in the workspace so it travels with it: a history of the queries the editor ran
 * (Sift's store, newest first, the last HISTORY_KEPT of them) and the editor's tabs (`.sift/editor.json`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EditorTabs, HistoryEntry } from '../../../shared/contract.js';
import { SIFT_DIR, type Workspace, writeFileAtomic } from '../workspace/workspace.js';

const HISTORY_KEPT = 1000;
const HISTORY_DDL =
  'CREATE TABLE IF NOT EXISTS query_history (ran_at TIMESTAMP, sql VARCHAR, elapsed_ms INTEGER, row_count BIGINT, error VARCHAR)';

export async function recordQuery(workspace: Workspace, entry: Omit<HistoryEntry, 'ranAt'>): Promise<void> {
  await workspace.withStore(async (conn) => {
    await conn.run(HISTORY_DDL);
    await conn.run('INSERT INTO query_history VALUES (now()::TIMESTAMP, $sql, $elapsed, $rows, $error)', {
      sql: entry.sql,
      elapsed: Math.round(entry.elapsedMs),
      rows: entry.rows,
      error: entry.error,
    });
    // Trimmed now and then, not on every run.
    if (Math.random() < 0.05)
      await conn.run(
        `DELETE FROM query_history WHERE ran_at < (SELECT min(ran_at) FROM (SELECT ran_at FROM query_history ORDER BY ran_at DESC LIMIT ${HISTORY_KEPT}))`,
      );
  });
}

export async function queryHistory(
  workspace: Workspace,
  options: { limit?: number; search?: string },
): Promise<HistoryEntry[]> {
  return workspace.withStore(async (conn) => {
    await conn.run(HISTORY_DDL);
    const search = options.search?.trim();
    const rows = (
      await conn.runAndReadAll(
        `SELECT strftime(ran_at, '%Y-%m-%dT%H:%M:%S'), sql, elapsed_ms, row_count, error FROM query_history
         ${search ? 'WHERE contains(lower(sql), lower($search))' : ''} ORDER BY ran_at DESC LIMIT ${options.limit ?? 200}`,
        search ? { search } : {},
      )
    ).getRowsJson();
    return rows.map(([ranAt, sql, elapsedMs, rowCount, error]) => ({
      ranAt: String(ranAt),
      sql: String(sql),
      elapsedMs: Number(elapsedMs),
      rows: rowCount === null ? null : Number(rowCount),
      error: error === null ? null : String(error),
    }));
  });
}

const tabsFile = (workspace: Workspace) => path.join(workspace.dir, SIFT_DIR, 'editor.json');

export function readEditorTabs(workspace: Workspace): EditorTabs | null {
  try {
    const stored = JSON.parse(fs.readFileSync(tabsFile(workspace), 'utf8')) as EditorTabs;
    return Array.isArray(stored.tabs) && stored.tabs.length > 0 ? stored : null;
  } catch {
    return null; // none saved yet (or unreadable: the editor starts fresh rather than failing)
  }
}

export function saveEditorTabs(workspace: Workspace, state: EditorTabs): EditorTabs {
  writeFileAtomic(tabsFile(workspace), JSON.stringify(state));
  return state;
}
