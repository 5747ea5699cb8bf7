/** The robustness folder's computations for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { type TransformName, transformNamed } from '../../../shared/obfuscation.js';
import { computeTask } from '../compute/computeTask.js';
import type { ScoreItem } from '../models/modelInputs.js';

/**
 * A batch of texts transformed (null: as written) and scored on the CPU, both in a worker: neither the transform nor
 * the features and the model's run hold the engine's loop. The worker's session is the models folder's (one per
 * package version, kept between batches).
 */
export async function scoreTransformedOnCpu(
  dir: string,
  hash: string,
  texts: string[],
  transform: TransformName | null,
): Promise<Float32Array> {
  const apply = transform ? transformNamed(transform)!.apply : (text: string) => text;
  const items = texts.map((text, k): ScoreItem => ({
    contentId: String(k),
    text: apply(text),
    imageEmb: null,
    account: null,
  }));
  // Loaded on a worker's first batch, as the models folder's own task does.
  return (await import('../models/onnxSession.js')).scoreBatchOnCpu(dir, hash, items);
}

export const scoreTransformedTask = computeTask('robustness.scoreTransformed', scoreTransformedOnCpu);

export const robustnessComputeTasks = [scoreTransformedTask];
