/**
 * Running a model: two scorers with one interface — onnxruntime-node in this process (CPU, or CUDA when its
 * provider is installed; large CPU batches go to the compute pool) and a remote server speaking the Open Inference
 * Protocol.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { SiftError } from '../../../shared/errors.js';
import type { InputRole, ModelManifest } from '../../../shared/modelManifest.js';
import { computePool } from '../compute/workerPool.js';
import { featurizeBatchTask, scoreBatchOnCpuTask } from './computeTasks.js';
import { type Datatype, type InferInput, KServeClient, type RemoteOptions } from './kserveClient.js';
import {
  checkAgainstGraph,
  type HashedFeatures,
  loadTokenizers,
  type ModelPackage,
  prepareInputs,
  type ScoreItem,
  type Scorer,
  toProbabilities,
  wellFormed,
} from './modelPackage.js';
import { loadOrt, type Ort, runSession } from './onnxSession.js';

/** Batches at least this large are featurised in the compute pool; a single "try it" item is quicker in place. */
const POOLED_BATCH = 64;

/**
 * The hashed n-gram features of a batch, computed in the compute pool so the engine's event loop stays free
 * while a million items are re-scored; null when the model does not use them or the batch is small.
 */
async function pooledFeatures(pkg: ModelPackage, items: ScoreItem[]): Promise<HashedFeatures | undefined> {
  const pre = pkg.manifest.preprocessing;
  if (pre.type !== 'hashed_ngrams' || items.length < POOLED_BATCH) return undefined;
  return computePool().run(featurizeBatchTask, [items.map((item) => wellFormed(item.text ?? '')), pre]);
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
      return computePool().run(scoreBatchOnCpuTask, [this.pkg.dir, this.pkg.hash, items]);
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
