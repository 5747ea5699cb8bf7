/**
 * The spike drill's clusters, text and media alike: who posted a cluster's items and when. A media cluster is the
 * same picture (an image, or any keyframe of a video) posted by many accounts — often new ones — under different
 * captions, which the text clusters cannot see (docs/media.md, "Near-duplicate media").
 */
import type { SpikeDrillCluster } from '../../../shared/contract.js';
import { clusterMediaItems } from '../../../shared/mediaClusters.js';
import { mediaHashesInOrder } from '../media/clusters.js';
import type { Workspace } from '../workspace/workspace.js';

/** An item of the window being drilled into (times in epoch ms). */
export interface DrillItem {
  contentId: string;
  userId: string;
  text: string;
  created: number;
  accountCreated: number | null;
}

/** Clusters shown in the drill: this many, of at least this many items, each listing at most this many ids. */
const SHOWN_CLUSTERS = 10;
export const DRILL_CLUSTER_MIN_SIZE = 3;
const SHOWN_IDS = 200;

const iso = (ms: number) => new Date(ms).toISOString();

/** Size, authors, authors whose account is younger than `newWithinMs` at the window's start, first and last post. */
export function describeCluster(
  members: DrillItem[],
  start: Date,
  newWithinMs: number,
): Omit<SpikeDrillCluster, 'samples'> {
  const authors = new Set(members.map((item) => item.userId));
  const newAuthors = new Set(
    members
      .filter((item) => item.accountCreated !== null && start.getTime() - item.accountCreated < newWithinMs)
      .map((item) => item.userId),
  );
  return {
    size: members.length,
    authors: authors.size,
    newAccounts: newAuthors.size,
    firstAt: iso(Math.min(...members.map((item) => item.created))),
    lastAt: iso(Math.max(...members.map((item) => item.created))),
    contentIds: members.slice(0, SHOWN_IDS).map((item) => item.contentId),
  };
}

/** The window's media clusters of three or more items, largest first. */
export async function drillMediaClusters(
  workspace: Workspace,
  focus: DrillItem[],
  start: Date,
  newWithinMs: number,
): Promise<Omit<SpikeDrillCluster, 'samples'>[]> {
  const hashes = await mediaHashesInOrder(
    workspace,
    focus.map((item) => item.contentId),
  );
  return clusterMediaItems(hashes, undefined, DRILL_CLUSTER_MIN_SIZE)
    .slice(0, SHOWN_CLUSTERS)
    .map((cluster) =>
      describeCluster(
        cluster.members.map((index) => focus[index]!),
        start,
        newWithinMs,
      ),
    );
}
