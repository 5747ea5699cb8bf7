/** The drift part of the contract (shared/contract/drift.ts): score drift of a model version, as jobs. */
import type { driftMethods } from '../../../shared/contract/drift.js';
import type { Handlers, HostServices } from '../services.js';
import { compareDrift, weeklyDrift } from './drift.js';

export function driftHandlers(host: HostServices): Handlers<keyof typeof driftMethods> {
  return {
    'drift.compare': async (input) => {
      const { workspace, models } = host;
      const job = host.jobs.start(
        'drift.compare',
        `Drift of ${input.model}${input.version ? ` ${input.version}` : ''}`,
        (ctx) => compareDrift(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
    'drift.weekly': async (input) => {
      const { workspace, models } = host;
      const job = host.jobs.start(
        'drift.weekly',
        `Weekly drift of ${input.model}${input.version ? ` ${input.version}` : ''}`,
        (ctx) => weeklyDrift(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
  };
}
