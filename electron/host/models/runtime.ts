/**
 * Running a model: the one interface of its two scorers, and the local one — onnxruntime-node in this process (CPU,
 * or CUDA when its provider is installed), with large CPU batches scored in the compute pool. The package is read in
 * modelPackage.ts, its inputs and outputs are in modelInputs.ts, onnxruntime's sessions in onnxSession.ts, the remote
 * scorer is in remoteScorer.ts.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { SiftError } from '../../../shared/errors.js';
import { computePool } from '../compute/workerPool.js';
import { scoreBatchOnCpuTask } from './computeTasks.js';
import { POOLED_BATCH, prepareInputs, type ScoreItem } from './modelInputs.js';
import type { ModelPackage } from './modelPackage.js';
import { checkAgainstGraph, loadOrt, type Ort, runSession } from './onnxSession.js';

export interface Scorer {
  readonly provider: string;
  readonly note: string;
  /** Calibrated probabilities, [items, categories] row-major. */
  score(items: ScoreItem[]): Promise<Float32Array>;
  close(): Promise<void>;
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
