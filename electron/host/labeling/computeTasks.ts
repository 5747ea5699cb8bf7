/** The labeling folder's computations for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { trainHashedText } from '../../../shared/linearModel.js';
import { computeTask } from '../compute/computeTask.js';

export const trainHashedTextTask = computeTask('labeling.trainHashedText', trainHashedText);

export const labelingComputeTasks = [trainHashedTextTask];
