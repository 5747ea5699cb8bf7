/**
 * The media registry in Sift's store (`media_files`, `media_hashes`; made on open by workspace/storeLayout.ts) and
 * where the bytes live: `.sift/media/originals/<sha256>.<ext>` and the derivatives in `.sift/media/cache/<sha256>/`.
 * Sift's own data: never reachable from user SQL.
 */
import path from 'node:path';
import { type DuckDBConnection, LIST, listValue, timestampValue, VARCHAR } from '@duckdb/node-api';
import {
  MEDIA_EXTENSIONS,
  type MediaFileInfo,
  type MediaFormat,
  type MediaKind,
  type MediaStatus,
} from '../../../shared/media.js';
import { SIFT_DIR, type Workspace } from '../workspace/workspace.js';

export const mediaDir = (workspaceDir: string) => path.join(workspaceDir, SIFT_DIR, 'media');
export const originalsDir = (workspaceDir: string) => path.join(mediaDir(workspaceDir), 'originals');
export const originalPath = (workspaceDir: string, sha256: string, format: MediaFormat) =>
  path.join(originalsDir(workspaceDir), `${sha256}.${MEDIA_EXTENSIONS[format]}`);
export const cacheDir = (workspaceDir: string, sha256: string) => path.join(mediaDir(workspaceDir), 'cache', sha256);

/** One row of media_files as registration writes it. */
export interface MediaFileRow extends MediaFileInfo {
  sourcePath: string;
}

const COLUMNS = 'content_id, position, sha256, kind, format, width, height, frames, duration_s, bytes, status, error';

function infoOf(row: unknown[]): MediaFileInfo {
  const [contentId, position, sha256, kind, format, width, height, frames, durationS, bytes, status, error] = row;
  return {
    contentId: String(contentId),
    position: Number(position),
    sha256: String(sha256),
    kind: kind as MediaKind,
    format: format as MediaFormat,
    width: Number(width),
    height: Number(height),
    frames: Number(frames),
    durationS: durationS === null ? null : Number(durationS),
    bytes: Number(bytes),
    status: status as MediaStatus,
    error: error === null ? null : String(error),
  };
}

/** The registered media of these items (all items when `contentIds` is undefined), by item then position. */
export async function mediaOfItems(workspace: Workspace, contentIds?: readonly string[]): Promise<MediaFileInfo[]> {
  if (contentIds !== undefined && contentIds.length === 0) return [];
  return workspace.withStore(async (conn) => {
    const reader =
      contentIds === undefined
        ? await conn.runAndReadAll(`SELECT ${COLUMNS} FROM media_files ORDER BY content_id, position`)
        : await conn.runAndReadAll(
            `SELECT ${COLUMNS} FROM media_files WHERE list_contains($ids, content_id) ORDER BY content_id, position`,
            { ids: listValue([...contentIds]) },
            { ids: LIST(VARCHAR) },
          );
    return reader.getRowsJson().map(infoOf);
  });
}

/** One file of one item, or undefined when the item has no media at that position. */
export async function mediaFile(
  workspace: Workspace,
  contentId: string,
  position: number,
): Promise<MediaFileInfo | undefined> {
  return workspace.withStore(async (conn) => {
    const reader = await conn.runAndReadAll(
      `SELECT ${COLUMNS} FROM media_files WHERE content_id = $contentId AND position = $position`,
      { contentId, position },
    );
    const row = reader.getRowsJson()[0];
    return row ? infoOf(row) : undefined;
  });
}

/**
 * Replaces the media of the given items with `rows` (registration: an item imported again gets the files of this
 * import). Runs on the caller's store connection, inside its transaction when it holds one.
 */
export async function writeMediaRows(
  conn: DuckDBConnection,
  contentIds: readonly string[],
  rows: readonly MediaFileRow[],
): Promise<void> {
  if (contentIds.length > 0)
    await conn.run(
      'DELETE FROM media_files WHERE list_contains($ids, content_id)',
      { ids: listValue([...contentIds]) },
      { ids: LIST(VARCHAR) },
    );
  if (rows.length === 0) return;
  const appender = await conn.createAppender('media_files');
  try {
    const now = timestampValue(BigInt(Date.now()) * 1000n);
    for (const row of rows) {
      appender.appendVarchar(row.contentId);
      appender.appendInteger(row.position);
      appender.appendVarchar(row.sha256);
      appender.appendVarchar(row.kind);
      appender.appendVarchar(row.format);
      appender.appendInteger(row.width);
      appender.appendInteger(row.height);
      appender.appendInteger(row.frames);
      if (row.durationS === null) appender.appendNull();
      else appender.appendDouble(row.durationS);
      appender.appendBigInt(BigInt(row.bytes));
      appender.appendVarchar(row.sourcePath);
      appender.appendVarchar(row.status);
      if (row.error === null) appender.appendNull();
      else appender.appendVarchar(row.error);
      appender.appendTimestamp(now);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Records a file's state after preparing it (an error found only when decoding its pixels, say). */
export async function setMediaStatus(
  workspace: Workspace,
  sha256: string,
  status: MediaStatus,
  error: string | null,
): Promise<void> {
  await workspace.withStore((conn) =>
    conn.run('UPDATE media_files SET status = $status, error = $error WHERE sha256 = $sha256 AND status <> $purged', {
      status,
      error,
      sha256,
      purged: 'purged',
    }),
  );
}

/** Stores a file's perceptual hashes (frame 0 for an image, each keyframe's index for a video). */
export async function writeMediaHashes(
  workspace: Workspace,
  sha256: string,
  hashes: readonly { frame: number; phash: string }[],
): Promise<void> {
  if (hashes.length === 0) return;
  await workspace.withStore(async (conn) => {
    for (const { frame, phash } of hashes)
      await conn.run('INSERT OR REPLACE INTO media_hashes VALUES ($sha256, $frame, $phash)', { sha256, frame, phash });
  });
}

/** Where each of these originals was registered from (the newest registration's path), for messages naming it. */
export async function sourcePaths(workspace: Workspace, sha256s: readonly string[]): Promise<Map<string, string>> {
  if (sha256s.length === 0) return new Map();
  const rows = await workspace.withStore(async (conn) =>
    (
      await conn.runAndReadAll(
        'SELECT sha256, arg_max(source_path, registered_at) FROM media_files WHERE list_contains($shas, sha256) GROUP BY sha256',
        { shas: listValue([...sha256s]) },
        { shas: LIST(VARCHAR) },
      )
    ).getRowsJson(),
  );
  return new Map(rows.map(([sha, source]) => [String(sha), String(source)]));
}

/** How many perceptual hashes each of these originals has. */
export async function hashCounts(workspace: Workspace, sha256s: readonly string[]): Promise<Map<string, number>> {
  if (sha256s.length === 0) return new Map();
  const rows = await workspace.withStore(async (conn) =>
    (
      await conn.runAndReadAll(
        'SELECT sha256, count(*) FROM media_hashes WHERE list_contains($shas, sha256) GROUP BY sha256',
        { shas: listValue([...sha256s]) },
        { shas: LIST(VARCHAR) },
      )
    ).getRowsJson(),
  );
  return new Map(rows.map(([sha, count]) => [String(sha), Number(count)]));
}
