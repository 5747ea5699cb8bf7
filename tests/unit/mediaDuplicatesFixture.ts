/**
 * A generated near-duplicate image set: distinct synthetic pictures drawn with sharp from raw pixels (waves of
 * brightness at every scale, shapes, stripes and grain), each with the copies a repost makes — resized (0.4–0.8× or
 * 1.5×), recompressed as JPEG at quality 40–60, lightly cropped (at most 10% of the area: 2–5% of each side's
 * length, split unevenly), watermarked (a line of half-transparent "text" in a corner), and reposted (resized,
 * watermarked and recompressed at once). Every copy is written as a file and hashed through the reduction media
 * preparation uses (electron/host/media/imageHash.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { perceptualHashOfImage } from '../../electron/host/media/imageHash';
import { Random } from '../../shared/random';

export const COPY_KINDS = ['original', 'resized', 'recompressed', 'cropped', 'watermarked', 'reposted'] as const;
export type CopyKind = (typeof COPY_KINDS)[number];

export interface HashedCopy {
  /** Which distinct picture this is a copy of. */
  family: number;
  kind: CopyKind;
  phash: string;
}

type Rgb = [number, number, number];

interface Canvas {
  width: number;
  height: number;
  pixels: Float32Array;
}

const randomColor = (rng: Random): Rgb => [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];

function paint(canvas: Canvas, x: number, y: number, color: Rgb, alpha = 1): void {
  const at = (y * canvas.width + x) * 3;
  const pixels = canvas.pixels;
  pixels[at] = pixels[at]! * (1 - alpha) + color[0] * alpha;
  pixels[at + 1] = pixels[at + 1]! * (1 - alpha) + color[1] * alpha;
  pixels[at + 2] = pixels[at + 2]! * (1 - alpha) + color[2] * alpha;
}

/**
 * One distinct picture: nothing but the seed decides it. Like a photograph its brightness varies at every scale
 * (random waves whose strength falls with frequency, as natural images' spectra fall as 1/f), with shapes and
 * stripes on top; a flat gradient alone would leave the low frequencies the hash reads nearly empty.
 */
function drawPicture(rng: Random): Canvas {
  const width = rng.int(160, 280);
  const height = rng.int(120, 240);
  const canvas: Canvas = { width, height, pixels: new Float32Array(width * height * 3) };
  // A dark and a light colour: a photograph spans most of the grey range (one that does not hashes unreliably).
  const from: Rgb = [rng.int(0, 100), rng.int(0, 100), rng.int(0, 100)];
  const to: Rgb = [rng.int(155, 255), rng.int(155, 255), rng.int(155, 255)];
  // Each wave cos(a(x) + b(y)) = cos a cos b − sin a sin b: the trigonometry per row and column, not per pixel.
  const waves = Array.from({ length: 12 }, () => {
    const [fx, fy, phase] = [rng.int(0, 6), rng.int(0, 6), rng.next() * Math.PI * 2];
    const amplitude = 90 / (1 + Math.hypot(fx, fy));
    const along = (size: number, f: number, offset: number, trig: (angle: number) => number) =>
      Float64Array.from({ length: size }, (_, i) => trig((Math.PI * f * i) / size + offset));
    return {
      cosX: along(width, fx, phase, Math.cos),
      sinX: along(width, fx, phase, Math.sin),
      cosY: along(height, fy, 0, (angle) => amplitude * Math.cos(angle)),
      sinY: along(height, fy, 0, (angle) => amplitude * Math.sin(angle)),
    };
  });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let shade = 0;
      for (const wave of waves) shade += wave.cosX[x]! * wave.cosY[y]! - wave.sinX[x]! * wave.sinY[y]!;
      const t = Math.max(0, Math.min(1, 0.5 + shade / 255));
      const at = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) canvas.pixels[at + c] = from[c]! * (1 - t) + to[c]! * t;
    }
  }
  const shapes = rng.int(4, 9);
  for (let s = 0; s < shapes; s++) {
    const color = randomColor(rng);
    const [cx, cy] = [rng.int(0, width), rng.int(0, height)];
    const [rx, ry] = [rng.int(Math.ceil(width / 12), width >> 2), rng.int(Math.ceil(height / 12), height >> 2)];
    const kind = rng.pick(['ellipse', 'rectangle', 'stripes'] as const);
    const period = rng.int(6, 20);
    for (let y = Math.max(0, cy - ry); y < Math.min(height, cy + ry); y++) {
      for (let x = Math.max(0, cx - rx); x < Math.min(width, cx + rx); x++) {
        const inside =
          kind === 'ellipse'
            ? ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
            : kind === 'rectangle' || Math.floor((x + y) / period) % 2 === 0;
        if (inside) paint(canvas, x, y, color, kind === 'stripes' ? 0.7 : 1);
      }
    }
  }
  // Grain, as a photograph has: the copies must match through it, not thanks to flat colour.
  for (let i = 0; i < canvas.pixels.length; i++) canvas.pixels[i] = canvas.pixels[i]! + rng.int(-12, 12);
  return canvas;
}

