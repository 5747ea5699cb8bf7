/**
 * Near-duplicate media (docs/media.md): the workspace's clusters of items whose images or video keyframes are the
 * same picture reposted (perceptual hashes within MEDIA_CLUSTER_THRESHOLD bits). The owner's: not an annotator's.
 */
import { empty, method } from './base.js';

export interface MediaClusterInfo {
  /** 1 for the largest cluster, then in order of size (ties by first content id). */
  cluster: number;
  /** Sorted; two or more. */
  contentIds: string[];
}

export const mediaClusterMethods = {
  'media.clusters': method<MediaClusterInfo[]>()(empty),
} as const;
