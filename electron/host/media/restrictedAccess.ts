/**
 * The host's side of restricted media: the critical marks of the workspace's policy versions, what media.get may
 * serve a caller for an item (the shielded rendition only, unless the owner approved a reveal of that item for that
 * reviewer), and the audit record of every reveal. Enforced here, never in the UI.
 */
import type { Caller } from '../../../shared/callerAccess.js';
import type { RestrictedStanding } from '../../../shared/contract.js';
import { type CriticalMark, criticalMarks, reviewerOf } from '../../../shared/restrictedMedia.js';
import type { HostServices } from '../services.js';
import { restrictedByUnsynced, type RestrictedFile, restrictedFiles } from './restrictedItems.js';
import { purgeDue } from './restrictedPurge.js';
import { approvalsFor, readRetention, recordReveal } from './restrictedStore.js';

/** The critical leaves of every policy version of the workspace (read through the labeling service's policy store). */
export async function workspaceMarks(host: HostServices): Promise<CriticalMark[]> {
  const { policy } = await host.labeling();
  policy.ensure();
  return criticalMarks(policy.versions().map((version) => policy.get(version)));
}

/** The restricted media now (of `contentIds`, or all): the store's labels and those it does not hold yet. */
export async function restrictedNow(host: HostServices, contentIds?: readonly string[]): Promise<RestrictedFile[]> {
  const labeling = await host.labeling();
  const marks = await workspaceMarks(host);
  const unsynced = restrictedByUnsynced(labeling.unsyncedEvents(), marks);
  return restrictedFiles(host.workspace, marks, contentIds, unsynced);
}

/** Each item's standing for this caller. */
export async function standings(
  host: HostServices,
  caller: Caller,
  contentIds: readonly string[],
): Promise<RestrictedStanding[]> {
  const files = await restrictedNow(host, contentIds);
  const approvals = await approvalsFor(host.workspace, contentIds, reviewerOf(caller));
  return contentIds.map((contentId) => {
    const own = files.filter((file) => file.contentId === contentId);
    return {
      contentId,
      restricted: own.length > 0,
      approval: approvals.get(contentId)?.state ?? 'none',
      purged: own.some((file) => file.status === 'purged'),
    };
  });
}

/**
 * What media.get may serve `caller` of one media file: `clear` (not restricted, or approved: the reveal is recorded
 * before the bytes go out), `shielded` (restricted, no approval: the server-side blurred and grey rendition only), or
 * `purged` (the bytes are gone: a placeholder). A failure to read the policy or the labels serves `shielded`: the
 * rule fails closed.
 */
export async function restrictedServing(
  host: HostServices,
  caller: Caller,
  request: { contentId: string; position: number; rendition: string },
  now: Date = new Date(),
): Promise<'clear' | 'shielded' | 'purged'> {
  let file;
  try {
    const files = await restrictedNow(host, [request.contentId]);
    file = files.find((entry) => entry.position === request.position);
  } catch (error) {
    console.error(`sift: restricted media check failed, serving the shielded rendition: ${String(error)}`);
    return 'shielded';
  }
  if (!file) return 'clear';
  if (file.status === 'purged') return 'purged';
  const reviewer = reviewerOf(caller);
  const approval = (await approvalsFor(host.workspace, [request.contentId], reviewer)).get(request.contentId);
  if (approval?.state !== 'approved') return 'shielded';
  await recordReveal(host.workspace, { at: now.toISOString(), reviewer, ...request });
  return 'clear';
}

/**
 * The retention check when a workspace opens (and when its setting changes): purges the restricted bytes that are
 * due at `now`. Never fatal — a workspace whose labels cannot be read still opens (the next check purges).
 */
export async function checkRetention(host: HostServices, now: Date = new Date()): Promise<void> {
  try {
    if ((await readRetention(host.workspace)).days === null) return;
    const { purged } = await purgeDue(host.workspace, await restrictedNow(host), now);
    if (purged.length > 0)
      console.error(`sift: purged the bytes of ${purged.length} restricted media file(s) under the retention setting.`);
  } catch (error) {
    console.error(`sift: the restricted media retention check failed: ${String(error)}`);
  }
}
