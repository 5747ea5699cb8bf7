/**
 * npm run models:build — builds the demo models from the committed platform sample, deterministically:
 *   models/text-distil             distilled text classifier: hashed word+char n-grams → linear → sigmoid
 *   models/text-fusion             late fusion: text n-grams + image embedding + account features, masked by modality
 *   models/text-transformer-tiny   a Hugging Face style classifier (tokenizer.json, input_ids/attention_mask → logits),
 *                                  small enough to ship, to exercise the transformer path
 *   models/image-encoder-tiny      a tiny deterministic image encoder (pixels → the fusion model's image embedding),
 *                                  named by text-fusion's manifest, to exercise the media → embedding path
 * Labels come from the sample's human labels (label_events, majority vote) and moderation decisions.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  type AccountFeature,
  type AccountTransform,
  contentFeaturesSql,
  FEATURE_VIEW,
  transformAccountFeature,
} from '../../shared/features.js';
import { DEFAULT_NGRAMS, type HashedNgramsConfig, sparseFeatures, words } from '../../shared/hashedNgrams.js';
import type { ImageEncoderManifest, ModelManifest } from '../../shared/modelManifest.js';
import { CRITICAL_DEFAULT_THRESHOLDS, DEFAULT_CRITICAL, DEFAULT_THRESHOLDS } from '../../shared/routing.js';
import { Random } from '../../shared/random.js';
import { distilledTextOnnx, GraphBuilder, sparseLinear } from '../../shared/onnxGraph.js';
import { type Example, type LinearModel, probabilities, train } from '../../shared/linearModel.js';
import { TINY_ENCODER_NAME, tinyEncoderManifest, tinyEncoderOnnx } from './imageEncoder.js';

export const CATEGORIES = ['hate_speech', 'nsfw', 'spam', 'misinformation', 'csam'];
const VERSION = '2026.11.1';
const ENCODER_VERSION = '2026.12.1';
export const NGRAMS: HashedNgramsConfig = { ...DEFAULT_NGRAMS, buckets: 1 << 17 };
const IMAGE_DIM = 8;
const ACCOUNT = {
  columns: ['account_age_days', 'prior_violations_30d', 'posting_rate'] satisfies AccountFeature[],
  transforms: ['log1p', 'identity', 'log1p'] as AccountTransform[],
  view: FEATURE_VIEW,
};
const THRESHOLDS = Object.fromEntries(
  CATEGORIES.map((c) => [c, DEFAULT_CRITICAL.includes(c) ? CRITICAL_DEFAULT_THRESHOLDS : DEFAULT_THRESHOLDS]),
);

export interface LabelledItem {
  contentId: string;
  text: string;
  imageEmb: number[] | null;
  account: number[];
  targets: number[];
}

/** Labelled items from a platform sample folder: human votes first, then moderation decisions, then a slice of untouched content as negatives. */
export async function loadLabelledSample(dir: string): Promise<LabelledItem[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const file = (table: string) => `'${path.join(dir, `${table}.parquet`).replace(/'/g, "''")}'`;
  try {
    // Account features from the one definition scoring uses (as of each upload), over the sample's canonical tables.
    for (const table of ['content', 'users', 'moderation_actions'])
      await conn.run(`CREATE TABLE ${table} AS SELECT * FROM ${file(table)}`);
    await conn.run(`CREATE VIEW ${FEATURE_VIEW} AS ${contentFeaturesSql({ moderationActions: true })}`);
    const rows = (
      await conn.runAndReadAll(`
      WITH votes AS (
        SELECT content_id, list(category) FILTER (WHERE share > 0.5) AS positive
        FROM (SELECT content_id, category, avg(value::INT) AS share FROM ${file('label_events')} GROUP BY ALL) GROUP BY content_id
      ), decisions AS (
        SELECT content_id, arg_max(action, created_at) AS action, arg_max(category, created_at) AS category
        FROM moderation_actions WHERE content_id IS NOT NULL AND action IN ('remove', 'warn', 'hide', 'pass') GROUP BY content_id
      )
      SELECT c.content_id, c.text, c.image_emb, ${ACCOUNT.columns.map((column) => `f.${column}`).join(', ')},
             v.positive, d.action, d.category
      FROM content c
      JOIN ${FEATURE_VIEW} f USING (content_id)
      LEFT JOIN votes v USING (content_id)
      LEFT JOIN decisions d USING (content_id)
      ORDER BY c.content_id`)
    ).getRowsJson();
    const rng = new Random(17);
    const items: LabelledItem[] = [];
    for (const [contentId, text, imageEmb, age, prior, rate, positive, action, category] of rows) {
      let labels: string[] | null = null;
      if (Array.isArray(positive)) labels = positive.map(String);
      else if (action === 'pass') labels = [];
      else if (action) labels = [String(category)];
      else if (rng.chance(0.2)) labels = []; // untouched content: mostly benign, a useful (noisy) negative
      if (!labels) continue;
      items.push({
        contentId: String(contentId),
        text: String(text ?? ''),
        imageEmb: Array.isArray(imageEmb) ? imageEmb.map(Number) : null,
        account: [age, prior, rate].map((value, k) => transformAccountFeature(ACCOUNT.transforms[k]!, Number(value))),
        targets: CATEGORIES.map((c) => (labels!.includes(c) ? 1 : 0)),
      });
    }
    return items;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function writeModel(
  dir: string,
  manifest: ModelManifest | ImageEncoderManifest,
  onnxBytes: Uint8Array,
  extraFiles: Record<string, string> = {},
): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, manifest.file), onnxBytes);
  for (const [name, content] of Object.entries(extraFiles)) fs.writeFileSync(path.join(dir, name), content);
  fs.writeFileSync(path.join(dir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function fusionOnnx(model: LinearModel): Uint8Array {
  const graph = new GraphBuilder('text_fusion');
  const C = CATEGORIES.length;
  const indices = graph.input('text_indices', 'INT32', ['batch', NGRAMS.maxFeatures]);
  const weights = graph.input('text_weights', 'FLOAT', ['batch', NGRAMS.maxFeatures]);
  const image = graph.input('image_embedding', 'FLOAT', ['batch', IMAGE_DIM]);
  const account = graph.input('account_features', 'FLOAT', ['batch', ACCOUNT.columns.length]);
  const mask = graph.input('modality_mask', 'FLOAT', ['batch', 2]);
  const table = graph.floatTensor('ngram_weights', [NGRAMS.buckets, C], model.sparseWeights);
  const imageWeights = graph.floatTensor(
    'image_weights',
    [IMAGE_DIM, C],
    model.denseWeights.subarray(0, IMAGE_DIM * C),
  );
  const accountWeights = graph.floatTensor(
    'account_weights',
    [ACCOUNT.columns.length, C],
    model.denseWeights.subarray(IMAGE_DIM * C),
  );
  const bias = graph.floatTensor('bias', [C], model.bias);
  const axis1 = graph.int64Tensor('mask_axis', [1], [1]);
  const modality = (index: number) =>
    graph.node('Unsqueeze', [
      graph.node('Gather', [mask, graph.int64Tensor(`modality_${index}`, [], [index])], { axis: 1 }),
      axis1,
    ]); // [N, 1]
  // A masked modality contributes nothing, whatever its tensor holds: missing is not a crash, and not a signal.
  const textPart = graph.node('Mul', [sparseLinear(graph, indices, weights, table), modality(0)]);
  const imagePart = graph.node('Mul', [graph.node('MatMul', [image, imageWeights]), modality(1)]);
  const accountPart = graph.node('MatMul', [account, accountWeights]);
  const logits = graph.node(
    'Add',
    [graph.node('Add', [graph.node('Add', [textPart, imagePart]), accountPart]), bias],
    {},
    'logits',
  );
  graph.node('Sigmoid', [logits], {}, 'probabilities');
  graph.output('probabilities', 'FLOAT', ['batch', C]);
  graph.output('logits', 'FLOAT', ['batch', C]);
  return graph.encode(
    'Sift demo late-fusion model: text n-grams + image embedding + account features, masked by modality.',
  );
}

/** A WordPiece tokenizer.json over the sample's most frequent words (whole words only, lower-cased). */
function tokenizerJson(texts: string[], size: number): { json: string; config: string } {
  const counts = new Map<string, number>();
  for (const text of texts)
    for (const word of words(text)) if (/^[\p{L}\p{N}]+$/u.test(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, size)
    .map(([word]) => word);
  const vocab: Record<string, number> = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3 };
  for (const word of top) vocab[word] = Object.keys(vocab).length;
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[PAD]'), special(1, '[UNK]'), special(2, '[CLS]'), special(3, '[SEP]')],
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  const config = {
    model_max_length: 128,
    do_lower_case: true,
    unk_token: '[UNK]',
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    tokenizer_class: 'BertTokenizer',
  };
  return { json: `${JSON.stringify(json)}\n`, config: `${JSON.stringify(config, null, 2)}\n` };
}

function transformerOnnx(vocabSize: number, model: LinearModel): Uint8Array {
  const graph = new GraphBuilder('text_transformer_tiny');
  const C = CATEGORIES.length;
  const ids = graph.input('input_ids', 'INT64', ['batch', 'sequence']);
  const attention = graph.input('attention_mask', 'INT64', ['batch', 'sequence']);
  const embedding = graph.floatTensor('token_embedding', [vocabSize, C], model.sparseWeights);
  const bias = graph.floatTensor('classifier_bias', [C], model.bias);
  const mask = graph.node('Cast', [attention], { to: 1 }); // → float
  const axis2 = graph.int64Tensor('axis2', [1], [2]);
  const axis1 = graph.int64Tensor('axis1', [1], [1]);
  const summed = graph.node(
    'ReduceSum',
    [
      graph.node('Mul', [graph.node('Gather', [embedding, ids], { axis: 0 }), graph.node('Unsqueeze', [mask, axis2])]),
      axis1,
    ],
    { keepdims: 0 },
  );
  const count = graph.node('Max', [
    graph.node('ReduceSum', [mask, axis1], { keepdims: 1 }),
    graph.floatTensor('one', [1], [1]),
  ]);
  graph.node('Add', [graph.node('Div', [summed, count]), bias], {}, 'logits');
  graph.output('logits', 'FLOAT', ['batch', C]);
  return graph.encode(
    'Sift tiny transformer-style classifier: token embeddings, masked mean pooling, logits per category.',
  );
}

export async function buildModels(
  sampleDir: string,
  outDir: string,
  log: (line: string) => void = () => undefined,
): Promise<Record<string, string>> {
  const items = await loadLabelledSample(sampleDir);
  log(
    `${items.length} labelled items (${CATEGORIES.map((c, k) => `${c} ${items.filter((i) => i.targets[k]).length}`).join(', ')})`,
  );
  const textExamples: Example[] = items.map((item) => ({
    sparse: sparseFeatures(item.text, NGRAMS),
    targets: item.targets,
  }));
  const textModel = train(textExamples, {
    buckets: NGRAMS.buckets,
    outputs: CATEGORIES.length,
    loss: 'sigmoid',
    epochs: 6,
    seed: 1,
  });
  const hashes: Record<string, string> = {};
  const base = {
    version: VERSION,
    categories: CATEGORIES,
    critical: DEFAULT_CRITICAL,
    calibration: null,
    thresholds: THRESHOLDS,
  };
  const distilled: ModelManifest = {
    ...base,
    name: 'text-distil',
    kind: 'distilled_text',
    description:
      'Demo distilled text classifier: hashed word and character n-grams into a linear layer, a sigmoid per policy category. CPU.',
    file: 'model.onnx',
    preprocessing: NGRAMS,
    inputs: [
      { name: 'indices', role: 'text_indices', datatype: 'INT32', shape: [null, NGRAMS.maxFeatures] },
      { name: 'weights', role: 'text_weights', datatype: 'FLOAT', shape: [null, NGRAMS.maxFeatures] },
    ],
    outputs: [{ name: 'probabilities', role: 'probabilities', activation: 'none' }],
  };
  const distilledBytes = distilledTextOnnx(
    textModel,
    NGRAMS,
    CATEGORIES,
    'Sift demo distilled text classifier: hashed word and character n-grams, linear, sigmoid per category.',
  );
  writeModel(path.join(outDir, 'text-distil'), distilled, distilledBytes);
  hashes['text-distil'] = crypto.createHash('sha256').update(distilledBytes).digest('hex');

  const fusionExamples: Example[] = items.map((item) => ({
    sparse: item.text ? sparseFeatures(item.text, NGRAMS) : new Map(),
    dense: [...(item.imageEmb ?? new Array<number>(IMAGE_DIM).fill(0)), ...item.account],
    targets: item.targets,
  }));
  const fusionModel = train(fusionExamples, {
    buckets: NGRAMS.buckets,
    outputs: CATEGORIES.length,
    denseSize: IMAGE_DIM + ACCOUNT.columns.length,
    loss: 'sigmoid',
    epochs: 6,
    seed: 2,
  });
  const fusion: ModelManifest = {
    ...base,
    name: 'text-fusion',
    kind: 'late_fusion',
    description:
      'Demo late-fusion model: text n-grams, image embedding and account features (age, prior violations, posting rate); a missing modality is masked. GPU when present.',
    file: 'model.onnx',
    preprocessing: NGRAMS,
    inputs: [
      { name: 'text_indices', role: 'text_indices', datatype: 'INT32', shape: [null, NGRAMS.maxFeatures] },
      { name: 'text_weights', role: 'text_weights', datatype: 'FLOAT', shape: [null, NGRAMS.maxFeatures] },
      { name: 'image_embedding', role: 'image_embedding', datatype: 'FLOAT', shape: [null, IMAGE_DIM] },
      { name: 'account_features', role: 'account_features', datatype: 'FLOAT', shape: [null, ACCOUNT.columns.length] },
      { name: 'modality_mask', role: 'modality_mask', datatype: 'FLOAT', shape: [null, 2] },
    ],
    outputs: [{ name: 'probabilities', role: 'probabilities', activation: 'none' }],
    account: ACCOUNT,
    imageDim: IMAGE_DIM,
    imageEncoder: TINY_ENCODER_NAME,
  };
  const fusionBytes = fusionOnnx(fusionModel);
  writeModel(path.join(outDir, 'text-fusion'), fusion, fusionBytes);
  hashes['text-fusion'] = crypto.createHash('sha256').update(fusionBytes).digest('hex');

  // The encoder the fusion model names: its output is the fusion model's image embedding.
  const encoderBytes = tinyEncoderOnnx(IMAGE_DIM);
  writeModel(path.join(outDir, TINY_ENCODER_NAME), tinyEncoderManifest(IMAGE_DIM, ENCODER_VERSION), encoderBytes);
  hashes[TINY_ENCODER_NAME] = crypto.createHash('sha256').update(encoderBytes).digest('hex');

  // The transformer path: a real tokenizer.json read by the same tokenizer library the runtime uses.
  const tokenizerFiles = tokenizerJson(
    items.map((item) => item.text),
    3000,
  );
  const tokenizer = new Tokenizer(
    JSON.parse(tokenizerFiles.json) as object,
    JSON.parse(tokenizerFiles.config) as object,
  );
  const vocabSize = Object.keys((JSON.parse(tokenizerFiles.json) as { model: { vocab: object } }).model.vocab).length;
  const tokenExamples: Example[] = items.map((item) => {
    const ids = tokenizer.encode(item.text).ids.slice(0, 128);
    const sparse = new Map<number, number>();
    for (const id of ids) sparse.set(id, (sparse.get(id) ?? 0) + 1 / ids.length);
    return { sparse, targets: item.targets };
  });
  const tokenModel = train(tokenExamples, {
    buckets: vocabSize,
    outputs: CATEGORIES.length,
    loss: 'sigmoid',
    epochs: 10,
    seed: 3,
    learningRate: 1,
  });
  const transformer: ModelManifest = {
    ...base,
    name: 'text-transformer-tiny',
    kind: 'distilled_text',
    description:
      'A tiny Hugging Face style classifier (tokenizer.json; input_ids and attention_mask → logits) built to exercise the transformer path.',
    file: 'model.onnx',
    preprocessing: { type: 'tokenizer', tokenizer: 'tokenizer.json', config: 'tokenizer_config.json', maxLength: 128 },
    inputs: [
      { name: 'input_ids', role: 'input_ids', datatype: 'INT64', shape: [null, null] },
      { name: 'attention_mask', role: 'attention_mask', datatype: 'INT64', shape: [null, null] },
    ],
    outputs: [{ name: 'logits', role: 'logits', activation: 'sigmoid' }],
  };
  const transformerBytes = transformerOnnx(vocabSize, tokenModel);
  writeModel(path.join(outDir, 'text-transformer-tiny'), transformer, transformerBytes, {
    'tokenizer.json': tokenizerFiles.json,
    'tokenizer_config.json': tokenizerFiles.config,
  });
  hashes['text-transformer-tiny'] = crypto.createHash('sha256').update(transformerBytes).digest('hex');

  // A quick fit check on the training items (the benchmark does the honest held-out evaluation).
  const hits = items.filter((item, i) => {
    const p = probabilities(textModel, textExamples[i]!);
    return CATEGORIES.every((_, k) => (p[k]! >= 0.5 ? 1 : 0) === item.targets[k]);
  }).length;
  log(`text-distil fits ${((100 * hits) / items.length).toFixed(1)}% of training items exactly`);
  return hashes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const started = performance.now();
  buildModels(path.join(root, 'sample-data', 'platform'), path.join(root, 'models'), console.log)
    .then((hashes) => {
      for (const [name, hash] of Object.entries(hashes)) console.log(`${name}: sha256 ${hash.slice(0, 16)}…`);
      console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
