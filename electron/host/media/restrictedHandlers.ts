/** The restricted-media part of the contract (shared/contract/restricted.ts); who may call what: shared/callerAccess.ts. */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetManifest } from '../../../shared/contract.js';
import type { RestrictedMediaFile, restrictedMethods } from '../../../shared/contract/restricted.js';
import { SiftError } from '../../../shared/errors.js';
import { restrictedReexport, reviewerOf } from '../../../shared/restrictedMedia.js';
import type { Handlers, HostServices } from '../services.js';
import { checkRetention, restrictedNow, standings } from './restrictedAccess.js';
import { dueDates, purgeDue } from './restrictedPurge.js';
import {
  approve,
  auditLog,
  listApprovals,
  readRetention,
  requestApproval,
  revoke,
  writeRetention,
} from './restrictedStore.js';

/** Every restricted file by SHA-256: its items, state, and when the retention setting purges it. */
async function restrictedMediaFiles(host: HostServices): Promise<RestrictedMediaFile[]> {
  const files = await restrictedNow(host);
  const due = dueDates(files, (await readRetention(host.workspace)).days);
  return [...new Set(files.map((file) => file.sha256))].map((sha256) => {
    const carrying = files.filter((file) => file.sha256 === sha256);
    const purged = carrying.every((file) => file.status === 'purged');
    const since = Math.min(...carrying.map((file) => file.restrictedSince.getTime()));
    return {
      sha256,
      contentIds: [...new Set(carrying.map((file) => file.contentId))],
      status: purged ? 'purged' : carrying[0]!.status,
      restrictedSince: new Date(since).toISOString(),
      purgeDueAt: purged ? null : (due.get(sha256)?.toISOString() ?? null),
    };
  });
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
    'restricted.retention.set': async (setting) => {
      const written = await writeRetention(host.workspace, setting);
      await checkRetention(host);
      return written;
    },
    'restricted.purge': async () => purgeDue(host.workspace, await restrictedNow(host), new Date()),
    'restricted.files': async () => restrictedMediaFiles(host),
    'restricted.reexportInput': async ({ dir }) => {
      const folder = host.workspace.checkReadable(dir, 'dir', 'folder');
      const file = path.join(folder, 'manifest.json');
      let manifest: DatasetManifest;
      try {
        manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as DatasetManifest;
      } catch (error) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `dir: ${file} is not a dataset version's readable manifest (${String(error)}).`,
          file,
        });
      }
      return restrictedReexport(manifest, folder);
    },
  };
}
