/**
 * Dataset versions written before a label made some of their media restricted still hold those bytes. A version is
 * never rewritten: Sift lists the versions whose manifest lists a restricted file (by SHA-256: a version's media are
 * `media/<sha256>.<ext>`, each listed with its SHA-256, docs/datasets.md), offers the next version of the dataset from
 * today's labels — which carries restricted items' hashes and embeddings, never their bytes — and the deletion of the
 * old one, each the owner's decision.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetManifest, RestrictedVersion } from '../../../shared/contract.js';
import type { Workspace } from '../workspace/workspace.js';

const DAY_MS = 86_400_000;

/** The dataset versions this workspace published (the store's record), whose folders are still there. */
async function publishedVersions(workspace: Workspace): Promise<{ dir: string; manifest: DatasetManifest }[]> {
  const dirs = await workspace.withStore(async (conn) =>
    (await conn.runAndReadAll('SELECT DISTINCT dir FROM dataset_versions ORDER BY dir')).getRowsJson().map(String),
  );
  return dirs.flatMap((dir) => {
    try {
      return [
        { dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest },
      ];
    } catch {
      return []; // deleted since, or not readable: holds nothing we can list
    }
  });
}

/** The SHA-256s of the media files a manifest lists (its files under media/, or a `media` list if it has one). */
export function manifestMediaSha256s(manifest: DatasetManifest): Set<string> {
  const listed: { path?: unknown; sha256?: unknown }[] = [
    ...(Array.isArray(manifest.files) ? manifest.files : []),
    ...(Array.isArray((manifest as { media?: unknown }).media) ? (manifest as unknown as { media: [] }).media : []),
  ];
  return new Set(
    listed
      .filter(
        (file) =>
          typeof file.sha256 === 'string' && (file.path === undefined || String(file.path).startsWith('media/')),
      )
      .map((file) => String(file.sha256)),
  );
}

/** The versions holding any of these restricted files (SHA-256 → the items carrying it). */
export async function versionsHolding(
  workspace: Workspace,
  restricted: ReadonlyMap<string, readonly string[]>,
): Promise<RestrictedVersion[]> {
  if (restricted.size === 0) return [];
  const held: RestrictedVersion[] = [];
  for (const { dir, manifest } of await publishedVersions(workspace)) {
    const sha256s = [...manifestMediaSha256s(manifest)].filter((sha) => restricted.has(sha)).sort();
    if (sha256s.length === 0) continue;
    const cut = Date.parse(manifest.splits.cut);
    const validationEnd = Date.parse(manifest.splits.validationEnd);
    held.push({
      dir,
      name: manifest.name,
      version: manifest.version,
      sha256s,
      contentIds: [...new Set(sha256s.flatMap((sha) => restricted.get(sha) ?? []))].sort(),
      reexport: {
        name: manifest.name,
        out: path.dirname(path.dirname(dir)),
        sessions: manifest.sessions.map((session) => session.id),
        cutDate: manifest.splits.cut,
        valDays: Math.max(0, Math.round((validationEnd - cut) / DAY_MS)),
        formats: [
          ...new Set(manifest.files.map((file) => file.format).filter((f) => f === 'parquet' || f === 'jsonl')),
        ],
        policyVersion: manifest.policyVersion,
        leaveOutOtherPolicies: manifest.notCarriedOver.count > 0,
      },
    });
  }
  return held;
}

/**
 * Deletes a version that holds restricted bytes, as the owner chose: only a folder listed by `versionsHolding` (a
 * version this workspace published), its folder then its record.
 */
export async function deleteHoldingVersion(
  workspace: Workspace,
  dir: string,
  holding: readonly RestrictedVersion[],
): Promise<{ deleted: string | null; reason?: string }> {
  const version = holding.find((entry) => path.resolve(entry.dir) === path.resolve(dir));
  if (!version)
    return {
      deleted: null,
      reason: `${dir} is not a dataset version holding restricted media (restricted.versions lists those); Sift deletes no other folder.`,
    };
  fs.rmSync(version.dir, { recursive: true, force: true });
  await workspace.withStore((conn) => conn.run('DELETE FROM dataset_versions WHERE dir = $dir', { dir: version.dir }));
  return { deleted: version.dir };
}
