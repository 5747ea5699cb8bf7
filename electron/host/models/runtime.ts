/**
 * Running a model: its package (manifest + files + content hash), the inputs its manifest asks for, and two
 * scorers with one interface — onnxruntime-node in this process (CPU, or CUDA when its provider is installed)
 * and a remote server speaking the Open Inference Protocol.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Tokenizer } from '@huggingface/tokenizers';
import type ort from 'onnxruntime-node';
import { SiftError } from '../../../shared/errors.js';
import { jsonSyntaxProblem, schemaProblem } from '../../../shared/jsonText.js';
import { fileInside } from '../workspace/fileAccess.js';
import { featurizeBatch } from '../../../shared/hashedNgrams.js';
import { transformAccountFeature } from '../../../shared/features.js';
import { computePool } from '../compute/workerPool.js';
import { applyCalibration, type InputRole, manifestSchema, type ModelManifest } from '../../../shared/modelManifest.js';
import { type Datatype, type InferInput, KServeClient, type RemoteOptions } from './kserveClient.js';

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
async function loadTokenizers(): Promise<void> {
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
const wellFormed = (text: string) =>
  text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

export interface PreparedTensor {
  data: Float32Array | Int32Array | BigInt64Array | string[];
  dims: number[];
}

type HashedFeatures = ReturnType<typeof featurizeBatch>;

/** Batches at least this large are featurised in the compute pool; a single "try it" item is quicker in place. */
const POOLED_BATCH = 64;

/**
 * The hashed n-gram features of a batch, computed in the compute pool so the engine's event loop stays free
 * while a million items are re-scored; null when the model does not use them or the batch is small.
 */
async function pooledFeatures(pkg: ModelPackage, items: ScoreItem[]): Promise<HashedFeatures | undefined> {
  const pre = pkg.manifest.preprocessing;
  if (pre.type !== 'hashed_ngrams' || items.length < POOLED_BATCH) return undefined;
  return computePool().run('featurizeBatch', [items.map((item) => wellFormed(item.text ?? '')), pre]);
}

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

const ORT_TYPE: Record<string, string> = { FLOAT: 'float32', INT32: 'int32', INT64: 'int64', BYTES: 'string' };

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

type Ort = typeof ort;
let ortModule: Promise<Ort> | null = null;

/** onnxruntime is loaded when a model first runs, not when the host starts: `sift tables` never needs it. */
function loadOrt(): Promise<Ort> {
  ortModule ??= Promise.all([import('onnxruntime-node'), loadTokenizers()]).then(
    ([module]) => (module as unknown as { default: Ort }).default ?? (module as unknown as Ort),
  );
  return ortModule;
}

function ortTensor(ort: Ort, tensor: PreparedTensor, datatype: string): ort.Tensor {
  if (Array.isArray(tensor.data)) return new ort.Tensor('string', tensor.data, tensor.dims);
  const type = ORT_TYPE[datatype]!;
  if (type === 'int64' && !(tensor.data instanceof BigInt64Array))
    return new ort.Tensor(
      'int64',
      BigInt64Array.from(tensor.data as Int32Array, (v) => BigInt(v)),
      tensor.dims,
    );
  if (type === 'int32' && tensor.data instanceof BigInt64Array)
    return new ort.Tensor(
      'int32',
      Int32Array.from(tensor.data, (v) => Number(v)),
      tensor.dims,
    );
  return new ort.Tensor(type as 'float32', tensor.data as Float32Array, tensor.dims);
}

/** One batch through a session: the manifest's inputs as tensors, the run, calibrated probabilities per category. */
async function runSession(
  pkg: ModelPackage,
  ortModule: Ort,
  session: ort.InferenceSession,
  items: ScoreItem[],
  prepared: Map<InputRole, PreparedTensor>,
): Promise<Float32Array> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of pkg.manifest.inputs) {
    if (!session.inputNames.includes(input.name)) continue;
    const tensor = prepared.get(input.role);
    if (!tensor)
      throw new SiftError({
        code: 'INTERNAL',
        message: `${pkg.manifest.name}: no way to make input ${input.name} (role ${input.role}).`,
      });
    feeds[input.name] = ortTensor(ortModule, tensor, input.datatype);
  }
  const output = pkg.manifest.outputs[0]!.name;
  const results = await session.run(feeds, [output]);
  return toProbabilities(pkg, results[output]!.data as Float32Array, items.length);
}

