/**
 * Running a model: the one interface of its two scorers, and the local one — onnxruntime-node in this process (CPU,
 * or CUDA when its provider is installed), with large CPU batches scored in the compute pool. The package is read in
 * modelPackage.ts, its inputs and outputs are in modelInputs.ts, onnxruntime's sessions in onnxSession.ts, the remote
 * scorer is in remoteScorer.ts.
 */
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { computePool } from '../compute/workerPool.js';
import { scoreBatchOnCpuTask } from './computeTasks.js';
import { POOLED_BATCH, prepareInputs, type ScoreItem } from './modelInputs.js';
import type { ModelPackage } from './modelPackage.js';
import { checkAgainstGraph, loadOrt, type Ort, openSession, runSession } from './onnxSession.js';

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

  /** 'auto' asks for CUDA for late-fusion models and CPU for distilled ones (openSession: CPU when CUDA is not there). */
  static async create(pkg: ModelPackage, preference: ProviderPreference = 'auto'): Promise<LocalScorer> {
    const ort = await loadOrt();
    const wantCuda = preference === 'cuda' || (preference === 'auto' && pkg.manifest.kind === 'late_fusion');
    const opened = await openSession(ort, path.join(pkg.dir, pkg.manifest.file), wantCuda, (session) =>
      checkAgainstGraph(pkg, session),
    );
    return new LocalScorer(pkg, ort, opened.session, opened.provider, opened.note);
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
