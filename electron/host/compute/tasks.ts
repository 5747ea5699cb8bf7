/** The computations the worker pool runs, by name. Each is pure: arguments in, a structured-clonable result out. */
import { evaluateCategory } from '../evaluationFigures.js';

export const COMPUTE_TASKS = {
  evaluateCategory,
} as const;

export type ComputeTaskName = keyof typeof COMPUTE_TASKS;
export type ComputeTask<N extends ComputeTaskName> = (typeof COMPUTE_TASKS)[N];
