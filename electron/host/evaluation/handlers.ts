/** The evaluation part of the contract (shared/contract/evaluation.ts): evaluating, slicing, errors, calibration. */
import type { evaluationMethods } from '../../../shared/contract/evaluation.js';
import type { Handlers, HostServices } from '../services.js';
import { errorAnalysis, evalItems } from './errorAnalysis.js';
import { evaluate, evaluateSlices, fitCalibration } from './evaluation.js';

export function evaluationHandlers(host: HostServices): Handlers<keyof typeof evaluationMethods> {
  return {
    'eval.run': (input) => evaluate(host.workspace, host.models, input),
    'eval.start': async (input) => {
      const { workspace, models } = host;
      const job = host.jobs.start(
        'evaluate',
        `Evaluate ${input.model}${input.version ? ` ${input.version}` : ''}`,
        (ctx) => evaluate(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
    'eval.slices': (input) => evaluateSlices(host.workspace, host.models, input),
    'eval.errors': (input) => errorAnalysis(host.workspace, host.models, input),
    'eval.items': (input) => evalItems(host.workspace, host.models, input),
    'eval.calibrate': (input) => fitCalibration(host.workspace, host.models, input),
    'eval.calibrateStart': async (input) => {
      const { workspace, models } = host;
      const job = host.jobs.start('calibrate', `Fit ${input.method} calibration for ${input.model}`, (ctx) =>
        fitCalibration(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
  };
}
