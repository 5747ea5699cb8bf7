/** The labeling folder's computations for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { trainAndScoreHashedText } from '../../../shared/backtest.js';
import { trainHashedText } from '../../../shared/linearModel.js';
import { computeTask } from '../compute/computeTask.js';

export const trainHashedTextTask = computeTask('labeling.trainHashedText', trainHashedText);
/** One training of a backtest (a fold, or everything before the cut) and the scores of the items it is judged on. */
export const backtestFoldTask = computeTask('labeling.backtestFold', trainAndScoreHashedText);

export const labelingComputeTasks = [trainHashedTextTask, backtestFoldTask];
