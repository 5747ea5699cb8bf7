/**
 * The retention of restricted media: when the workspace sets N days, the bytes of restricted media (the original and
 * every derivative in the cache) are deleted N days after the later of their registration and their restriction.
 * What stays: media_files' rows (status `purged`), media_hashes, labels and embeddings — training reads hashes and
 * embeddings, not bytes. The clock is passed in (tests; the host passes the time of the check).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PurgeOutcome } from '../../../shared/contract.js';
import { purgeDueAt } from '../../../shared/restrictedMedia.js';
import type { Workspace } from '../workspace/workspace.js';
import { cacheDir, originalsDir } from './mediaStore.js';
import type { RestrictedFile } from './restrictedItems.js';
import { readRetention } from './restrictedStore.js';

/** Every copy of a file's bytes the registry keeps (docs/media.md): its original(s) and its folder of derivatives. */
export function mediaBytesPaths(workspaceDir: string, sha256: string): string[] {
  const originals = originalsDir(workspaceDir);
  const named = fs.existsSync(originals)
    ? fs.readdirSync(originals).filter((file) => file.startsWith(`${sha256}.`))
    : [];
  return [...named.map((file) => path.join(originals, file)), cacheDir(workspaceDir, sha256)];
}

/** Each restricted file (by SHA-256) with when its bytes are due to go (null: kept, no retention set). */
export function dueDates(files: readonly RestrictedFile[], days: number | null): Map<string, Date | null> {
  const bySha = new Map<string, { registered: Date; since: Date }>();
  for (const file of files) {
    const seen = bySha.get(file.sha256);
    bySha.set(file.sha256, {
      registered: seen && seen.registered < file.registeredAt ? seen.registered : file.registeredAt,
      since: seen && seen.since < file.restrictedSince ? seen.since : file.restrictedSince,
    });
  }
  return new Map([...bySha].map(([sha, { registered, since }]) => [sha, purgeDueAt(registered, since, days)]));
}

/**
 * Purges what is due at `now` among `files` (every restricted file: restrictedNow). The store says `purged` before the bytes go, so a crash between the two leaves a
 * row that media.get answers with the purged placeholder, and the next check deletes what is left.
 */
export async function purgeDue(
  workspace: Workspace,
  files: readonly RestrictedFile[],
  now: Date,
): Promise<PurgeOutcome> {
  const { days } = await readRetention(workspace);
  const due = [...dueDates(files, days)].filter(([, at]) => at !== null && at.getTime() <= now.getTime());
  const purged: PurgeOutcome['purged'] = [];
  for (const [sha256] of due) {
    const fresh = files.some((file) => file.sha256 === sha256 && file.status !== 'purged');
    if (fresh)
      await workspace.withStore((conn) =>
        conn.run(`UPDATE media_files SET status = 'purged' WHERE sha256 = $sha256`, { sha256 }),
      );
    for (const target of mediaBytesPaths(workspace.dir, sha256)) fs.rmSync(target, { recursive: true, force: true });
    if (fresh)
      purged.push({
        sha256,
        contentIds: [...new Set(files.filter((file) => file.sha256 === sha256).map((file) => file.contentId))],
      });
  }
  const dueShas = new Set(due.map(([sha]) => sha));
  return { purged, kept: new Set(files.map((file) => file.sha256).filter((sha) => !dueShas.has(sha))).size };
}
