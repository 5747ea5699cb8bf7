/**
 * The sample's short videos: a scene's shapes drifting for two seconds, painted frame by frame and encoded by
 * Debian's ffmpeg with bit-exact, single-threaded settings so the same ffmpeg writes the same bytes on every run.
 */
import { spawn } from 'node:child_process';
import { paint, type Scene } from './mediaScenes.js';

export type VideoFormat = 'webm' | 'mp4';

export const FFMPEG = process.env.SIFT_FFMPEG ?? '/usr/bin/ffmpeg';
const SIZE = { width: 320, height: 240 };
const FPS = 10;
const SECONDS = 2;

/** Bit-exact (no encoder version in the file), one thread (no scheduling-dependent output), a keyframe a second. */
const ENCODE: Record<VideoFormat, string[]> = {
  webm: ['-c:v', 'libvpx', '-deadline', 'good', '-cpu-used', '4', '-crf', '30', '-b:v', '300k'],
  mp4: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-pix_fmt', 'yuv420p'],
};
const COMMON = ['-g', String(FPS), '-threads', '1', '-an', '-map_metadata', '-1'];
const BITEXACT = ['-fflags', '+bitexact', '-flags:v', '+bitexact'];

function run(args: string[], input?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
      stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new Error(`Cannot run ${FFMPEG} (install Debian's ffmpeg): ${error.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${FFMPEG} failed (${code}) on ${args.at(-1)}: ${stderr.trim()}`)),
    );
    if (input && child.stdin) child.stdin.end(input);
  });
}

const extension = (target: string): VideoFormat => (target.endsWith('.mp4') ? 'mp4' : 'webm');

/** Two seconds of the scene, its shapes each drifting round a small loop of its own. */
export async function encodeVideo(scene: Scene, format: VideoFormat, target: string): Promise<void> {
  const frames: Buffer[] = [];
  for (let frame = 0; frame < FPS * SECONDS; frame++) {
    const t = (2 * Math.PI * frame) / (FPS * SECONDS);
    const drift = (index: number): [number, number] => [0.1 * Math.sin(t + index), 0.08 * Math.cos(t + 1.3 * index)];
    frames.push(paint(scene, SIZE.width, SIZE.height, drift).pixels);
  }
  const input = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${SIZE.width}x${SIZE.height}`, '-r', String(FPS)];
  await run([...input, '-i', 'pipe:0', ...ENCODE[format], ...COMMON, ...BITEXACT, target], Buffer.concat(frames));
}

/** A near-duplicate of a video: scaled to three quarters and re-encoded in the other container. */
export async function transcodeVideo(source: string, target: string): Promise<void> {
  const scale = ['-vf', `scale=${(SIZE.width * 3) / 4}:${(SIZE.height * 3) / 4}`];
  await run(['-i', source, ...scale, ...ENCODE[extension(target)], ...COMMON, ...BITEXACT, target]);
}
