/**
 * A model's package (manifest + files + content hash), the inputs its manifest asks for, and the check of a
 * manifest against its graph: what every scorer (runtime.ts) and a compute worker's CPU session (onnxSession.ts) share.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Tokenizer } from '@huggingface/tokenizers';
import type ort from 'onnxruntime-node';
import { SiftError } from '../../../shared/errors.js';
import { featurizeBatch } from '../../../shared/hashedNgrams.js';
import { transformAccountFeature } from '../../../shared/features.js';
import { jsonSyntaxProblem, schemaProblem } from '../../../shared/jsonText.js';
import { applyCalibration, type InputRole, manifestSchema, type ModelManifest } from '../../../shared/modelManifest.js';
import { fileInside } from '../workspace/fileAccess.js';

export interface ModelPackage {
  manifest: ModelManifest;
  dir: string;
  /** sha256 over the manifest and every file it names: any change is a different model. */
  hash: string;
}

export interface ScoreItem {
  contentId: string;
  text: string | null;
  imageEmb: number[] | null;
  account: number[] | null;
}

export interface Scorer {
  readonly provider: string;
  readonly note: string;
  /** Calibrated probabilities, [items, categories] row-major. */
  score(items: ScoreItem[]): Promise<Float32Array>;
  close(): Promise<void>;
}

const packageCache = new Map<string, { signature: string; pkg: ModelPackage }>();

