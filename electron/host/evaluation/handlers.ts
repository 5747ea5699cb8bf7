/**
 * The evaluation part of the contract (shared/contract/evaluation.ts): evaluating, slicing, errors, the release
 * metrics, calibration.
 */
import type { evaluationMethods } from '../../../shared/contract/evaluation.js';
import type { Handlers, HostServices } from '../services.js';
import { errorAnalysis, evalItems } from './errorAnalysis.js';
import { evaluate, evaluateSlices, fitCalibration } from './evaluation.js';
import { releaseMetrics } from './releaseMetrics.js';

export function evaluationHandlers(host: HostServices): Handlers<keyof typeof evaluationMethods> {
  return {
    'eval.run': async (input) => {
      const { workspace, models } = host;
      const job = host.jobs.start(
        'eval.run',
        `Evaluate ${input.model}${input.version ? ` ${input.version}` : ''}`,
        (ctx) => evaluate(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
    'eval.slices': (input) => evaluateSlices(host.workspace, host.models, input),
    'eval.errors': (input) => errorAnalysis(host.workspace, host.models, input),
    'eval.items': (input) => evalItems(host.workspace, host.models, input),
    'eval.metrics': (input) => releaseMetrics(host.workspace, host.models, input),
    'eval.calibrate': async (input) => {
      const { workspace, models } = host;
      const job = host.jobs.start('eval.calibrate', `Fit ${input.method} calibration for ${input.model}`, (ctx) =>
        fitCalibration(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
  };
}
