/**
 * Appends one settled file to its feed's table: all of its rows or none, in one workspace transaction that also
 * writes the file's marker (`sift_feeds.ingests`, keyed by its ingest id). DuckDB cannot commit the workspace and
 * Sift's store together, so the marker is what makes the store's record recoverable: after a crash, an ingest the
 * store calls `ingesting` is taken when its marker exists (its rows committed with it) and forgotten when not (they
 * did not) — see reconcile in feedService.ts and docs/feeds.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SiftError } from '../../../shared/errors.js';
import { readablePath } from '../import/readablePath.js';
import { computePool } from '../compute/workerPool.js';
import { type ReadPlan, sniffWithDuckdb } from '../import/readPlan.js';
import { importError } from '../workspace/duckdbErrors.js';
import { quoteIdent, quoteLiteral, type Workspace } from '../workspace/workspace.js';
import { planFeedReadTask } from './computeTasks.js';
import type { Feed, SeenFile } from './feedStore.js';

const MARKER_DDL = `CREATE SCHEMA IF NOT EXISTS sift_feeds;
  CREATE TABLE IF NOT EXISTS sift_feeds.ingests (
    ingest_id VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, path VARCHAR NOT NULL, rows BIGINT NOT NULL, ingested_at TIMESTAMP NOT NULL)`;

/**
 * Tests only (a kill during an ingest): `PATH` pauses each ingest before its COMMIT, `record:PATH` after the COMMIT
 * and before the store records it; the pause creates PATH and lasts while it exists.
 */
export const PAUSE_ENV = 'SIFT_TEST_FEED_PAUSE';

/** The file changed while it was read: not an error, it is read again once it settles. */
export class FileChanged extends Error {}

/** The markers of these ingests that committed, with their row counts. */
export async function markedRows(workspace: Workspace, ingestIds: string[]): Promise<Map<string, number>> {
  if (ingestIds.length === 0) return new Map();
  return workspace.withConnection(async (conn) => {
    await conn.run(MARKER_DDL);
    const rows = (
      await conn.runAndReadAll(
        `SELECT ingest_id, rows FROM sift_feeds.ingests WHERE ingest_id IN (${ingestIds.map(quoteLiteral).join(', ')})`,
      )
    ).getRowsJson();
    return new Map(rows.map(([id, count]) => [String(id), Number(count)]));
  });
}

/**
 * Appends `file` to the feed's table (creating the table from the first file) with its marker, in one transaction.
 * Returns the rows appended. Throws (before the commit only) a SiftError naming the file and the problem, or
 * FileChanged.
 */
