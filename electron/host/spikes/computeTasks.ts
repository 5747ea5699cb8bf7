/** The spikes folder's computations for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { clusterNearDuplicates } from '../../../shared/nearDuplicates.js';
import { computeTask } from '../compute/computeTask.js';

export const clusterNearDuplicatesTask = computeTask('spikes.clusterNearDuplicates', clusterNearDuplicates);

export const spikeComputeTasks = [clusterNearDuplicatesTask];
