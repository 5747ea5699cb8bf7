/**
 * Registering an item's media files (docs/media.md): each path, as the export wrote it, resolved relative to the
 * imported file's folder, must lead (symbolic links followed) to a regular file inside the workspace or a folder the
 * user added — the imported file's own folder, and a confined host's `--folder` folders — and never into Sift's own
 * folder; its format is what the decoder finds (probe.ts); its bytes are copied, content-addressed, into
 * `.sift/media/originals/<sha256>.<ext>`. A refusal names the row and the path, and undoes the copies it made.
 *
 * In two steps so an import stays all or nothing: `stageMedia` checks and copies every file (inside the import's
 * transaction, before its commit), then `commitMedia` writes the registry rows; `discardStaged` undoes a stage.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SiftError, toErrorInfo } from '../../../shared/errors.js';
import type { JobContext } from '../jobs.js';
import { isInside, realPathOf } from '../workspace/fileAccess.js';
import { SIFT_DIR, type Workspace } from '../workspace/workspace.js';
import { type MediaFileRow, originalPath, originalsDir, writeMediaRows } from './mediaStore.js';
import { probeMedia } from './probe.js';

/** One item's media as its row holds them: `row` is 1-based among the file's rows, for the refusal's words. */
export interface MediaReference {
  contentId: string;
  row: number;
  paths: string[];
}

export interface StagedMedia {
  /** Every item the registration covers (its old media rows are replaced, by none when it has no paths). */
  contentIds: string[];
  rows: MediaFileRow[];
  /** Originals this stage copied in (not there before): removed again if the registration is undone. */
  copied: string[];
}

/** Files probed, hashed and copied at once: enough to overlap disk and decoder, few enough to leave the loop free. */
const PARALLEL = 4;

/** The folders media may come from for a file imported from `baseDir`. */
export function mediaRoots(workspace: Workspace, baseDir: string): string[] {
  const access = workspace.fileAccess;
  return [workspace.dir, baseDir, ...(access.kind === 'confined' ? access.folders : [])];
}

/** Checks and copies every file of `refs`; throws (naming the row and the path) with nothing left behind. */
export async function stageMedia(
  workspace: Workspace,
  refs: readonly MediaReference[],
  baseDir: string,
  ctx?: Pick<JobContext, 'signal' | 'progress'>,
): Promise<StagedMedia> {
  const roots = mediaRoots(workspace, baseDir);
  const siftDir = path.join(workspace.dir, SIFT_DIR);
  const jobs = refs.flatMap((ref) => ref.paths.map((given, position) => ({ ref, given, position })));
  const staged: StagedMedia = { contentIds: refs.map((ref) => ref.contentId), rows: [], copied: [] };
  fs.mkdirSync(originalsDir(workspace.dir), { recursive: true });
  let next = 0;
  let done = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < jobs.length) {
      const job = jobs[next++]!;
      if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Registering media cancelled.' });
      const { ref, given, position } = job;
      const where = `row ${ref.row} (content_id ${ref.contentId}): ${given}`;
      try {
        const real = resolveMediaPath(path.resolve(baseDir, given), roots, siftDir);
        const probed = await probeMedia(real, given);
        const { sha256, bytes, copied } = await copyOriginal(workspace.dir, real, probed.format);
        if (copied) staged.copied.push(originalPath(workspace.dir, sha256, probed.format));
        staged.rows.push({
          contentId: ref.contentId,
          position,
          sha256,
          ...probed,
          bytes,
          sourcePath: real,
          status: 'ok',
          error: null,
        });
      } catch (error) {
        const info = toErrorInfo(error);
        const problem = info.message.startsWith(`${given}: `) ? info.message.slice(given.length + 2) : info.message;
        failure ??= new SiftError({ ...info, message: `Media: ${where}: ${problem}`, file: given });
      }
      ctx?.progress(jobs.length ? ++done / jobs.length : 1, `Registering media ${done}/${jobs.length}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, jobs.length) }, worker));
  } catch (error) {
    failure ??= error;
  }
  if (failure !== null) {
    discardStaged(staged);
    throw failure;
  }
  staged.rows.sort((a, b) => a.contentId.localeCompare(b.contentId) || a.position - b.position);
  return staged;
}

/** Writes the registry rows of a stage, in one store transaction (old rows of its items replaced). */
export async function commitMedia(workspace: Workspace, staged: StagedMedia): Promise<void> {
  await workspace.withStore(async (conn) => {
    await conn.run('BEGIN TRANSACTION');
    try {
      await writeMediaRows(conn, staged.contentIds, staged.rows);
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/** Removes the originals a stage copied in (others may share a file already there: those stay). */
export function discardStaged(staged: StagedMedia): void {
  for (const file of staged.copied) fs.rmSync(file, { force: true });
}

/**
 * Registers media in one step (the sample workspace, scripts): stage then commit, undoing the copies if the
 * registry write fails. Answers the number of files registered.
 */
export async function registerMedia(
  workspace: Workspace,
  refs: readonly MediaReference[],
  baseDir: string,
): Promise<number> {
  const staged = await stageMedia(workspace, refs, baseDir);
  try {
    await commitMedia(workspace, staged);
  } catch (error) {
    discardStaged(staged);
    throw error;
  }
  return staged.rows.length;
}

/** The real path of a media file, if it is a regular file inside `roots` and outside Sift's own folder. */
function resolveMediaPath(resolved: string, roots: readonly string[], siftDir: string): string {
  // Inside the roots first: a refusal never says whether a path outside exists.
  const real = realPathOf(resolved);
  if (!isInside(real, [...roots]) || isInside(real, [siftDir]) || real === siftDir)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `leads outside the folders media may come from (${roots.filter((root, i) => roots.indexOf(root) === i).join(', ')}): refused.`,
      file: resolved,
    });
  if (!fs.existsSync(real)) throw new SiftError({ code: 'NOT_FOUND', message: 'no such file.', file: resolved });
  if (!fs.statSync(real).isFile())
    throw new SiftError({ code: 'BAD_REQUEST', message: 'is not a regular file.', file: resolved });
  return real;
}

/** Hashes `file` and copies it into originals/ under its SHA-256 (written aside, then renamed: never half a file). */
async function copyOriginal(
  workspaceDir: string,
  file: string,
  format: Parameters<typeof originalPath>[2],
): Promise<{ sha256: string; bytes: number; copied: boolean }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  const sha256 = hash.digest('hex');
  const target = originalPath(workspaceDir, sha256, format);
  if (fs.existsSync(target)) return { sha256, bytes, copied: false };
  const partial = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
  await fs.promises.copyFile(file, partial);
  fs.renameSync(partial, target);
  return { sha256, bytes, copied: true };
}
