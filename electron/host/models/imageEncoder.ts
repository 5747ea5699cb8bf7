/**
 * Running an image encoder (a model folder of kind image-encoder): pixels read with sharp as its manifest says
 * (oriented, resized to its input size, RGB or BGR, `(pixel / 255 - mean) / std`), through onnxruntime — on CUDA
 * when its provider is installed, as for the fusion model that names it (onnxSession.ts openSession), else the CPU.
 */
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { SiftError } from '../../../shared/errors.js';
import { MAX_PIXELS } from '../../../shared/media.js';
import type { ImageEncoderManifest } from '../../../shared/modelManifest.js';
import { loadSharp } from '../media/sharpLoader.js';
import type { EncoderPackage } from './modelPackage.js';
import { loadOrt, type Ort, openSession } from './onnxSession.js';
import type { ProviderPreference } from './runtime.js';

/**
 * One image file as the encoder's input tensor, [3, height, width] (NCHW) or [height, width, 3] (NHWC): its first
 * frame, turned as its EXIF orientation says, resized by `fit`, alpha dropped, normalised per channel.
 */
export async function encoderPixels(file: string, input: ImageEncoderManifest['input']): Promise<Float32Array> {
  const sharp = await loadSharp();
  // A bomb is refused before decoding, as registration refuses it.
  const { data, info } = await sharp(file, { limitInputPixels: MAX_PIXELS, failOn: 'truncated' })
    .rotate()
    .resize(input.width, input.height, { fit: input.fit, background: { r: 0, g: 0, b: 0 } })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== input.width || info.height !== input.height)
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, not ${input.width}×${input.height}×3`);
  const plane = input.width * input.height;
  const out = new Float32Array(3 * plane);
  const order = input.channels === 'RGB' ? [0, 1, 2] : [2, 1, 0]; // the source channel of each input channel
  for (let c = 0; c < 3; c++) {
    const source = order[c]!;
    const mean = input.mean[c]!;
    const std = input.std[c]!;
    for (let p = 0; p < plane; p++) {
      const value = (data[p * 3 + source]! / 255 - mean) / std;
      out[input.layout === 'NCHW' ? c * plane + p : p * 3 + c] = value;
    }
  }
  return out;
}

/** An embedding, or why this image has none (unreadable, corrupt, too large). */
export type EncodeResult = { embedding: Float32Array } | { error: string };

export class ImageEncoder {
  private constructor(
    readonly pkg: EncoderPackage,
    private readonly ort: Ort,
    private readonly session: ort.InferenceSession,
    readonly provider: string,
    readonly note: string,
  ) {}

  /** 'auto' asks for CUDA, as for the late-fusion model whose embeddings it makes. */
  static async create(pkg: EncoderPackage, preference: ProviderPreference = 'auto'): Promise<ImageEncoder> {
    const ortModule = await loadOrt();
    const where = path.join(pkg.dir, 'model.json');
    const { input, output, file } = pkg.manifest;
    const opened = await openSession(ortModule, path.join(pkg.dir, file), preference !== 'cpu', (session) => {
      if (!session.inputNames.includes(input.name))
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: input.name "${input.name}" is not an input of ${file} (it has ${session.inputNames.join(', ')}).`,
          file: where,
        });
      if (!session.outputNames.includes(output.name))
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: output.name "${output.name}" is not an output of ${file} (it has ${session.outputNames.join(', ')}).`,
          file: where,
        });
    });
    return new ImageEncoder(pkg, ortModule, opened.session, opened.provider, opened.note);
  }

  /** Embeddings of image files, in order; a file that cannot be read gets its reason instead, the rest still run. */
  async encode(files: string[]): Promise<EncodeResult[]> {
    const { input, output, name } = this.pkg.manifest;
    const decoded = await Promise.all(
      files.map((file) =>
        encoderPixels(file, input).then(
          (pixels) => ({ pixels }),
          (error: unknown) => ({ error: `${file}: ${(error as Error).message.split('\n')[0]}` }),
        ),
      ),
    );
    const readable = decoded.flatMap((entry) => ('pixels' in entry ? [entry.pixels] : []));
    if (readable.length === 0) return decoded as EncodeResult[];
    const plane = 3 * input.width * input.height;
    const batch = new Float32Array(readable.length * plane);
    readable.forEach((pixels, row) => batch.set(pixels, row * plane));
    const dims =
      input.layout === 'NCHW'
        ? [readable.length, 3, input.height, input.width]
        : [readable.length, input.height, input.width, 3];
    const results = await this.session.run({ [input.name]: new this.ort.Tensor('float32', batch, dims) }, [
      output.name,
    ]);
    const values = results[output.name]!.data as Float32Array;
    if (values.length !== readable.length * output.dim)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${path.join(this.pkg.dir, 'model.json')}: ${name}'s output ${output.name} has ${values.length} values for ${readable.length} images; output.dim says ${output.dim} each.`,
      });
    let row = 0;
    return decoded.map((entry) => {
      if (!('pixels' in entry)) return entry;
      const embedding = values.slice(row * output.dim, (row + 1) * output.dim);
      row++;
      return embedding.every(Number.isFinite)
        ? { embedding }
        : { error: `${name} gave a non-finite embedding (NaN or infinity)` };
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

const encoders = new Map<string, Promise<ImageEncoder>>();

/** The encoder session of a package version (by content hash), opened once and shared like the scorers. */
export function sharedEncoder(pkg: EncoderPackage, preference: ProviderPreference = 'auto'): Promise<ImageEncoder> {
  const key = `${pkg.dir}:${pkg.hash}:${preference}`;
  let loading = encoders.get(key);
  if (!loading) {
    loading = ImageEncoder.create(pkg, preference);
    encoders.set(key, loading);
    loading.catch(() => encoders.delete(key));
  }
  return loading;
}
