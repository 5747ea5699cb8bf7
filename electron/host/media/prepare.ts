/**
 * media.prepare: every derivative of the registered media (derivatives.ts, videoFrames.ts) and their perceptual
 * hashes (media_hashes: frame 0 of a picture, each keyframe of a video), made off the serving thread a few files at
 * a time, with progress, cancellable between files. A file that cannot be decoded is recorded (status error, the
 * file and the problem named) and counted; the job goes on. Already made and hashed: counted as cached.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SiftError } from '../../../shared/errors.js';
import type { MediaFileInfo, MediaPrepareResult } from '../../../shared/media.js';
import type { JobContext } from '../jobs.js';
import type { Workspace } from '../workspace/workspace.js';
import { derivativeName, ensureDerivative, MediaDecodeError, pictureHash, type Derivative } from './derivatives.js';
import {
  cacheDir,
  hashCounts,
  mediaOfItems,
  originalPath,
  setMediaStatus,
  sourcePaths,
  writeMediaHashes,
} from './mediaStore.js';

/** Files prepared at once: libuv's pool has four threads and DuckDB's calls need some of them. */
const PARALLEL = 2;
const MAX_ERRORS = 50;

/** The derivatives a prepared file has. */
function derivativesOf(file: MediaFileInfo): [Derivative, number][] {
  const pictures: [Derivative, number][] = [
    ['thumb', 0],
    ['display', 0],
    ['shielded', 0],
  ];
  if (file.kind === 'image') return pictures;
  return [
    ...pictures,
    ['video', 0],
    ...Array.from({ length: file.frames }, (_, i): [Derivative, number] => ['keyframe', i]),
  ];
}

export async function prepareMedia(
  workspace: Workspace,
  contentIds: readonly string[] | undefined,
  ctx: JobContext,
): Promise<MediaPrepareResult> {
  const all = (await mediaOfItems(workspace, contentIds)).filter((file) => file.status !== 'purged');
  const files = [...new Map(all.map((file) => [file.sha256, file])).values()];
  const shas = files.map((file) => file.sha256);
  const [hashed, sources] = await Promise.all([hashCounts(workspace, shas), sourcePaths(workspace, shas)]);
  const result: MediaPrepareResult = { files: files.length, prepared: 0, cached: 0, failed: 0, errors: [] };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length && !ctx.signal.aborted) {
      const file = files[next++]!;
      const dir = cacheDir(workspace.dir, file.sha256);
      const made = derivativesOf(file).every(([kind, frame]) =>
        fs.existsSync(path.join(dir, derivativeName(kind, frame))),
      );
      if (made && (hashed.get(file.sha256) ?? 0) >= Math.max(1, file.frames) && file.status === 'ok') result.cached++;
      else {
        try {
          await prepareFile(workspace, file, ctx.signal);
          if (file.status === 'error') await setMediaStatus(workspace, file.sha256, 'ok', null);
          result.prepared++;
        } catch (error) {
          if (ctx.signal.aborted) break;
          const name = path.basename(sources.get(file.sha256) ?? file.sha256);
          const message = `${name}: ${error instanceof MediaDecodeError ? error.message : String(error)}`;
          await setMediaStatus(workspace, file.sha256, 'error', message);
          result.failed++;
          if (result.errors.length < MAX_ERRORS) result.errors.push(message);
          ctx.log(message);
        }
      }
      ctx.progress(++done / files.length, `Preparing media ${done}/${files.length}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, files.length) }, worker));
  if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Preparing media cancelled.' });
  ctx.progress(1, `Prepared ${result.prepared} media files (${result.cached} cached, ${result.failed} failed)`);
  return result;
}

/** Every derivative of one file, then its hashes. Throws MediaDecodeError naming the problem. */
async function prepareFile(workspace: Workspace, file: MediaFileInfo, signal: AbortSignal): Promise<void> {
  for (const [kind, frame] of derivativesOf(file)) await ensureDerivative(workspace.dir, file, kind, frame, signal);
  const dir = cacheDir(workspace.dir, file.sha256);
  const pictures =
    file.kind === 'image'
      ? [originalPath(workspace.dir, file.sha256, file.format)]
      : Array.from({ length: file.frames }, (_, i) => path.join(dir, derivativeName('keyframe', i)));
  const hashes: { frame: number; phash: string }[] = [];
  for (const [frame, picture] of pictures.entries()) {
    try {
      hashes.push({ frame, phash: await pictureHash(picture) });
    } catch (error) {
      throw new MediaDecodeError(`its perceptual hash could not be computed (${String(error)})`);
    }
  }
  await writeMediaHashes(workspace, file.sha256, hashes);
}
