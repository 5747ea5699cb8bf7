/** The monitors folder's computations for the compute pool (registered for the worker in electron/host/computeTasks.ts). */
import { computeTask } from '../compute/computeTask.js';
import { judgeMonitorSeries } from './series.js';

/** Judging every series of a monitor (the robust baseline, per bucket): tens of ms for a few hundred buckets. */
export const judgeMonitorSeriesTask = computeTask('monitors.judgeMonitorSeries', judgeMonitorSeries);

export const monitorComputeTasks = [judgeMonitorSeriesTask];