/**
 * A compute-pool worker's CPU sessions, one per model package version (by content hash), made on first use; the
 * few used last are kept (a labeling session's retrains make a new version each round).
 */
const workerSessions = new Map<string, Promise<ort.InferenceSession>>();
const WORKER_SESSIONS_KEPT = 4;

/**
 * A batch scored on the CPU in a compute-pool worker: features, onnxruntime's run and probabilities, all off the
 * engine's loop. The engine checked the package and its graph when it made its scorer; the hash says the worker
 * read the same files.
 */
export async function scoreBatchOnCpu(dir: string, hash: string, items: ScoreItem[]): Promise<Float32Array> {
  const pkg = loadPackage(dir);
  if (pkg.hash !== hash)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${dir}: the model's files changed while it was scoring; score again.`,
      file: dir,
    });
  const ortModule = await loadOrt();
  const key = `${dir}:${hash}`;
  let session = workerSessions.get(key);
  workerSessions.delete(key); // re-inserted last: the map's order is the order of use
  if (!session) {
    session = ortModule.InferenceSession.create(path.join(dir, pkg.manifest.file), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
    });
    session.catch(() => workerSessions.delete(key));
  }
  workerSessions.set(key, session);
  for (const [oldKey, old] of workerSessions) {
    if (workerSessions.size <= WORKER_SESSIONS_KEPT) break;
    workerSessions.delete(oldKey);
    void old.then((stale) => stale.release()).catch(() => undefined);
  }
  return runSession(pkg, ortModule, await session, items, prepareInputs(pkg, items));
}

export type ProviderPreference = 'cpu' | 'cuda' | 'auto';

export class LocalScorer implements Scorer {
  private constructor(
    private readonly pkg: ModelPackage,
    private readonly ort: Ort,
    private readonly session: ort.InferenceSession,
    readonly provider: string,
    readonly note: string,
  ) {}

