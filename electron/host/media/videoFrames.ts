/**
 * A video's derivatives, made by Debian's ffmpeg in a child process (never in the engine): `keyframe-<i>.jpg`, the
 * video's `frames` pictures spread evenly over its duration (≤ DISPLAY_MAX_PX), and `video.webm`, a small VP8/Opus
 * rendition (≤ VIDEO_RENDITION_MAX_PX, the first VIDEO_RENDITION_MAX_SECONDS) the viewer plays muted or not.
 * ffmpeg reads only the registered original, a local file (probe.ts FF_INPUT_ARGS).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  DISPLAY_MAX_PX,
  type MediaFileInfo,
  VIDEO_RENDITION_MAX_PX,
  VIDEO_RENDITION_MAX_SECONDS,
} from '../../../shared/media.js';
import { FF_INPUT_ARGS, FFMPEG, run } from './probe.js';

const fit = (px: number) =>
  `scale='min(${px},iw)':'min(${px},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2`;

/** Makes what is missing of the keyframes and the webm rendition in `dir`; throws when ffmpeg cannot decode it. */
export async function makeVideoDerivatives(
  original: string,
  dir: string,
  file: Pick<MediaFileInfo, 'frames' | 'durationS'>,
  signal?: AbortSignal,
): Promise<void> {
  const frames = Math.max(1, file.frames);
  if (!fs.existsSync(path.join(dir, `keyframe-${frames - 1}.jpg`))) {
    const work = fs.mkdtempSync(path.join(dir, 'frames-'));
    try {
      const rate = file.durationS && file.durationS > 0 ? frames / file.durationS : 1;
      await run(
        FFMPEG,
        [
          '-v',
          'error',
          ...FF_INPUT_ARGS,
          '-i',
          `file:${original}`,
          '-vf',
          `fps=${rate.toFixed(6)},${fit(DISPLAY_MAX_PX)}`,
        ].concat(['-frames:v', String(frames), '-q:v', '4', '-start_number', '0', path.join(work, 'k-%d.jpg')]),
        signal,
      );
      const made = fs.readdirSync(work).filter((name) => /^k-\d+\.jpg$/.test(name));
      if (made.length === 0) throw new Error('ffmpeg found no frame to decode');
      // A short video may give fewer frames than asked: the last one stands in for the rest.
      for (let i = frames - 1; i >= 0; i--) {
        const source = path.join(work, `k-${Math.min(i, made.length - 1)}.jpg`);
        if (i < made.length) fs.renameSync(source, path.join(dir, `keyframe-${i}.jpg`));
        else fs.copyFileSync(source, path.join(dir, `keyframe-${i}.jpg`));
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const webm = path.join(dir, 'video.webm');
  if (!fs.existsSync(webm)) {
    const partial = `${webm}.${process.pid}.partial.webm`;
    try {
      await run(
        FFMPEG,
        ['-v', 'error', ...FF_INPUT_ARGS, '-i', `file:${original}`, '-t', String(VIDEO_RENDITION_MAX_SECONDS)]
          .concat(['-vf', fit(VIDEO_RENDITION_MAX_PX), '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'])
          .concat(['-b:v', '400k', '-c:a', 'libopus', '-b:a', '48k', '-y', partial]),
        signal,
      );
      fs.renameSync(partial, webm);
    } finally {
      fs.rmSync(partial, { force: true });
    }
  }
}
