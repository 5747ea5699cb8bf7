/**
 * Every compute task, as the worker's registry: each feature folder declares its own (its computeTasks.ts) and
 * this list only gathers them, so the pool (compute/) imports no feature. A task missing here fails in the worker
 * with its name; workerPool.test.ts checks that every folder's tasks are listed.
 */
import type { AnyComputeTask } from './compute/computeTask.js';
import { evaluationComputeTasks } from './evaluation/computeTasks.js';
import { feedComputeTasks } from './feeds/computeTasks.js';
import { gateComputeTasks } from './gates/computeTasks.js';
import { labelingComputeTasks } from './labeling/computeTasks.js';
import { modelComputeTasks } from './models/computeTasks.js';
import { monitorComputeTasks } from './monitors/computeTasks.js';
import { robustnessComputeTasks } from './robustness/computeTasks.js';
import { spikeComputeTasks } from './spikes/computeTasks.js';

export const COMPUTE_TASKS: readonly AnyComputeTask[] = [
  ...evaluationComputeTasks,
  ...feedComputeTasks,
  ...gateComputeTasks,
  ...labelingComputeTasks,
  ...modelComputeTasks,
  ...monitorComputeTasks,
  ...robustnessComputeTasks,
  ...spikeComputeTasks,
];
