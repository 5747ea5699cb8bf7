/** The feeds folder's computations for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { computeTask } from '../compute/computeTask.js';
import { type DetectedDialect, planRead, type ReadPlan } from '../import/readPlan.js';

/**
 * A feed's read plan for one file (planRead: a 1 MB head read and Sift's own CSV check of it, ~5–20 ms of
 * JavaScript on this machine), in a worker, so the engine's loop keeps answering calls meanwhile.
 */
function planFeedRead(file: string, display: string, detected: DetectedDialect | null): ReadPlan {
  return planRead(file, undefined, display, 'fail', detected);
}

export const planFeedReadTask = computeTask('feeds.planFeedRead', planFeedRead);

export const feedComputeTasks = [planFeedReadTask];
