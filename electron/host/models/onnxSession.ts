/**
 * onnxruntime-node: loading it, checking a manifest against its graph, one batch through a session, and the CPU
 * sessions a compute-pool worker keeps for the models folder's pool task (computeTasks.ts).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { SiftError } from '../../../shared/errors.js';
import type { InputRole } from '../../../shared/modelManifest.js';
import { loadTokenizers, type PreparedTensor, prepareInputs, type ScoreItem, toProbabilities } from './modelInputs.js';
import { loadPackage, type ModelPackage } from './modelPackage.js';

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

export type Ort = typeof ort;
let ortModule: Promise<Ort> | null = null;

/** onnxruntime is loaded when a model first runs, not when the host starts: `sift tables` never needs it. */
export function loadOrt(): Promise<Ort> {
  ortModule ??= Promise.all([import('onnxruntime-node'), loadTokenizers()]).then(
    ([module]) => (module as unknown as { default: Ort }).default ?? (module as unknown as Ort),
  );
  return ortModule;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: 'cuda' | 'cpu';
  /** Which execution provider runs it, and when CUDA was wanted but is not used, why. */
  note: string;
}

/**
 * A session for a model file, checked by `check` (the manifest against the graph). With `wantCuda`, the CUDA
 * execution provider when onnxruntime-node's CUDA binaries are installed (`npm install onnxruntime-node
 * --onnxruntime-node-install-cuda`, which downloads them) and a GPU answers; otherwise the CPU, and `note` says why.
 * Scoring models and image encoders open their sessions here alike.
 */
export async function openSession(
  ortModule: Ort,
  file: string,
  wantCuda: boolean,
  check: (session: ort.InferenceSession) => void,
): Promise<OpenedSession> {
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
      const session = await ortModule.InferenceSession.create(file, {
        executionProviders: ['cuda'],
        logSeverityLevel: 4,
      });
      check(session);
      return { session, provider: 'cuda', note: 'CUDA execution provider' };
    } catch (error) {
      if (error instanceof SiftError) throw error;
      note = `CUDA execution provider unavailable (${(error as Error).message.split('\n')[0]}); running on CPU`;
    }
  }
  let session: ort.InferenceSession;
  try {
    session = await ortModule.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${file}: onnxruntime could not load it: ${(error as Error).message.split('\n')[0]}`,
      file,
    });
  }
  check(session);
  return { session, provider: 'cpu', note: note || 'CPU execution provider' };
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
export async function runSession(
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
