/**
 * The records of folder feeds in Sift's store: the feeds (`feeds`) and every file a feed decided about
 * (`feed_files`: taken, duplicate, failed — or `ingesting` while its rows are being written). Sift's own data, never
 * reachable from user SQL. The rows a file brings live in the workspace, with a marker written in the same
 * transaction (ingest.ts); `reconcile` makes this record agree with those markers after a crash.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FeedFileRecord, FeedFileStatus, FeedInfo, ImportFormat } from '../../../shared/contract.js';
import type { Workspace } from '../workspace/workspace.js';

const FEED_STORE_DDL = `
  CREATE TABLE IF NOT EXISTS feeds (
    dir VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, pattern VARCHAR NOT NULL, format VARCHAR,
    settle_ms INTEGER NOT NULL, created_at TIMESTAMP NOT NULL);
  CREATE TABLE IF NOT EXISTS feed_files (
    ingest_id VARCHAR PRIMARY KEY, dir VARCHAR NOT NULL, path VARCHAR NOT NULL, table_name VARCHAR NOT NULL,
    size BIGINT NOT NULL, mtime_ms DOUBLE NOT NULL, sha256 VARCHAR NOT NULL, status VARCHAR NOT NULL, rows BIGINT,
    error VARCHAR, duplicate_of VARCHAR, seen_at TIMESTAMP NOT NULL);`;

export interface Feed {
  dir: string;
  table: string;
  pattern: string;
  format: ImportFormat | null;
  settleMs: number;
  createdAt: string;
}

/** A file a feed is about to read, and what identifies it. */
export interface SeenFile {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

const RECENT = 20;

/** Runs `work` on the store, with the feed tables made on first use (a store from before feeds gains them). */
export async function withFeedStore<T>(workspace: Workspace, work: (conn: DuckDBConnection) => Promise<T>) {
  return workspace.withStore(async (conn) => {
    await conn.run(FEED_STORE_DDL);
    return work(conn);
  });
}

export async function listFeeds(workspace: Workspace): Promise<Feed[]> {
  return withFeedStore(workspace, async (conn) => {
    const rows = (
      await conn.runAndReadAll(
        `SELECT dir, table_name, pattern, format, settle_ms, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') FROM feeds ORDER BY created_at, dir`,
      )
    ).getRowsJson();
    return rows.map(([dir, table, pattern, format, settleMs, createdAt]) => ({
      dir: String(dir),
      table: String(table),
      pattern: String(pattern),
      format: (format as ImportFormat | null) ?? null,
      settleMs: Number(settleMs),
      createdAt: String(createdAt),
    }));
  });
}

export async function saveFeed(workspace: Workspace, feed: Omit<Feed, 'createdAt'>): Promise<void> {
  await withFeedStore(workspace, (conn) =>
    conn.run(
      `INSERT INTO feeds VALUES ($dir, $table, $pattern, $format, $settle, now()::TIMESTAMP)
       ON CONFLICT (dir) DO UPDATE SET table_name = excluded.table_name, pattern = excluded.pattern,
         format = excluded.format, settle_ms = excluded.settle_ms`,
      { dir: feed.dir, table: feed.table, pattern: feed.pattern, format: feed.format, settle: feed.settleMs },
    ),
  );
}

export async function deleteFeed(workspace: Workspace, dir: string): Promise<void> {
  await withFeedStore(workspace, (conn) => conn.run(`DELETE FROM feeds WHERE dir = $dir`, { dir }));
}

/** The feeds with their counts and latest outcomes (watch.list). */
export async function feedInfos(workspace: Workspace): Promise<FeedInfo[]> {
  const feeds = await listFeeds(workspace);
  return withFeedStore(workspace, async (conn) => {
    const infos: FeedInfo[] = [];
    for (const feed of feeds) {
      const [counts] = (
        await conn.runAndReadAll(
          `SELECT count(*) FILTER (status = 'taken'), count(*) FILTER (status = 'duplicate'),
                  count(*) FILTER (status = 'failed'), coalesce(sum(rows) FILTER (status = 'taken'), 0)
           FROM feed_files WHERE dir = $dir`,
          { dir: feed.dir },
        )
      ).getRowsJson();
      const recent = await fileRecords(conn, `dir = $dir AND status <> 'ingesting'`, { dir: feed.dir }, RECENT);
      const [taken, duplicates, failed, rows] = (counts ?? []).map(Number);
      infos.push({ ...feed, taken: taken!, duplicates: duplicates!, failed: failed!, rows: rows!, recent });
    }
    return infos;
  });
}

async function fileRecords(
  conn: DuckDBConnection,
  where: string,
  params: Record<string, string>,
  limit: number,
): Promise<FeedFileRecord[]> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT dir, path, table_name, size, sha256, status, rows, error, duplicate_of,
              strftime(seen_at, '%Y-%m-%dT%H:%M:%S.%gZ')
       FROM feed_files WHERE ${where} ORDER BY seen_at DESC, ingest_id DESC LIMIT ${limit}`,
      params,
    )
  ).getRowsJson();
  return rows.map(([dir, file, table, size, sha256, status, rowCount, error, duplicateOf, at]) => ({
    dir: String(dir),
    path: String(file),
    table: String(table),
    size: Number(size),
    sha256: String(sha256),
    status: status as FeedFileStatus,
    rows: rowCount === null ? null : Number(rowCount),
    error: error === null ? null : String(error),
    duplicateOf: duplicateOf === null ? null : String(duplicateOf),
    at: String(at),
  }));
}

/**
 * The files (path, size, modification time) the feed has decided about — or is ingesting: a record left `ingesting`
 * by a store failure after its rows committed waits for the next start's reconciliation, never read twice.
 */
export async function knownFiles(workspace: Workspace, dir: string): Promise<Set<string>> {
  return withFeedStore(workspace, async (conn) => {
    const rows = (
      await conn.runAndReadAll(`SELECT path, size, mtime_ms FROM feed_files WHERE dir = $dir`, {
        dir,
      })
    ).getRowsJson();
    return new Set(rows.map(([file, size, mtime]) => fileKey(String(file), Number(size), Number(mtime))));
  });
}

export const fileKey = (file: string, size: number, mtimeMs: number) => `${file}\0${size}\0${mtimeMs}`;

/** The file already taken into `table` with this content, if any. */
export async function takenWithHash(workspace: Workspace, table: string, sha256: string): Promise<string | null> {
  return withFeedStore(workspace, async (conn) => {
    const row = (
      await conn.runAndReadAll(
        `SELECT path FROM feed_files WHERE table_name = $table AND sha256 = $sha256 AND status = 'taken' ORDER BY seen_at LIMIT 1`,
        { table, sha256 },
      )
    ).getRowsJson()[0];
    return row ? String(row[0]) : null;
  });
}

/** The rows a file at this path brought when it was taken, or null when it never was. */
export async function takenAt(workspace: Workspace, dir: string, file: string): Promise<number | null> {
  return withFeedStore(workspace, async (conn) => {
    const row = (
      await conn.runAndReadAll(
        `SELECT rows FROM feed_files WHERE dir = $dir AND path = $path AND status = 'taken' LIMIT 1`,
        { dir, path: file },
      )
    ).getRowsJson()[0];
    return row ? Number(row[0]) : null;
  });
}

/** Records a decision about a file (or `ingesting`, before its rows are written). */
export async function recordFile(
  workspace: Workspace,
  ingestId: string,
  feed: Feed,
  file: SeenFile,
  status: FeedFileStatus | 'ingesting',
  detail: { rows?: number; error?: string; duplicateOf?: string } = {},
): Promise<void> {
  await withFeedStore(workspace, (conn) =>
    conn.run(
      `INSERT INTO feed_files VALUES ($id, $dir, $path, $table, $size, $mtime, $sha256, $status, $rows, $error, $dup, now()::TIMESTAMP)
       ON CONFLICT (ingest_id) DO UPDATE SET status = excluded.status, rows = excluded.rows, error = excluded.error,
         duplicate_of = excluded.duplicate_of, seen_at = excluded.seen_at`,
      {
        id: ingestId,
        dir: feed.dir,
        path: file.path,
        table: feed.table,
        size: file.size,
        mtime: file.mtimeMs,
        sha256: file.sha256,
        status,
        rows: detail.rows ?? null,
        error: detail.error ?? null,
        dup: detail.duplicateOf ?? null,
      } as Record<string, string | number | null>,
    ),
  );
}

/** The ingests a crash may have left half-recorded: written as `ingesting`, never finished. */
export async function unfinishedIngests(workspace: Workspace): Promise<{ ingestId: string; path: string }[]> {
  return withFeedStore(workspace, async (conn) =>
    (await conn.runAndReadAll(`SELECT ingest_id, path FROM feed_files WHERE status = 'ingesting'`))
      .getRowsJson()
      .map(([ingestId, file]) => ({ ingestId: String(ingestId), path: String(file) })),
  );
}

/** A finished ingest's record: taken (its marker says how many rows), or gone (its rows never committed). */
export async function settleIngest(workspace: Workspace, ingestId: string, rows: number | null): Promise<void> {
  await withFeedStore(workspace, (conn) =>
    rows === null
      ? conn.run(`DELETE FROM feed_files WHERE ingest_id = $id AND status = 'ingesting'`, { id: ingestId })
      : conn.run(
          `UPDATE feed_files SET status = 'taken', rows = $rows, seen_at = now()::TIMESTAMP WHERE ingest_id = $id`,
          {
            id: ingestId,
            rows,
          },
        ),
  );
}
