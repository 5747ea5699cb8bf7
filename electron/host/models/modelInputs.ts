/**
 * A model's inputs and outputs, whichever scorer runs it: the items to score, the tensors its manifest asks for
 * (hashed n-grams or a tokenizer's ids, and for late fusion the image embedding and account features), and its raw
 * output turned into calibrated probabilities per category.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Tokenizer } from '@huggingface/tokenizers';
import { SiftError } from '../../../shared/errors.js';
import { transformAccountFeature } from '../../../shared/features.js';
import { featurizeBatch } from '../../../shared/hashedNgrams.js';
import { applyCalibration, type InputRole } from '../../../shared/modelManifest.js';
import type { ModelPackage } from './modelPackage.js';

export interface ScoreItem {
  contentId: string;
  text: string | null;
  imageEmb: number[] | null;
  account: number[] | null;
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

/** Batches at least this large are featurised in the compute pool; a single "try it" item is quicker in place. */
export const POOLED_BATCH = 64;
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
