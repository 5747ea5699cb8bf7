/** The spikes part of the contract (shared/contract/spikes.ts): the overview of series and drilling into one. */
import type { spikeMethods } from '../../../shared/contract/spikes.js';
import type { Handlers, HostServices } from '../services.js';
import { spikeDrill, spikeOverview } from './spikes.js';

export function spikeHandlers(host: HostServices): Handlers<keyof typeof spikeMethods> {
  return {
    'spike.overview': (options) => spikeOverview(host.workspace, options),
    'spike.drill': (options) => spikeDrill(host.workspace, options),
    'spike.drillStart': async (options) => {
      const { workspace } = host;
      const job = host.jobs.start('drill', `Drill into ${options.series}`, (ctx) =>
        spikeDrill(workspace, options, ctx),
      );
      return { jobId: job.id };
    },
  };
}
