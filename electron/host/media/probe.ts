/**
 * What a media file is, decided by what the decoder finds, never by its name: sharp's metadata for pictures
 * (jpeg, png, webp, gif; SVG is refused — sharp would render it, and an SVG is a program, not a picture), ffprobe
 * for video (mp4, webm). A picture or video frame over MAX_MEGAPIXELS is refused as a decompression bomb before any
 * pixel is decoded. ffprobe and ffmpeg read local files only (protocol and demuxer allow-lists): no network fetch.
 */
import os from 'node:os';
import type { Metadata } from 'sharp';
import { SiftError } from '../../../shared/errors.js';
import {
  IMAGE_FORMATS,
  isImageFormat,
  KEYFRAME_COUNT,
  MAX_MEGAPIXELS,
  MAX_PIXELS,
  type MediaFileInfo,
  type MediaFormat,
  VIDEO_FORMATS,
} from '../../../shared/media.js';
import { nodeChildProcess } from '../lazyBuiltins.js';
import { loadSharp } from './sharpLoader.js';

/** As the compute pool's threads (electron/engine/threadPriority.ts). */
const COMPUTE_NICE = 10;

export const FFMPEG = process.env.SIFT_FFMPEG ?? '/usr/bin/ffmpeg';
export const FFPROBE = process.env.SIFT_FFPROBE ?? '/usr/bin/ffprobe';
/** The demuxers ffprobe/ffmpeg may use on a registered file, and the only protocol: a local file. */
export const FF_INPUT_ARGS = [
  '-protocol_whitelist',
  'file',
  '-format_whitelist',
  'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm',
];

/** What probing a file learns: the registry row's facts about the file itself. */
export type ProbedMedia = Pick<MediaFileInfo, 'kind' | 'format' | 'width' | 'height' | 'frames' | 'durationS'>;

const ACCEPTED = [...IMAGE_FORMATS, ...VIDEO_FORMATS].join(', ');

export const mediaRefusal = (file: string, problem: string) =>
  new SiftError({ code: 'BAD_REQUEST', message: `${file}: ${problem}`, file });

/** Probes `file` (a real path); throws a SiftError naming `shown` (how the user wrote the file) and the problem. */
export async function probeMedia(file: string, shown: string): Promise<ProbedMedia> {
  let metadata: Metadata | null = null;
  try {
    metadata = await (await loadSharp())(file, { limitInputPixels: false }).metadata();
  } catch {
    metadata = null; // not a picture sharp knows: perhaps a video
  }
  if (metadata) {
    const format = String(metadata.format);
    if (format === 'svg')
      throw mediaRefusal(
        shown,
        'is an SVG drawing; Sift refuses SVG (it can carry scripts and links), whatever its name.',
      );
    if (!isImageFormat(format)) throw mediaRefusal(shown, `is a ${format} picture; Sift accepts ${ACCEPTED}.`);
    const width = metadata.width ?? 0;
    const height = metadata.pageHeight ?? metadata.height ?? 0;
    checkPixels(shown, width, height);
    return { kind: 'image', format, width, height, frames: 0, durationS: null };
  }
  return probeVideo(file, shown);
}

function checkPixels(shown: string, width: number, height: number): void {
  if (width <= 0 || height <= 0) throw mediaRefusal(shown, 'has no picture size; the file may be corrupt.');
  if (width * height > MAX_PIXELS)
    throw mediaRefusal(
      shown,
      `is ${width}×${height} pixels (${((width * height) / 1e6).toFixed(1)} megapixels), over the ${MAX_MEGAPIXELS}-megapixel limit: refused as a decompression bomb.`,
    );
}

interface FfprobeOutput {
  format?: { format_name?: string; duration?: string };
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number }[];
}

async function probeVideo(file: string, shown: string): Promise<ProbedMedia> {
  let probed: FfprobeOutput;
  try {
    const stdout = await run(FFPROBE, [
      '-v',
      'error',
      ...FF_INPUT_ARGS,
      '-show_entries',
      'format=format_name,duration:stream=codec_type,codec_name,width,height',
      '-of',
      'json',
      `file:${file}`,
    ]);
    probed = JSON.parse(stdout) as FfprobeOutput;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new SiftError({ code: 'INTERNAL', message: `${shown}: ffprobe (${FFPROBE}) is not installed.` });
    throw mediaRefusal(shown, `is not a picture or video Sift can read (${ACCEPTED}); the file may be corrupt.`);
  }
  const formatName = probed.format?.format_name ?? '';
  const streams = probed.streams ?? [];
  const video = streams.find((stream) => stream.codec_type === 'video');
  const webmCodecs = ['vp8', 'vp9', 'av1', 'opus', 'vorbis'];
  const format: MediaFormat | null = formatName.includes('mp4')
    ? 'mp4'
    : formatName.includes('webm') && streams.every((stream) => webmCodecs.includes(stream.codec_name ?? ''))
      ? 'webm'
      : null;
  if (!format || !video)
    throw mediaRefusal(shown, `is not a picture or video Sift can read (${ACCEPTED}); the file may be corrupt.`);
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  checkPixels(shown, width, height);
  const duration = Number(probed.format?.duration);
  const durationS = Number.isFinite(duration) && duration > 0 ? duration : 0;
  return { kind: 'video', format, width, height, frames: keyframeCount(durationS), durationS };
}

/** The keyframes a video yields: KEYFRAME_COUNT, or one a second for a shorter one (at least one). */
export function keyframeCount(durationS: number): number {
  return Math.max(1, Math.min(KEYFRAME_COUNT, Math.floor(durationS)));
}

/** Runs a tool (no shell) and answers its stdout; rejects on a non-zero exit, with stderr's last line. */
export function run(tool: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = nodeChildProcess().execFile(
      tool,
      args,
      { maxBuffer: 16 * 1024 * 1024, signal, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const last = stderr.trim().split('\n').at(-1);
          reject(Object.assign(error, { detail: last ?? '' }));
        } else resolve(stdout);
      },
    );
    // Decoding and encoding video is computing work: it yields the CPU to the serving threads (docs/processes.md).
    try {
      if (child.pid !== undefined) os.setPriority(child.pid, COMPUTE_NICE);
    } catch {
      // not permitted here: it runs at the engine's priority
    }
  });
}
