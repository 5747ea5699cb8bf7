/**
 * The image-encoder manifest kind and the demo encoder (models/image-encoder-tiny): a bad manifest is refused naming
 * its field, and the encoder is deterministic — the same image gives the same embedding, equal to the values written
 * here and to the encoder's formula computed independently in this file.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageEncoder } from '../../electron/host/models/imageEncoder';
import { loadEncoderPackage, loadPackage } from '../../electron/host/models/modelPackage';
import { manifestSchema } from '../../shared/modelManifest';
import { TINY_ENCODER_GRID, tinyEncoderWeights } from '../../models/build/imageEncoder';
import { tempDir } from './support';

const TINY = path.resolve('models/image-encoder-tiny');

/** A 32×32 RGB image from raw pixels: red rises left to right, green top to bottom, blue is their checkered mix. */
function gradientPixels(): Buffer {
  const pixels = Buffer.alloc(32 * 32 * 3);
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) {
      const at = (y * 32 + x) * 3;
      pixels[at] = x * 8;
      pixels[at + 1] = y * 8;
      pixels[at + 2] = (x + y) % 2 === 0 ? 200 : 40;
    }
  return pixels;
}

/**
 * The demo encoder's formula, in float64 and without onnxruntime: the mean of each 8×8 cell per channel of
 * (pixel / 255 - 0.5) / 0.25, in (channel, row, column) order, times the build's seeded weights, plus the bias, tanh.
 */
function referenceEmbedding(pixels: Buffer, dim: number): number[] {
  const { weights, bias } = tinyEncoderWeights(dim);
  const cell = 32 / TINY_ENCODER_GRID;
  const features: number[] = [];
  for (let c = 0; c < 3; c++)
    for (let gy = 0; gy < TINY_ENCODER_GRID; gy++)
      for (let gx = 0; gx < TINY_ENCODER_GRID; gx++) {
        let sum = 0;
        for (let y = gy * cell; y < (gy + 1) * cell; y++)
          for (let x = gx * cell; x < (gx + 1) * cell; x++) sum += (pixels[(y * 32 + x) * 3 + c]! / 255 - 0.5) / 0.25;
        features.push(sum / (cell * cell));
      }
  return Array.from({ length: dim }, (_, k) =>
    Math.tanh(features.reduce((total, value, i) => total + value * weights[i * dim + k]!, bias[k]!)),
  );
}

/**
 * The embedding of gradientPixels() as a PNG: printed by running models/image-encoder-tiny once on it (this
 * file's first version, onnxruntime-node on the CPU), rounded to 6 places; referenceEmbedding agrees to 1e-5.
 */
const GRADIENT_EMBEDDING = [-0.422607, 0.184199, 0.789872, 0.523609, -0.581571, 0.305837, 0.897856, 0.628667];

describe('the image-encoder manifest', () => {
  const dir = tempDir('sift-encoder-manifest-');
  const manifest = JSON.parse(fs.readFileSync(path.join(TINY, 'model.json'), 'utf8')) as Record<string, unknown>;
  const write = (name: string, change: (copy: Record<string, unknown>) => void) => {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    fs.copyFileSync(path.join(TINY, 'model.onnx'), path.join(folder, 'model.onnx'));
    const copy = structuredClone(manifest);
    change(copy);
    fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(copy));
    return folder;
  };
  const input = (copy: Record<string, unknown>) => copy.input as Record<string, unknown>;

  it('refuses a bad manifest naming the field', () => {
    const cases: [string, (copy: Record<string, unknown>) => void, string][] = [
      ['zero-std', (copy) => (input(copy).std = [0.25, 0, 0.25]), 'input.std: every std is above 0'],
      ['short-mean', (copy) => (input(copy).mean = [0.5, 0.5]), 'input.mean'],
      ['channels', (copy) => (input(copy).channels = 'RGBA'), 'input.channels: must be one of "RGB", "BGR"'],
      ['no-dim', (copy) => delete (copy.output as Record<string, unknown>).dim, 'output.dim: Required'],
      ['no-width', (copy) => delete input(copy).width, 'input.width: Required'],
    ];
    for (const [name, change, message] of cases)
      expect(() => loadEncoderPackage(write(name, change)), name).toThrow(message);
  });

  it('only a late-fusion model names an image encoder', () => {
    const distilled = JSON.parse(fs.readFileSync('models/text-distil/model.json', 'utf8')) as object;
    const checked = manifestSchema.safeParse({ ...distilled, imageEncoder: 'image-encoder-tiny' });
    expect(checked.success).toBe(false);
    expect(checked.error!.issues.map((issue) => issue.path.join('.'))).toEqual(['imageEncoder']);
    const fusion = loadPackage(path.resolve('models/text-fusion'));
    expect(fusion.manifest.imageEncoder).toBe('image-encoder-tiny');
  });

  it('an image encoder is not a scoring model, and its names are checked against the graph', async () => {
    expect(() => loadPackage(TINY)).toThrow('this is an image encoder (kind image-encoder), not a scoring model');
    const wrongInput = write('wrong-input', (copy) => (input(copy).name = 'image'));
    await expect(ImageEncoder.create(loadEncoderPackage(wrongInput), 'cpu')).rejects.toThrow(
      'input.name "image" is not an input of model.onnx (it has pixels)',
    );
    const wrongOutput = write('wrong-output', (copy) => ((copy.output as Record<string, unknown>).name = 'features'));
    await expect(ImageEncoder.create(loadEncoderPackage(wrongOutput), 'cpu')).rejects.toThrow(
      'output.name "features" is not an output of model.onnx (it has embedding)',
    );
  });
});

describe('the demo image encoder', () => {
  let encoder: ImageEncoder;
  const dir = tempDir('sift-encoder-images-');
  const gradient = path.join(dir, 'gradient.png');
  beforeAll(async () => {
    encoder = await ImageEncoder.create(loadEncoderPackage(TINY), 'cpu');
    await sharp(gradientPixels(), { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(gradient);
  });
  afterAll(async () => encoder?.close());

  it('gives the same image the same embedding: the values written here, and the formula', async () => {
    const copy = path.join(dir, 'copy.png');
    fs.copyFileSync(gradient, copy);
    const [first, second] = await encoder.encode([gradient, copy]);
    const embedding = Array.from((first as { embedding: Float32Array }).embedding);
    expect(Array.from((second as { embedding: Float32Array }).embedding)).toEqual(embedding);
    embedding.forEach((value, k) => expect(value).toBeCloseTo(GRADIENT_EMBEDDING[k]!, 5));
    referenceEmbedding(gradientPixels(), 8).forEach((value, k) => expect(embedding[k]).toBeCloseTo(value, 5));
  });

  it('a file it cannot read gets its reason; the others in the batch are still encoded', async () => {
    const broken = path.join(dir, 'broken.jpg');
    fs.writeFileSync(broken, fs.readFileSync(gradient).subarray(0, 40));
    const [bad, good] = await encoder.encode([broken, gradient]);
    expect(bad).toMatchObject({ error: expect.stringContaining('broken.jpg') as unknown });
    expect(good).toHaveProperty('embedding');
  });
});
