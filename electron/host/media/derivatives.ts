/**
 * The derivatives Sift makes of a registered original and serves instead of it (docs/media.md), cached in
 * `.sift/media/cache/<sha256>/`: `thumb.jpg` (≤ THUMB_MAX_PX), `display.jpg` (≤ DISPLAY_MAX_PX), `shielded.jpg`
 * (blurred and grey, made on the server), and for a video `keyframe-<i>.jpg` and `video.webm` (videoFrames.ts).
 * Pictures are decoded by sharp on libuv's pool and libvips' threads, never on the serving thread; each file is
 * written aside and renamed, so a reader never sees half a derivative. A file that cannot be decoded (corrupt,
 * truncated, over the pixel limit) throws a MediaDecodeError naming it: the caller records it and serves a
 * placeholder.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  DISPLAY_MAX_PX,
  MAX_PIXELS,
  type MediaFileInfo,
  type MediaRendition,
  SHIELD_BLUR_SIGMA,
  SHIELD_MAX_PX,
  THUMB_MAX_PX,
} from '../../../shared/media.js';
import { HASH_RASTER_SIZE, perceptualHash } from '../../../shared/perceptualHash.js';
import { cacheDir, originalPath } from './mediaStore.js';
import { loadSharp } from './sharpLoader.js';
import { makeVideoDerivatives } from './videoFrames.js';

export class MediaDecodeError extends Error {}

/** Transparent pictures are flattened on this grey before JPEG encoding. */
const BACKGROUND = '#808080';

/** What media.get serves, and the shielded rendition it serves instead of any of them when it must. */
export type Derivative = MediaRendition | 'shielded';

export const derivativeName = (rendition: Derivative, frame = 0) =>
  rendition === 'keyframe' ? `keyframe-${frame}.jpg` : rendition === 'video' ? 'video.webm' : `${rendition}.jpg`;

/** Writes `bytes` to `target` through a temporary name in the same folder. */
export async function writeAtomically(target: string, bytes: Buffer): Promise<void> {
  const partial = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
  await fs.promises.writeFile(partial, bytes);
  await fs.promises.rename(partial, target);
}

/** sharp over a picture file, with the pixel limit enforced while decoding and a truncated file an error. */
async function decode(file: string) {
  const sharp = await loadSharp();
  return sharp(file, { limitInputPixels: MAX_PIXELS, failOn: 'truncated' }).rotate();
}

/**
 * The thumbnail of a picture, written to `target`: the path media.get takes for a thumb not cached yet, and the
 * one bench/media.ts measures against sharp's own resize.
 */
export async function makeThumbnail(picture: string, target: string): Promise<void> {
  const image = await decode(picture);
  const bytes = await image
    .resize(THUMB_MAX_PX, THUMB_MAX_PX, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: BACKGROUND })
    .jpeg({ quality: 80 })
    .toBuffer();
  await writeAtomically(target, bytes);
}

/** The display rendition (and the shielded one made from it) of a picture. */
async function makeDisplay(picture: string, dir: string): Promise<void> {
  const sharp = await loadSharp();
  const { data, info } = await (
    await decode(picture)
  )
    .resize(DISPLAY_MAX_PX, DISPLAY_MAX_PX, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: BACKGROUND })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const [display, shielded] = await Promise.all([
    sharp(data, raw).jpeg({ quality: 85 }).toBuffer(),
    sharp(data, raw)
      .resize(SHIELD_MAX_PX, SHIELD_MAX_PX, { fit: 'inside', withoutEnlargement: true })
      .blur(SHIELD_BLUR_SIGMA)
      .greyscale()
      .jpeg({ quality: 70 })
      .toBuffer(),
  ]);
  await writeAtomically(path.join(dir, 'shielded.jpg'), shielded);
  await writeAtomically(path.join(dir, 'display.jpg'), display);
}

/** The pHash of a picture: reduced to a 32×32 grey raster by sharp, hashed by shared/perceptualHash.ts. */
export async function pictureHash(picture: string): Promise<string> {
  const raster = await (
    await decode(picture)
  )
    .resize(HASH_RASTER_SIZE, HASH_RASTER_SIZE, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
  return perceptualHash(new Uint8Array(raster.buffer, raster.byteOffset, raster.length));
}

/**
 * Makes one derivative of a file (and those made with it) unless cached; answers its path. A video's thumb, display
 * and shielded renditions are those of its first keyframe.
 */
export async function ensureDerivative(
  workspaceDir: string,
  file: MediaFileInfo,
  rendition: Derivative,
  frame = 0,
  signal?: AbortSignal,
): Promise<string> {
  const dir = cacheDir(workspaceDir, file.sha256);
  const target = path.join(dir, derivativeName(rendition, frame));
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(dir, { recursive: true });
  const original = originalPath(workspaceDir, file.sha256, file.format);
  try {
    if (file.kind === 'video') {
      if (rendition === 'keyframe' || rendition === 'video' || !fs.existsSync(path.join(dir, 'keyframe-0.jpg')))
        await makeVideoDerivatives(original, dir, file, signal);
      if (rendition !== 'keyframe' && rendition !== 'video' && !fs.existsSync(target))
        await pictureDerivative(path.join(dir, 'keyframe-0.jpg'), dir, rendition);
    } else {
      if (rendition === 'keyframe' || rendition === 'video')
        throw new MediaDecodeError(`a picture has no ${rendition} rendition`);
      await pictureDerivative(original, dir, rendition);
    }
  } catch (error) {
    if (error instanceof MediaDecodeError || signal?.aborted) throw error;
    throw new MediaDecodeError(describeDecodeError(error));
  }
  if (!fs.existsSync(target)) throw new MediaDecodeError(`no ${derivativeName(rendition, frame)} could be made`);
  return target;
}

async function pictureDerivative(picture: string, dir: string, rendition: 'thumb' | 'display' | 'shielded') {
  if (rendition === 'thumb') await makeThumbnail(picture, path.join(dir, 'thumb.jpg'));
  else await makeDisplay(picture, dir);
}

/** The decoder's complaint in words (sharp's first line; "Input file … exceeds pixel limit" and the like). */
export function describeDecodeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0]!.trim();
  if (/pixel limit/i.test(first)) return 'it is over the pixel limit (a decompression bomb)';
  if (/premature end|truncated|unexpected end/i.test(message)) return 'the file is truncated';
  return `the file cannot be decoded (${first || 'no detail'})`;
}
