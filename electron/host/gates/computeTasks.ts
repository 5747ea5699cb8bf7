/** The gates folder's computation for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { computeTask } from '../compute/computeTask.js';
import { judgeCategory } from './judge.js';

/** One category's gates, judged in a worker: its sorts and bootstrap stay off the engine's event loop. */
export const judgeCategoryTask = computeTask('gates.judgeCategory', judgeCategory);

export const gateComputeTasks = [judgeCategoryTask];
