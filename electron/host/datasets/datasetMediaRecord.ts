/**
 * Which published dataset versions hold the bytes of which media (the store's `dataset_version_media`, written with
 * the version's record), and the deletion of a whole version — what the restricted part needs when a later label
 * makes an item restricted: list the versions holding its bytes, export a new one without them, delete the old.
 * A version is never rewritten: it is kept whole or removed whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { VersionHoldingMedia } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { DATASET_MANIFEST, realPathOf } from '../workspace/fileAccess.js';
import { quoteLiteral, type Workspace } from '../workspace/workspace.js';
import { DATASET_MEDIA_DDL, sha256Text, syncFolder } from './datasetVersions.js';

const SHA256 = /^[0-9a-f]{64}$/;

/** Every version this workspace published and has not deleted that holds the bytes of any of these media, oldest first. */
export async function versionsHoldingMedia(workspace: Workspace, sha256s: string[]): Promise<VersionHoldingMedia[]> {
  const wanted = [...new Set(sha256s)];
  const bad = wanted.find((sha) => !SHA256.test(sha));
  if (bad !== undefined)
    throw new SiftError({ code: 'BAD_REQUEST', message: `sha256: "${bad}" is not a SHA-256 (64 lower-case hex).` });
  if (wanted.length === 0) return [];
  const rows = await workspace.withStore(async (conn) => {
    await conn.run(DATASET_MEDIA_DDL);
    return (
      await conn.runAndReadAll(
        `SELECT v.dir, v.name, v.version, v.created_at, v.manifest_sha256, list(DISTINCT m.sha256 ORDER BY m.sha256)
         FROM dataset_version_media m JOIN dataset_versions v USING (dir, manifest_sha256)
         WHERE v.deleted_at IS NULL AND m.sha256 IN (${wanted.map(quoteLiteral).join(', ')})
         GROUP BY ALL ORDER BY min(v.recorded_at), v.name, v.version`,
      )
    ).getRowsJson() as [string, string, number, string, string, string[]][];
  });
  return rows.map(([dir, name, version, createdAt, manifestSha256, held]) => ({
    dir,
    name,
    version: Number(version),
    createdAt,
    sha256s: held,
    onDisk: manifestShaOf(dir) === manifestSha256,
  }));
}

function manifestShaOf(dir: string): string | null {
  try {
    return sha256Text(fs.readFileSync(path.join(dir, DATASET_MANIFEST), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Deletes a version this workspace published, whole: its folder is renamed out of the versions (so no reader ever
 * sees part of it), its record marked deleted, then the folder removed. Only a version the store records is touched
 * (so only what this workspace's export wrote, where it was allowed to write); a folder that is not the version
 * recorded (its manifest differs) is refused, never deleted. Deleting it again answers `deleted: false`.
 */
export async function deleteDatasetVersion(
  workspace: Workspace,
  dir: string,
): Promise<{ dir: string; deleted: boolean }> {
  const real = fs.existsSync(dir) ? realPathOf(dir) : path.resolve(dir);
  const records = await workspace.withStore(async (conn) => {
    await conn.run(DATASET_MEDIA_DDL);
    return (
      await conn.runAndReadAll(
        'SELECT manifest_sha256, deleted_at IS NOT NULL FROM dataset_versions WHERE dir = $dir',
        {
          dir: real,
        },
      )
    ).getRowsJson() as [string, boolean][];
  });
  const onDisk = manifestShaOf(real);
  if (onDisk === null && !fs.existsSync(real) && records.some(([, deleted]) => deleted))
    return { dir: real, deleted: false };
  const record = records.find(([sha, deleted]) => sha === onDisk && !deleted);
  if (!record)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message:
        records.length === 0
          ? `${dir}: not a dataset version this workspace (${workspace.dir}) published; nothing was deleted.`
          : `${dir}: its ${DATASET_MANIFEST} is not the one Sift wrote (or it is gone); nothing was deleted.`,
    });
  const parent = path.dirname(real);
  const away = path.join(parent, `.deleting-${process.pid}-${path.basename(real)}`);
  fs.renameSync(real, away);
  syncFolder(parent);
  await workspace.withStore((conn) =>
    conn.run('UPDATE dataset_versions SET deleted_at = current_timestamp WHERE dir = $dir AND manifest_sha256 = $sha', {
      dir: real,
      sha: record[0],
    }),
  );
  fs.rmSync(away, { recursive: true, force: true });
  return { dir: real, deleted: true };
}
