/** The computations the worker pool runs, by name. Each is pure: arguments in, a structured-clonable result out. */
import { featurizeBatch } from '../../../shared/hashedNgrams.js';
import { trainHashedText } from '../../../shared/linearModel.js';
import { clusterNearDuplicates } from '../../../shared/nearDuplicates.js';
import { evaluateCategory, fitCalibrationCategory } from '../evaluation/evaluationFigures.js';

export const COMPUTE_TASKS = {
  clusterNearDuplicates,
  evaluateCategory,
  featurizeBatch,
  fitCalibrationCategory,
  trainHashedText,
} as const;

export type ComputeTaskName = keyof typeof COMPUTE_TASKS;
export type ComputeTask<N extends ComputeTaskName> = (typeof COMPUTE_TASKS)[N];
