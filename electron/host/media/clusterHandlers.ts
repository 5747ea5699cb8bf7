/** The near-duplicate media part of the contract (shared/contract/mediaClusters.ts). */
import type { mediaClusterMethods } from '../../../shared/contract/mediaClusters.js';
import type { Handlers, HostServices } from '../services.js';
import { workspaceMediaClusters } from './clusters.js';

export function mediaClusterHandlers(host: HostServices): Handlers<keyof typeof mediaClusterMethods> {
  return {
    'media.clusters': async () => workspaceMediaClusters(host.workspace),
  };
}
