/**
 * Content items with real media files for the media viewer's e2e spec and bench: distinct JPEGs drawn with sharp from
 * raw pixels (a hue per image, a bright block placed by its index, so no two look alike), short mp4 videos from
 * Debian's ffmpeg (its testsrc pattern), and a truncated JPEG (a file Sift must show as a placeholder). Written into
 * `dir` with a CSV of content rows whose `media` column names each file relative to the CSV, ready for
 * `sift import FILE --table content --media-column media`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export interface MediaItemsSpec {
  /** Image items (JPEG, width × height pixels). */
  images: number;
  width?: number;
  height?: number;
  /** Video items (4 s mp4s). */
  videos?: number;
  /** Text-only items (no media). */
  texts?: number;
  /** One item whose JPEG is cut short. */
  truncated?: boolean;
  /** content_id prefix, so the items join a workspace that has content already. */
  prefix?: string;
}

/** The CSV's columns, each its canonical content column. */
const COLUMNS = ['content_id', 'user_id', 'surface', 'content_type', 'language', 'text', 'created_at', 'has_image'];

export interface MediaItems {
  csv: string;
  /** `sift import` arguments that put these rows in place of the workspace's content, registering their media. */
  importArgs: string[];
  imageIds: string[];
  videoIds: string[];
  textIds: string[];
  truncatedId: string | null;
}

function pixels(index: number, width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  const hue = (index * 47) % 360;
  const [r, g, b] = [0, 120, 240].map((shift) => Math.round(127 + 120 * Math.cos(((hue + shift) * Math.PI) / 180)));
  const blockX = ((index * 7) % 10) / 10;
  const blockY = ((index * 3) % 10) / 10;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      const inBlock =
        x / width >= blockX && x / width < blockX + 0.1 && y / height >= blockY && y / height < blockY + 0.1;
      const shade = 0.55 + (0.45 * (x + y)) / (width + height);
      data[at] = inBlock ? 255 : Math.round(r! * shade);
      data[at + 1] = inBlock ? 255 : Math.round(g! * shade);
      data[at + 2] = inBlock ? 255 : Math.round(b! * shade);
    }
  return data;
}

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export async function writeMediaItems(dir: string, spec: MediaItemsSpec): Promise<MediaItems> {
  const { width = 1200, height = 900, videos = 0, texts = 0, prefix = 'm' } = spec;
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  const rows: string[][] = [];
  const row = (id: string, type: string, text: string, media: string) =>
    rows.push([id, `u_${id}`, 'post', type, 'en', text, '2024-03-01 12:00:00', media === '' ? 'false' : 'true', media]);
  const imageIds: string[] = [];
  for (let i = 0; i < spec.images; i++) {
    const id = `${prefix}img${String(i).padStart(3, '0')}`;
    const file = `files/${id}.jpg`;
    await sharp(pixels(i, width, height), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 85 })
      .toFile(path.join(dir, file));
    row(id, 'image', `Picture ${i + 1}: look at what I found`, file);
    imageIds.push(id);
  }
  const videoIds: string[] = [];
  for (let i = 0; i < videos; i++) {
    const id = `${prefix}vid${String(i).padStart(3, '0')}`;
    const file = `files/${id}.mp4`;
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=duration=4:size=320x240:rate=10`],
      ...['-vf', `hue=h=${i * 60}`, '-pix_fmt', 'yuv420p', path.join(dir, file)],
    ]);
    row(id, 'video', `Video ${i + 1}: watch this`, file);
    videoIds.push(id);
  }
  let truncatedId: string | null = null;
  if (spec.truncated) {
    truncatedId = `${prefix}broken`;
    const file = `files/${truncatedId}.jpg`;
    const whole = await sharp(pixels(99, 400, 300), { raw: { width: 400, height: 300, channels: 3 } })
      .jpeg()
      .toBuffer();
    fs.writeFileSync(path.join(dir, file), whole.subarray(0, Math.floor(whole.length / 3)));
    row(truncatedId, 'image', 'A picture that was cut short', file);
  }
  const textIds: string[] = [];
  for (let i = 0; i < texts; i++) {
    const id = `${prefix}txt${String(i).padStart(3, '0')}`;
    row(id, 'text', `Just words here, number ${i + 1}, nothing to see`, '');
    textIds.push(id);
  }
  const csv = path.join(dir, 'media_items.csv');
  fs.writeFileSync(
    csv,
    `${[...COLUMNS, 'media'].join(',')}\n${rows.map((cells) => cells.map(csvCell).join(',')).join('\n')}\n`,
  );
  const importArgs = [
    ...['import', csv, '--as', 'content', '--when-taken', 'replace', '--media-column', 'media'],
    ...['--map', [...COLUMNS, 'media'].map((column) => `${column}=${column}`).join(',')],
  ];
  return { csv, importArgs, imageIds, videoIds, textIds, truncatedId };
}
