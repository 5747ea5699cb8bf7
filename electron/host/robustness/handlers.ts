/** The robustness part of the contract (shared/contract/robustness.ts): obfuscation robustness and latency, a job. */
import type { robustnessMethods } from '../../../shared/contract/robustness.js';
import type { Handlers, HostServices } from '../services.js';
import { runRobustness } from './robustness.js';

export function robustnessHandlers(host: HostServices): Handlers<keyof typeof robustnessMethods> {
  return {
    'robustness.run': async (input) => {
      const { workspace, models } = host;
      const job = host.jobs.start(
        'robustness.run',
        `Robustness of ${input.model}${input.version ? ` ${input.version}` : ''}`,
        (ctx) => runRobustness(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
  };
}