  /**
   * 'auto' asks for CUDA for late-fusion models and CPU for distilled ones. CUDA needs onnxruntime-node's CUDA
   * binaries (installed with `npm install onnxruntime-node --onnxruntime-node-install-cuda`, which downloads them);
   * without them the model runs on CPU and `note` says why.
   */
  static async create(pkg: ModelPackage, preference: ProviderPreference = 'auto'): Promise<LocalScorer> {
    const ort = await loadOrt();
    const file = path.join(pkg.dir, pkg.manifest.file);
    const wantCuda = preference === 'cuda' || (preference === 'auto' && pkg.manifest.kind === 'late_fusion');
    let note = '';
    const cudaLibrary = path.join(
      path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')),
      'bin',
      'napi-v6',
      process.platform,
      process.arch,
      'libonnxruntime_providers_cuda.so',
    );
    if (wantCuda && process.platform === 'linux' && !fs.existsSync(cudaLibrary)) {
      note =
        'CUDA execution provider not installed (npm install onnxruntime-node --onnxruntime-node-install-cuda adds it); running on CPU';
    } else if (wantCuda) {
      try {
        // Severity 4 (fatal only): a missing GPU is an expected outcome here, not an error for the log.
        const session = await ort.InferenceSession.create(file, { executionProviders: ['cuda'], logSeverityLevel: 4 });
        checkAgainstGraph(pkg, session);
        return new LocalScorer(pkg, ort, session, 'cuda', 'CUDA execution provider');
      } catch (error) {
        if (error instanceof SiftError) throw error;
        note = `CUDA execution provider unavailable (${(error as Error).message.split('\n')[0]}); running on CPU`;
      }
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    } catch (error) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${file}: onnxruntime could not load it: ${(error as Error).message.split('\n')[0]}`,
        file,
      });
    }
    checkAgainstGraph(pkg, session);
    return new LocalScorer(pkg, ort, session, 'cpu', note || 'CPU execution provider');
  }

  async score(items: ScoreItem[]): Promise<Float32Array> {
    if (items.length === 0) return new Float32Array(0);
    // onnxruntime-node runs a session synchronously on its caller's thread (~50 ms a batch): a re-score's batches
    // run in the compute pool, so the engine's loop keeps answering. A "try it" item is quicker here.
    if (
      this.provider === 'cpu' &&
      items.length >= POOLED_BATCH &&
      this.pkg.manifest.preprocessing.type === 'hashed_ngrams'
    ) {
      return computePool().run('scoreBatchOnCpu', [this.pkg.dir, this.pkg.hash, items]);
    }
    return runSession(this.pkg, this.ort, this.session, items, prepareInputs(this.pkg, items));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

const REMOTE_TYPE: Record<string, Datatype> = { FLOAT: 'FP32', INT32: 'INT32', INT64: 'INT64', BYTES: 'BYTES' };

export class RemoteScorer implements Scorer {
  readonly provider: string;
  readonly note: string;

  private constructor(
    private readonly pkg: ModelPackage,
    private readonly client: KServeClient,
    private readonly remoteName: string,
    private readonly inputs: { name: string; role: InputRole; datatype: Datatype }[],
    binary: boolean,
  ) {
    this.provider = 'remote';
    this.note = `Open Inference Protocol at ${client.url} (${binary ? 'binary' : 'JSON'} tensors)`;
  }

  /** Checks the server is ready and the remote model's inputs are the ones the manifest declares. */
  static async create(pkg: ModelPackage, options: RemoteOptions): Promise<RemoteScorer> {
    const client = new KServeClient(options);
    const remoteName = options.model ?? pkg.manifest.name;
    await loadTokenizers();
    try {
      await client.ready(remoteName);
      const metadata = await client.metadata(remoteName);
      const remoteInputs = new Map(metadata.inputs.map((input) => [input.name, input]));
      // A server whose model takes the text itself (one BYTES input) gets text; otherwise the prepared tensors.
      const takesText = metadata.inputs.length === 1 && metadata.inputs[0]!.datatype === 'BYTES';
      const plan: ModelManifest['inputs'] = takesText
        ? [{ name: metadata.inputs[0]!.name, role: 'text', datatype: 'BYTES', shape: [null, 1] }]
        : pkg.manifest.inputs.filter((input) => input.role !== 'text');
      const problems: string[] = [];
      for (const input of takesText ? [] : plan) {
        const remote = remoteInputs.get(input.name);
        if (!remote) problems.push(`${input.name} is missing`);
        else if (remote.datatype !== REMOTE_TYPE[input.datatype])
          problems.push(`${input.name} is ${remote.datatype} there, ${REMOTE_TYPE[input.datatype]} here`);
        else if (
          remote.shape.length !== input.shape.length ||
          remote.shape.some((dim, i) => dim > 0 && input.shape[i] !== null && input.shape[i] !== dim)
        ) {
          problems.push(
            `${input.name} has shape [${remote.shape.join(', ')}] there, [${input.shape.map((d) => d ?? -1).join(', ')}] here`,
          );
        }
      }
      for (const name of remoteInputs.keys())
        if (!plan.some((input) => input.name === name)) problems.push(`the server also expects ${name}`);
      const output = pkg.manifest.outputs[0]!.name;
      if (!metadata.outputs.some((o) => o.name === output))
        problems.push(
          `output ${output} is not among the server's outputs (${metadata.outputs.map((o) => o.name).join(', ')})`,
        );
      if (problems.length > 0) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `Remote model ${remoteName} at ${client.url} does not match the manifest of ${pkg.manifest.name}: ${problems.join('; ')}.`,
        });
      }
      const binary = await client.useBinary();
      return new RemoteScorer(
        pkg,
        client,
        remoteName,
        plan.map((input) => ({ name: input.name, role: input.role, datatype: REMOTE_TYPE[input.datatype]! })),
        binary,
      );
    } catch (error) {
      client.close();
      throw error;
    }
  }

  async score(items: ScoreItem[]): Promise<Float32Array> {
    if (items.length === 0) return new Float32Array(0);
    const prepared = prepareInputs(this.pkg, items, await pooledFeatures(this.pkg, items));
    const inputs: InferInput[] = this.inputs.map((input) => {
      const tensor = prepared.get(input.role)!;
      let data = tensor.data;
      if (input.datatype === 'INT64' && data instanceof Int32Array) data = BigInt64Array.from(data, (v) => BigInt(v));
      if (input.datatype === 'INT32' && data instanceof BigInt64Array) data = Int32Array.from(data, (v) => Number(v));
      return { name: input.name, datatype: input.datatype, shape: tensor.dims, data };
    });
    const output = this.pkg.manifest.outputs[0]!.name;
    const outputs = await this.client.infer(this.remoteName, inputs, [output]);
    return toProbabilities(this.pkg, outputs.get(output)!.data, items.length);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
