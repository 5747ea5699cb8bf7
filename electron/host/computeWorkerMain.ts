/** The compute pool's worker thread: serves every feature's tasks (bundled as computeWorker.mjs, beside the engine). */
import { serveComputeTasks } from './compute/computeWorker.js';
import { COMPUTE_TASKS } from './computeTasks.js';

serveComputeTasks(COMPUTE_TASKS);
