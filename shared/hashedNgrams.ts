/**
 * The distilled text model's featuriser: hashed word and character n-grams (the "hashing trick"), L2-normalised,
 * as a fixed number of (bucket, weight) pairs per text so a batch is two dense tensors an ONNX Gather can use.
 * Training (models/build) and scoring (the host) share this code, so the features always agree.
 */
import { fnv1a } from './nearDuplicates.js';

export interface HashedNgramsConfig {
  type: 'hashed_ngrams';
  buckets: number;
  wordNgrams: number[];
  charNgrams: number[];
  /** Pairs per text; texts with more distinct features keep the heaviest. */
  maxFeatures: number;
  /** Longer texts are cut here: a 1 MB paste costs the same as a long post. */
  maxChars: number;
}

export const DEFAULT_NGRAMS: HashedNgramsConfig = {
  type: 'hashed_ngrams',
  buckets: 1 << 18,
  wordNgrams: [1, 2],
  charNgrams: [3, 4, 5],
  maxFeatures: 256,
  maxChars: 4000,
};

export function words(text: string): string[] {
  // Non-ASCII characters are escaped in source: the CLI bundle stays ASCII (cli.test.ts).
  return (
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+(?:['\u2019][\p{L}]+)?|[^\s\p{L}\p{N}]/gu) ?? []
  );
}

/** Sparse features of one text: bucket → L2-normalised weight. */
export function sparseFeatures(text: string, config: HashedNgramsConfig): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (key: string) => {
    const bucket = fnv1a(key) % config.buckets;
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  };
  const tokens = words(text.slice(0, config.maxChars));
  for (const n of config.wordNgrams)
    for (let i = 0; i + n <= tokens.length; i++) add(`w${n}:${tokens.slice(i, i + n).join(' ')}`);
  for (const token of tokens) {
    const padded = `<${token}>`;
    for (const n of config.charNgrams) for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`);
  }
  let norm = 0;
  for (const count of counts.values()) norm += count * count;
  norm = Math.sqrt(norm) || 1;
  const features = new Map<number, number>();
  for (const [bucket, count] of counts) features.set(bucket, count / norm);
  return features;
}

/** A batch as the model's two inputs: bucket indices (padding 0 with weight 0) and weights, [batch, maxFeatures]. */
export function featurizeBatch(
  texts: string[],
  config: HashedNgramsConfig,
): { indices: Int32Array; weights: Float32Array } {
  const width = config.maxFeatures;
  const indices = new Int32Array(texts.length * width);
  const weights = new Float32Array(texts.length * width);
  texts.forEach((text, row) => {
    let entries = [...sparseFeatures(text, config)];
    if (entries.length > width) entries = entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, width);
    entries.forEach(([bucket, weight], column) => {
      indices[row * width + column] = bucket;
      weights[row * width + column] = weight;
    });
  });
  return { indices, weights };
}