function toBytes(canvas: Canvas): Buffer {
  const bytes = Buffer.alloc(canvas.pixels.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(canvas.pixels[i]!)));
  return bytes;
}

const fromCanvas = (canvas: Canvas) =>
  sharp(toBytes(canvas), { raw: { width: canvas.width, height: canvas.height, channels: 3 } });

/** A watermark: a line of half-transparent white "text" (bars) with a dark outline, drawn from raw RGBA pixels. */
async function watermarked(image: Buffer, rng: Random): Promise<Sharp> {
  const { width, height } = await sharp(image).metadata();
  const [markWidth, markHeight] = [Math.round(width! * 0.25), Math.max(6, Math.round(height! * 0.06))];
  const mark = Buffer.alloc(markWidth * markHeight * 4);
  for (let y = 0; y < markHeight; y++) {
    for (let x = 0; x < markWidth; x++) {
      const edge = y === 0 || y === markHeight - 1 || x % 6 === 0;
      if (Math.floor(x / 6) % 4 !== 3) mark.set(edge ? [0, 0, 0, 110] : [255, 255, 255, 150], (y * markWidth + x) * 4);
    }
  }
  const corner = rng.pick(['southeast', 'southwest', 'northeast', 'northwest'] as const);
  return sharp(image).composite([
    { input: mark, raw: { width: markWidth, height: markHeight, channels: 4 }, gravity: corner },
  ]);
}

/** A light crop: at most 10% of the picture's area cut away, up to 5% of each side's length, split unevenly. */
async function cropped(image: Buffer, rng: Random): Promise<Sharp> {
  const { width, height } = await sharp(image).metadata();
  const cut = (size: number) => {
    const total = Math.floor(size * (0.02 + rng.next() * 0.03));
    const first = rng.int(0, total);
    return [first, size - total] as const;
  };
  const [left, keptWidth] = cut(width!);
  const [top, keptHeight] = cut(height!);
  return sharp(image).extract({ left, top, width: keptWidth, height: keptHeight });
}

async function copyOf(original: Buffer, kind: CopyKind, rng: Random): Promise<Buffer> {
  const { width } = await sharp(original).metadata();
  const quality = rng.int(40, 60);
  switch (kind) {
    case 'original':
      return original;
    case 'resized':
      return sharp(original)
        .resize({ width: Math.round(width! * (rng.chance(0.5) ? 0.4 + rng.next() * 0.4 : 1.5)) })
        .png({ compressionLevel: 1 })
        .toBuffer();
    case 'recompressed':
      return sharp(original).jpeg({ quality }).toBuffer();
    case 'cropped':
      return (await cropped(original, rng)).png({ compressionLevel: 1 }).toBuffer();
    case 'watermarked':
      return (await watermarked(original, rng)).png({ compressionLevel: 1 }).toBuffer();
    case 'reposted': {
      // What a repost usually is: a smaller copy, watermarked by whoever passed it on, saved as a poor JPEG.
      const smaller = await sharp(original)
        .resize({ width: Math.round(width! * 0.6) })
        .png({ compressionLevel: 1 })
        .toBuffer();
      return (await watermarked(smaller, rng)).jpeg({ quality }).toBuffer();
    }
  }
}

/** `families` distinct pictures, each with every kind of copy, encoded. Deterministic for a seed. */
export async function* nearDuplicateImages(
  families: number,
  seed = 26,
): AsyncGenerator<{ family: number; kind: CopyKind; image: Buffer }> {
  const rng = new Random(seed);
  for (let family = 0; family < families; family++) {
    const original = await fromCanvas(drawPicture(rng)).png({ compressionLevel: 1 }).toBuffer();
    for (const kind of COPY_KINDS) yield { family, kind, image: await copyOf(original, kind, rng) };
  }
}

/** The same set written into `dir` (`<family>-<kind>.<png|jpg>`), each file hashed as media preparation hashes. */
export async function hashedNearDuplicateSet(dir: string, families: number, seed = 26): Promise<HashedCopy[]> {
  const copies: HashedCopy[] = [];
  for await (const { family, kind, image } of nearDuplicateImages(families, seed)) {
    const file = path.join(dir, `${family}-${kind}.${image[0] === 0xff ? 'jpg' : 'png'}`);
    fs.writeFileSync(file, image);
    copies.push({ family, kind, phash: await perceptualHashOfImage(file) });
  }
  return copies;
}
