/** The restricted-media part of the contract (shared/contract/restricted.ts); who may call what: shared/callerAccess.ts. */
import type { restrictedMethods } from '../../../shared/contract/restricted.js';
import { reviewerOf } from '../../../shared/restrictedMedia.js';
import type { Handlers, HostServices } from '../services.js';
import { restrictedNow, standings } from './restrictedAccess.js';
import { purgeDue } from './restrictedPurge.js';
import {
  approve,
  auditLog,
  listApprovals,
  readRetention,
  requestApproval,
  revoke,
  writeRetention,
} from './restrictedStore.js';
import { deleteHoldingVersion, versionsHolding } from './restrictedVersions.js';

/** Restricted files by SHA-256, each with the items carrying it. */
async function restrictedBytes(host: HostServices): Promise<Map<string, string[]>> {
  const bySha = new Map<string, string[]>();
  for (const file of await restrictedNow(host))
    bySha.set(file.sha256, [...(bySha.get(file.sha256) ?? []), file.contentId]);
  return bySha;
}

async function holdingVersions(host: HostServices) {
  return versionsHolding(host.workspace, await restrictedBytes(host));
}

export function restrictedHandlers(host: HostServices): Handlers<keyof typeof restrictedMethods> {
  return {
    'restricted.standing': async ({ contentIds }, caller) => standings(host, caller, contentIds),
    'restricted.request': async ({ contentId, reason }, caller) =>
      requestApproval(host.workspace, contentId, reviewerOf(caller), reason ?? null, new Date()),
    'restricted.approvals': async () => listApprovals(host.workspace),
    'restricted.approve': async ({ contentId, reviewer }) => approve(host.workspace, contentId, reviewer, new Date()),
    'restricted.revoke': async ({ contentId, reviewer }) => ({
      revoked: await revoke(host.workspace, contentId, reviewer),
    }),
    'restricted.audit': async ({ limit }) => auditLog(host.workspace, limit),
    'restricted.retention.get': async () => readRetention(host.workspace),
    'restricted.retention.set': async (setting) => writeRetention(host.workspace, setting),
    'restricted.purge': async () => purgeDue(host.workspace, await restrictedNow(host), new Date()),
    'restricted.versions': async () => holdingVersions(host),
    'restricted.deleteVersion': async ({ dir }) =>
      deleteHoldingVersion(host.workspace, dir, await holdingVersions(host)),
  };
}
