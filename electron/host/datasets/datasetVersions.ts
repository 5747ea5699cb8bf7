/**
 * A dataset's versions on disk and in the workspace's store: the numbered folders (`<out>/<name>/v<N>/`), the staging
 * folders a version is written in before its rename, files synced before they are published, and the store's record
 * of each version published (the SHA-256 of its manifest and card).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetManifest } from '../../../shared/contract.js';
import { processAlive } from '../processes.js';
import type { Workspace } from '../workspace/workspace.js';

export const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
export const sha256Text = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** The next version number in `<out>/<name>/`, and the one before it (the parent), if any. */
export function nextVersion(root: string): { version: number; parent: number | null } {
  const taken = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .map((entry) => /^v(\d+)$/.exec(entry)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
    : [];
  const last = taken.length > 0 ? Math.max(...taken) : 0;
  return { version: last + 1, parent: last > 0 ? last : null };
}

/** Each export stages in its own folder, `.staging-<pid>-<random>`, beside the versions it will join. */
const STAGING = /^\.staging-(\d+)-/;

/** A version being deleted is renamed out of the versions first (datasetMediaRecord.ts), as `.deleting-<pid>-v<N>`. */
export const DELETING = /^\.deleting-(\d+)-/;

/**
 * Staging folders (and versions half-deleted) whose process is gone (a kill -9 mid-export) are removed; a live
 * export's are left alone.
 */
export function removeAbandonedStaging(root: string): void {
  if (!fs.existsSync(root)) return;
  for (const entry of fs.readdirSync(root)) {
    const pid = Number(
      STAGING.exec(entry)?.[1] ?? DELETING.exec(entry)?.[1] ?? /^\.v\d+\.partial-(\d+)$/.exec(entry)?.[1] ?? NaN,
    );
    if (Number.isNaN(pid) || pid === process.pid || processAlive(pid)) continue; // this process's other exports are still running
    fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

/** The versions of a dataset already written under `out`, oldest first (each manifest with its folder). */
export function listDatasetVersions(out: string, name: string): DatasetManifest[] {
  const root = path.resolve(out, name);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .map((entry) => /^v(\d+)$/.exec(entry))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .flatMap((match) => {
      const dir = path.join(root, match[0]);
      try {
        return [{ ...(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest), dir }];
      } catch {
        return []; // a folder without a readable manifest is not a version
      }
    });
}
export function writeSynced(file: string, text: string): void {
  fs.writeFileSync(file, text);
  syncFile(file);
}

/** A version's files are on disk before its folder is renamed into place, so a crash never publishes a torn file. */
export function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function syncFolder(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // not every platform syncs a folder (Windows)
  }
}

/**
 * What the workspace's store keeps of each version it published: where, which, the SHA-256 of its manifest and card,
 * and the media whose bytes it holds (`dataset_version_media`: which versions to list when an item becomes restricted).
 */
export interface PublishedRecord {
  dir: string;
  name: string;
  version: number;
  createdAt: string;
  manifestSha256: string;
  cardSha256: string;
  mediaSha256s: string[];
}

/** Run before the version tables are used (idempotent): a store from before media gains what it lacks. */
export const DATASET_MEDIA_DDL = `
  CREATE TABLE IF NOT EXISTS dataset_version_media (dir VARCHAR NOT NULL, manifest_sha256 VARCHAR NOT NULL, sha256 VARCHAR NOT NULL);
  ALTER TABLE dataset_versions ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMP;`;

/** The version and the media it holds, in one store transaction. */
export async function recordVersion(workspace: Workspace, record: PublishedRecord): Promise<void> {
  const { mediaSha256s, ...version } = record;
  await workspace.withStore(async (conn) => {
    await conn.run(DATASET_MEDIA_DDL);
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(
        `INSERT INTO dataset_versions (dir, name, version, created_at, manifest_sha256, card_sha256, recorded_at)
         VALUES ($dir, $name, $version, $createdAt, $manifestSha256, $cardSha256, current_timestamp)`,
        { ...version },
      );
      if (mediaSha256s.length > 0)
        await conn.run(
          `INSERT INTO dataset_version_media SELECT $dir, $manifestSha256, unnest(${sqlTextList(mediaSha256s)})`,
          { dir: record.dir, manifestSha256: record.manifestSha256 },
        );
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK');
      throw error;
    }
  });
}

/** SHA-256s (hex only, checked by the caller's manifest) as a SQL list literal. */
const sqlTextList = (values: string[]) => `[${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ')}]`;

export async function forgetVersion(workspace: Workspace, record: PublishedRecord): Promise<void> {
  const key = { dir: record.dir, manifestSha256: record.manifestSha256 };
  await workspace.withStore(async (conn) => {
    await conn.run('DELETE FROM dataset_version_media WHERE dir = $dir AND manifest_sha256 = $manifestSha256', key);
    await conn.run('DELETE FROM dataset_versions WHERE dir = $dir AND manifest_sha256 = $manifestSha256', key);
  });
}
