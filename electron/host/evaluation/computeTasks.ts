/** The evaluation folder's computations for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { computeTask } from '../compute/computeTask.js';
import { evaluateCategory, fitCalibrationCategory } from './evaluationFigures.js';

export const evaluateCategoryTask = computeTask('evaluation.evaluateCategory', evaluateCategory);
export const fitCalibrationCategoryTask = computeTask('evaluation.fitCalibrationCategory', fitCalibrationCategory);

export const evaluationComputeTasks = [evaluateCategoryTask, fitCalibrationCategoryTask];