export async function appendFile(
  workspace: Workspace,
  feed: Feed,
  file: SeenFile,
  ingestId: string,
  signal: AbortSignal,
  /** Runs once the rows committed, before the connection closes (records and announces them; never throws). */
  committed: (rows: number) => Promise<void>,
): Promise<number> {
  const display = file.path;
  const readable = readablePath(workspace, file.path, 'read', undefined);
  try {
    return await workspace.withConnection(async (conn) => {
      const detected = await sniffWithDuckdb(conn, readable.path);
      // In the compute pool: Sift's check of the file's first megabyte is JavaScript the engine's loop need not wait on.
      const plan = await computePool().run(planFeedReadTask, [readable.path, display, detected]);
      if (feed.format && plan.format !== feed.format)
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${display}: the feed takes ${feed.format} files; this one reads as ${plan.format}.`,
          file: display,
        });
      await conn.run(MARKER_DDL);
      const interrupt = () => conn.interrupt();
      signal.addEventListener('abort', interrupt);
      let rows: number;
      await conn.run('BEGIN TRANSACTION');
      try {
        rows = await appendRows(conn, feed.table, plan, display);
        await conn.run(`INSERT INTO sift_feeds.ingests VALUES ($id, $table, $path, $rows, now()::TIMESTAMP)`, {
          id: ingestId,
          table: feed.table,
          path: file.path,
          rows,
        });
        await pauseForTests('commit', ingestId);
        const now = await fs.promises.stat(file.path).catch(() => null);
        if (!now || now.size !== file.size || now.mtimeMs !== file.mtimeMs) throw new FileChanged(display);
        if (signal.aborted) throw new SiftError({ code: 'CANCELLED', message: `${display}: the feed stopped.` });
        await conn.run('COMMIT');
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        if (error instanceof FileChanged) throw error;
        throw nameFile(importError(error, display, plan.format), display);
      } finally {
        signal.removeEventListener('abort', interrupt);
      }
      await committed(rows);
      // Fold the WAL into the database now, on DuckDB's threads, with this connection still open: the data engine
      // reopens (to refresh its allow-lists) when the workspace folder changes, as it does when the WAL file appears,
      // at a moment no connection is open — and closing it then would checkpoint this ingest synchronously on the
      // engine's loop (seconds for 1M rows). DuckDB declines while another writer is active: no harm.
      await conn.run('CHECKPOINT').catch(() => undefined);
      return rows;
    });
  } finally {
    readable.release();
  }
}

async function appendRows(conn: DuckDBConnection, table: string, plan: ReadPlan, display: string): Promise<number> {
  const target = quoteIdent(table);
  const kind = (
    await conn.runAndReadAll(
      `SELECT 'table' FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $table
       UNION ALL SELECT 'view' FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND view_name = $table`,
      { table },
    )
  ).getRowsJson()[0]?.[0];
  if (kind === undefined) {
    // Made empty, then filled: a long CREATE TABLE … AS would hold DuckDB's catalog while it reads the file, and
    // every call that reads the catalog (listing tables, even workspace.info) would wait for it.
    await conn.run(`CREATE TABLE ${target} AS SELECT * FROM ${plan.source} LIMIT 0`);
    return (await conn.run(`INSERT INTO ${target} SELECT * FROM ${plan.source}`)).rowsChanged;
  }
  if (kind === 'view')
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${display}: "${table}" is a view (a linked import); a feed appends to a table of its own.`,
    });
  const fileColumns = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${plan.source}`))
    .getRowsJson()
    .map((row) => String(row[0]));
  const tableColumns = (
    await conn.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $table ORDER BY column_index`,
      { table },
    )
  )
    .getRowsJson()
    .map((row) => String(row[0]));
  const lower = (names: string[]) => new Set(names.map((name) => name.toLowerCase()));
  const missing = tableColumns.filter((name) => !lower(fileColumns).has(name.toLowerCase()));
  const extra = fileColumns.filter((name) => !lower(tableColumns).has(name.toLowerCase()));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length ? `it lacks ${missing.join(', ')}` : '',
      extra.length ? `${table} has no ${extra.join(', ')}` : '',
    ].filter(Boolean);
    throw new SiftError({
      code: 'IMPORT_BAD_CSV',
      message: `${display}: its columns do not fit the table ${table} (${parts.join('; ')}).`,
    });
  }
  const result = await conn.run(`INSERT INTO ${target} BY NAME SELECT * FROM ${plan.source}`);
  return result.rowsChanged;
}

/** Every error a feed records names the file first. */
function nameFile(error: SiftError, display: string): SiftError {
  if (error.info.message.includes(display)) return error;
  const base = path.basename(display);
  const message = error.info.message.startsWith(base)
    ? display + error.info.message.slice(base.length)
    : `${display}: ${error.info.message}`;
  return new SiftError({ ...error.info, message });
}

export async function pauseForTests(point: 'commit' | 'record', ingestId: string): Promise<void> {
  const setting = process.env[PAUSE_ENV];
  if (!setting || setting.startsWith('record:') !== (point === 'record')) return;
  const flag = setting.replace(/^record:/, '');
  fs.writeFileSync(flag, ingestId);
  while (fs.existsSync(flag)) await new Promise((resolve) => setTimeout(resolve, 20));
}
