/** The models folder's computations for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { featurizeBatch } from '../../../shared/hashedNgrams.js';
import { computeTask } from '../compute/computeTask.js';
import type { scoreBatchOnCpu } from './onnxSession.js';

export const featurizeBatchTask = computeTask('models.featurizeBatch', featurizeBatch);

// Loaded on a worker's first batch: the model runtime (onnxruntime, manifests, tokenizers) is not every worker's.
export const scoreBatchOnCpuTask = computeTask(
  'models.scoreBatchOnCpu',
  async (...args: Parameters<typeof scoreBatchOnCpu>) => (await import('./onnxSession.js')).scoreBatchOnCpu(...args),
);

export const modelComputeTasks = [featurizeBatchTask, scoreBatchOnCpuTask];