/** Size and modification time of each file: re-reading and re-hashing a model happens only when one changes. */
function fileSignature(files: string[]): string {
  return files
    .map((file) => {
      try {
        const stat = fs.statSync(file);
        return `${file}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return `${file}:missing`;
      }
    })
    .join('|');
}

export function loadPackage(dir: string): ModelPackage {
  const manifestFile = path.join(dir, 'model.json');
  const cached = packageCache.get(dir);
  if (cached) {
    const files = [manifestFile, ...packageFiles(cached.pkg.manifest).map((file) => path.join(dir, file))];
    if (fileSignature(files) === cached.signature) return cached.pkg;
  }
  const pkg = readPackage(dir, manifestFile);
  packageCache.set(dir, {
    signature: fileSignature([manifestFile, ...packageFiles(pkg.manifest).map((file) => path.join(dir, file))]),
    pkg,
  });
  return pkg;
}

function packageFiles(manifest: ModelManifest): string[] {
  return [
    manifest.file,
    ...(manifest.preprocessing.type === 'tokenizer'
      ? [manifest.preprocessing.tokenizer, ...(manifest.preprocessing.config ? [manifest.preprocessing.config] : [])]
      : []),
  ];
}

function readPackage(dir: string, manifestFile: string): ModelPackage {
  if (!fs.existsSync(manifestFile))
    throw new SiftError({ code: 'NOT_FOUND', message: `${dir}: no model.json in this folder.`, file: manifestFile });
  let raw: unknown;
  const text = fs.readFileSync(fileInside(dir, 'model.json', 'path'), 'utf8');
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${manifestFile}: ${jsonSyntaxProblem(error, text)}.`,
      file: manifestFile,
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${manifestFile}: ${schemaProblem(parsed.error.issues[0]!, 'manifest')}`,
      file: manifestFile,
    });
  const manifest = parsed.data;
  const files = packageFiles(manifest);
  const hash = crypto.createHash('sha256').update(fs.readFileSync(manifestFile));
  for (const file of files) {
    const full = path.join(dir, file);
    if (!fs.existsSync(full))
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `${full}: the file the manifest names is missing.`,
        file: full,
      });
    fileInside(dir, file, `${manifestFile}: a file the manifest names`); // never a file outside the model's folder
    hash.update(fs.readFileSync(full));
  }
  return { manifest, dir, hash: hash.digest('hex') };
}

/** @huggingface/tokenizers loads with the first model that runs (with onnxruntime, or a remote scorer's plan): a CLI command that runs none never reads it. */
let TokenizerClass: typeof Tokenizer | null = null;
export async function loadTokenizers(): Promise<void> {
  TokenizerClass ??= (await import('@huggingface/tokenizers')).Tokenizer;
}

const tokenizers = new Map<string, Tokenizer>();
function tokenizerFor(pkg: ModelPackage): Tokenizer {
  if (!TokenizerClass) throw new Error('the tokenizer library is not loaded yet');
  const pre = pkg.manifest.preprocessing;
  if (pre.type !== 'tokenizer') throw new Error('not a tokenizer model');
  const key = `${pkg.dir}:${pkg.hash}`;
  let tokenizer = tokenizers.get(key);
  if (!tokenizer) {
    const json = JSON.parse(fs.readFileSync(path.join(pkg.dir, pre.tokenizer), 'utf8')) as object;
    const config = pre.config ? (JSON.parse(fs.readFileSync(path.join(pkg.dir, pre.config), 'utf8')) as object) : {};
    tokenizer = new TokenizerClass(json, config);
    tokenizers.set(key, tokenizer);
  }
  return tokenizer;
}

/** Lone surrogates cannot be encoded as UTF-8: they become U+FFFD, as any UTF-8 writer would. */
export const wellFormed = (text: string) =>
  text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

export interface PreparedTensor {
  data: Float32Array | Int32Array | BigInt64Array | string[];
  dims: number[];
}

export type HashedFeatures = ReturnType<typeof featurizeBatch>;

/** The model's inputs for a batch, by role, following the manifest's preprocessing. */
export function prepareInputs(
  pkg: ModelPackage,
  items: ScoreItem[],
  features?: HashedFeatures,
): Map<InputRole, PreparedTensor> {
  const { manifest } = pkg;
  const n = items.length;
  const texts = items.map((item) => wellFormed(item.text ?? ''));
  const tensors = new Map<InputRole, PreparedTensor>();
  const pre = manifest.preprocessing;
  if (pre.type === 'hashed_ngrams') {
    const { indices, weights } = features ?? featurizeBatch(texts, pre);
    tensors.set('text_indices', { data: indices, dims: [n, pre.maxFeatures] });
    tensors.set('text_weights', { data: weights, dims: [n, pre.maxFeatures] });
  } else {
    const tokenizer = tokenizerFor(pkg);
    // Cut very long texts before tokenising: only the first maxLength tokens are used anyway.
    const encodings = texts.map((text) => {
      const encoding = tokenizer.encode(text.slice(0, pre.maxLength * 24));
      return { ids: encoding.ids.slice(0, pre.maxLength), mask: encoding.attention_mask.slice(0, pre.maxLength) };
    });
    const width = Math.max(1, ...encodings.map((encoding) => encoding.ids.length));
    const ids = new BigInt64Array(n * width);
    const mask = new BigInt64Array(n * width);
    encodings.forEach((encoding, row) => {
      encoding.ids.forEach((id, column) => {
        ids[row * width + column] = BigInt(id);
        mask[row * width + column] = BigInt(encoding.mask[column] ?? 1);
      });
    });
    tensors.set('input_ids', { data: ids, dims: [n, width] });
    tensors.set('attention_mask', { data: mask, dims: [n, width] });
    tensors.set('token_type_ids', { data: new BigInt64Array(n * width), dims: [n, width] });
  }
  tensors.set('text', { data: texts, dims: [n, 1] });
  if (manifest.kind === 'late_fusion') {
    const imageDim = manifest.imageDim!;
    const account = manifest.account!;
    const image = new Float32Array(n * imageDim);
    const accountValues = new Float32Array(n * account.columns.length);
    const mask = new Float32Array(n * 2);
    items.forEach((item, row) => {
      mask[row * 2] = texts[row]!.trim() === '' ? 0 : 1;
      if (item.imageEmb && item.imageEmb.length > 0) {
        if (item.imageEmb.length !== imageDim) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `content ${item.contentId}: image_emb has ${item.imageEmb.length} values; ${manifest.name} expects ${imageDim}.`,
          });
        }
        image.set(item.imageEmb, row * imageDim);
        mask[row * 2 + 1] = 1;
      }
      account.columns.forEach((column, k) => {
        const value = item.account?.[k];
        if (value === undefined || value === null || !Number.isFinite(value)) {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `content ${item.contentId}: ${column} is missing or not a number; ${manifest.name} needs it.`,
          });
        }
        accountValues[row * account.columns.length + k] = transformAccountFeature(account.transforms[k]!, value);
      });
    });
    tensors.set('image_embedding', { data: image, dims: [n, imageDim] });
    tensors.set('account_features', { data: accountValues, dims: [n, account.columns.length] });
    tensors.set('modality_mask', { data: mask, dims: [n, 2] });
  }
  return tensors;
}

/** Turns the model's output into calibrated probabilities per category. */
export function toProbabilities(pkg: ModelPackage, values: ArrayLike<number>, n: number): Float32Array {
  const { manifest } = pkg;
  const output = manifest.outputs[0]!;
  const categories = manifest.categories;
  const C = categories.length;
  if (values.length !== n * C) {
    throw new SiftError({
      code: 'INTERNAL',
      message: `${manifest.name}: output ${output.name} has ${values.length} values for ${n} items; expected ${n} × ${C} categories.`,
    });
  }
  const result = new Float32Array(n * C);
  for (let row = 0; row < n; row++) {
    const base = row * C;
    let raw = Array.from({ length: C }, (_, k) => Number(values[base + k]));
    if (output.activation === 'sigmoid') raw = raw.map((v) => 1 / (1 + Math.exp(-v)));
    else if (output.activation === 'softmax') {
      const max = Math.max(...raw);
      const exps = raw.map((v) => Math.exp(v - max));
      const total = exps.reduce((a, b) => a + b, 0);
      raw = exps.map((v) => v / total);
    }
    categories.forEach((category, k) => (result[base + k] = applyCalibration(manifest, category, raw[k]!)));
  }
  return result;
}

export const ORT_TYPE: Record<string, string> = { FLOAT: 'float32', INT32: 'int32', INT64: 'int64', BYTES: 'string' };

interface OrtMetadata {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: (number | string)[];
}

/** Checks the manifest's inputs and outputs against the ONNX graph's, so a mismatch is caught at load, by name. */
export function checkAgainstGraph(pkg: ModelPackage, session: ort.InferenceSession): void {
  const { manifest } = pkg;
  const where = path.join(pkg.dir, 'model.json');
  const metadata = ((session as unknown as { inputMetadata?: OrtMetadata[] }).inputMetadata ?? []) as OrtMetadata[];
  for (const input of manifest.inputs) {
    if (input.role === 'text') continue;
    if (!session.inputNames.includes(input.name)) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${where}: input "${input.name}" is not an input of ${manifest.file} (it has ${session.inputNames.join(', ')}).`,
        file: where,
      });
    }
    const graph = metadata.find((m) => m.name === input.name);
    if (graph?.type && graph.type !== ORT_TYPE[input.datatype]) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${where}: input "${input.name}" is ${input.datatype} in the manifest but ${graph.type} in ${manifest.file}.`,
        file: where,
      });
    }
    if (graph?.shape) {
      const mismatch =
        graph.shape.length !== input.shape.length ||
        graph.shape.some(
          (dim, i) => typeof dim === 'number' && dim > 0 && input.shape[i] !== null && input.shape[i] !== dim,
        );
      if (mismatch) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: input "${input.name}" has shape [${input.shape.map((d) => d ?? '?').join(', ')}] in the manifest but [${graph.shape.join(', ')}] in ${manifest.file}.`,
          file: where,
        });
      }
    }
  }
  for (const output of manifest.outputs) {
    if (!session.outputNames.includes(output.name)) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${where}: output "${output.name}" is not an output of ${manifest.file} (it has ${session.outputNames.join(', ')}).`,
        file: where,
      });
    }
  }
}
