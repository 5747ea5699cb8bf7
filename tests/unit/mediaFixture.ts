/**
 * Real media files for the media tests (issue 26), made once per test file in a temp folder: pictures drawn with
 * sharp from raw pixels (jpeg, png, webp, gif), a short video with Debian's ffmpeg, an SVG, a truncated JPEG, a
 * > 50-megapixel palette PNG (small on disk, a bomb to decode), a file of garbage and a symbolic link out.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { tempDir } from './support';

export interface MediaFixture {
  /** The folder of the CSV to import: the pictures are in `media/` below it. */
  dir: string;
  /** A folder elsewhere (outside the CSV's folder and the workspace). */
  outside: string;
}

/** A deterministic picture: a gradient with a block whose place depends on `seed`. */
export async function picture(width: number, height: number, seed: number): Promise<Sharp> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inBlock =
        Math.abs(x - ((seed * 37) % width)) < width / 5 && Math.abs(y - ((seed * 53) % height)) < height / 5;
      pixels[i] = inBlock ? 250 : (x * 255) / width;
      pixels[i + 1] = inBlock ? 30 : (y * 255) / height;
      pixels[i + 2] = (seed * 71) % 255;
    }
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

export async function makeMediaFixture(): Promise<MediaFixture> {
  const dir = tempDir('sift-media-src-');
  const outside = tempDir('sift-media-outside-');
  const media = path.join(dir, 'media');
  fs.mkdirSync(media);
  await (await picture(320, 240, 1)).jpeg().toFile(path.join(media, 'a.jpg'));
  await (await picture(200, 300, 2)).png().toFile(path.join(media, 'b.png'));
  await (await picture(160, 160, 3)).webp().toFile(path.join(media, 'c.webp'));
  await (await picture(120, 90, 4)).gif().toFile(path.join(media, 'd.gif'));
  // A JPEG under a PNG name: the decoder decides.
  await (await picture(100, 100, 5)).jpeg().toFile(path.join(media, 'really-a-jpeg.png'));
  execFileSync('/usr/bin/ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10:duration=3',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-y',
    path.join(media, 'clip.mp4'),
  ]);
  fs.writeFileSync(
    path.join(media, 'drawing.jpg'), // an SVG under a picture's name
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>',
  );
  const jpeg = fs.readFileSync(path.join(media, 'a.jpg'));
  fs.writeFileSync(path.join(media, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  fs.writeFileSync(
    path.join(media, 'garbage.jpg'),
    Buffer.from('this is not a picture at all, just text\n'.repeat(20)),
  );
  fs.writeFileSync(path.join(media, 'bomb.png'), bombPng(8000, 7000));
  await (await picture(50, 50, 6)).jpeg().toFile(path.join(outside, 'secret.jpg'));
  fs.symlinkSync(path.join(outside, 'secret.jpg'), path.join(media, 'link-out.jpg'));
  return { dir, outside };
}

/** A 1-bit greyscale PNG of one colour, written by hand: width×height pixels in a few kilobytes (a decompression bomb). */
export function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc(height * (1 + Math.ceil(width / 8))); // filter byte 0 and black pixels, row after row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
