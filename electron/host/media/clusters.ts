/**
 * Near-duplicate media of the workspace's items (docs/media.md, "Near-duplicate media"): each item's perceptual
 * hashes — every image's, every keyframe of a video — from the store's media_hashes joined to media_files through
 * the file's SHA-256, clustered by shared/mediaClusters.ts. Labeling batches, dataset splits and the spike drill
 * read them here, as they read text for the text clusters.
 */
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { MediaClusterInfo } from '../../../shared/contract/mediaClusters.js';
import { clusterMediaItems } from '../../../shared/mediaClusters.js';
import type { Workspace } from '../workspace/workspace.js';

/** The hashes of these items' media (all items' when `contentIds` is undefined); an item without media is absent. */
export async function mediaHashesOfItems(
  workspace: Workspace,
  contentIds?: readonly string[],
): Promise<Map<string, string[]>> {
  const hashes = new Map<string, string[]>();
  if (contentIds !== undefined && contentIds.length === 0) return hashes;
  const sql = `SELECT f.content_id, h.phash FROM media_files f JOIN media_hashes h ON h.sha256 = f.sha256
    ${contentIds === undefined ? '' : 'WHERE list_contains($ids, f.content_id)'}
    ORDER BY f.content_id, f.position, h.frame`;
  const rows = await workspace.withStore(async (conn) =>
    contentIds === undefined
      ? (await conn.runAndReadAll(sql)).getRowsJson()
      : (await conn.runAndReadAll(sql, { ids: listValue([...contentIds]) }, { ids: LIST(VARCHAR) })).getRowsJson(),
  );
  for (const [contentId, phash] of rows) {
    const list = hashes.get(String(contentId));
    if (list) list.push(String(phash));
    else hashes.set(String(contentId), [String(phash)]);
  }
  return hashes;
}

/** Each of `contentIds`' hashes, in their order (an empty list for an item without media): clusterMediaItems' input. */
export async function mediaHashesInOrder(workspace: Workspace, contentIds: readonly string[]): Promise<string[][]> {
  const hashes = await mediaHashesOfItems(workspace, contentIds);
  return contentIds.map((id) => hashes.get(id) ?? []);
}

/**
 * The workspace's media clusters of two or more items, largest first (then by first content id), numbered from 1 in
 * that order; content ids sorted within each.
 */
export async function workspaceMediaClusters(workspace: Workspace): Promise<MediaClusterInfo[]> {
  const hashes = await mediaHashesOfItems(workspace);
  const ids = [...hashes.keys()].sort();
  return clusterMediaItems(ids.map((id) => hashes.get(id)!))
    .map((cluster) => cluster.members.map((member) => ids[member]!))
    .map((contentIds, index) => ({ cluster: index + 1, contentIds }));
}
