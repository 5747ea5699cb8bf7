/** The models part of the contract (shared/contract/models.ts): the registry, scoring, comparing and deploying. */
import type { modelMethods } from '../../../shared/contract/models.js';
import type { Handlers, HostServices } from '../services.js';
import { setDeployment } from '../spikes/spikes.js';
import { compareVersions, scoredVersions, scoreQuery, tryModel } from './scoring.js';

export function modelHandlers(host: HostServices): Handlers<keyof typeof modelMethods> {
  /** A remote model's CA certificate is a file the host reads: in reach, and a regular file. */
  const checkRemote = <T extends { remote?: { caFile?: string } }>(input: T): T => {
    if (input.remote?.caFile) host.workspace.checkReadable(input.remote.caFile, 'remote.caFile');
    return input;
  };
  return {
    'models.list': () => host.models.list(),
    'models.add': async ({ path: folder }) => {
      const info = await host.models.add(folder);
      host.emit({ channel: 'workspace', event: { type: 'changed' } });
      return info;
    },
    'models.try': (input) => tryModel(host.workspace, host.models, checkRemote(input)),
    'models.score': async (input) => {
      const { workspace, models } = host;
      checkRemote(input);
      const job = host.jobs.start(
        'score',
        `Score with ${input.model}${input.remote ? ' (remote)' : ''}`,
        async (ctx) => {
          const outcome = await scoreQuery(workspace, models, input, ctx);
          host.emit({ channel: 'workspace', event: { type: 'changed' } });
          return outcome;
        },
      );
      return { jobId: job.id };
    },
    'models.compare': (input) => compareVersions(host.workspace, host.models, input),
    'models.compareStart': async (input) => {
      const { workspace, models } = host;
      const label = (side: { model: string; version: string }) => `${side.model} ${side.version}`;
      const job = host.jobs.start('compare', `Compare ${label(input.a)} with ${label(input.b)}`, (ctx) =>
        compareVersions(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
    'models.versions': () => scoredVersions(host.workspace),
    'models.setDeployment': async (input) => {
      const deployments = await setDeployment(host.workspace, input);
      host.emit({ channel: 'workspace', event: { type: 'changed' } });
      return deployments;
    },
    'models.saveRevision': async ({ model, thresholds, calibration }) => {
      const info = await host.models.saveRevision(model, { thresholds, calibration });
      host.emit({ channel: 'workspace', event: { type: 'changed' } });
      return info;
    },
  };
}
