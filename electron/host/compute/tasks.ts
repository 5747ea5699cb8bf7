/** The computations the worker pool runs, by name. Each takes structured-clonable arguments and returns (or resolves to) a structured-clonable result. */
import { featurizeBatch } from '../../../shared/hashedNgrams.js';
import { trainHashedText } from '../../../shared/linearModel.js';
import { clusterNearDuplicates } from '../../../shared/nearDuplicates.js';
import { evaluateCategory, fitCalibrationCategory } from '../evaluation/evaluationFigures.js';
import type { scoreBatchOnCpu as ScoreBatchOnCpu } from '../models/runtime.js';

export const COMPUTE_TASKS = {
  clusterNearDuplicates,
  evaluateCategory,
  featurizeBatch,
  fitCalibrationCategory,
  // Loaded on a worker's first batch: the model runtime (onnxruntime, manifests, tokenizers) is not every worker's.
  scoreBatchOnCpu: async (...args: Parameters<typeof ScoreBatchOnCpu>) =>
    (await import('../models/runtime.js')).scoreBatchOnCpu(...args),
  trainHashedText,
} as const;

export type ComputeTaskName = keyof typeof COMPUTE_TASKS;
export type ComputeTask<N extends ComputeTaskName> = (typeof COMPUTE_TASKS)[N];
