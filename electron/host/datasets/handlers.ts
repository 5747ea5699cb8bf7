/** The datasets part of the contract (shared/contract/datasets.ts): versioned training-set exports. */
import path from 'node:path';
import type { ParsedInputOf } from '../../../shared/contract.js';
import type { datasetMethods } from '../../../shared/contract/datasets.js';
import type { JobContext } from '../jobs.js';
import type { Handlers, HostServices } from '../services.js';
import { diffDatasets } from './datasetDiff.js';
import { exportDataset } from './datasetExport.js';
import { registeredSha256s, restrictedMediaForDataset } from './datasetMedia.js';
import { deleteDatasetVersion, versionsHoldingMedia } from './datasetMediaRecord.js';
import { verifyDataset } from './datasetVerify.js';
import { listDatasetVersions } from './datasetVersions.js';

export function datasetHandlers(host: HostServices): Handlers<keyof typeof datasetMethods> {
  return {
    'datasets.export': async (input) => {
      const job = host.jobs.start('datasets.export', `Export dataset ${input.name}`, (ctx) =>
        exportLabelledDataset(host, input, ctx),
      );
      return { jobId: job.id };
    },
    'datasets.list': async ({ name }) => listDatasetVersions(path.join(host.workspace.exportsDir(), 'datasets'), name),
    'datasets.verify': async ({ dir }) =>
      verifyDataset(host.workspace, host.workspace.checkReadable(dir, 'dir', 'folder')),
    'datasets.diff': async ({ from, to }) =>
      diffDatasets(
        host.workspace,
        host.workspace.checkReadable(from, 'from', 'folder'),
        host.workspace.checkReadable(to, 'to', 'folder'),
      ),
    'datasets.holdingMedia': async ({ contentIds, sha256s }) =>
      versionsHoldingMedia(host.workspace, [...sha256s, ...(await registeredSha256s(host.workspace, contentIds))]),
    'datasets.delete': async ({ dir }) => deleteDatasetVersion(host.workspace, dir), // only a version it recorded
  };
}

/** Exports the labels of some sessions as a dataset, under the policy they name (the latest when absent). */
export async function exportLabelledDataset(
  host: HostServices,
  input: ParsedInputOf<'datasets.export'>,
  ctx: JobContext,
) {
  const labeling = await host.labeling();
  await labeling.syncStore(); // the labels just made count
  const facts = labeling.sessionFacts(input.sessions);
  const policyVersion = input.policyVersion ?? labeling.policy.latestVersion();
  const out = input.out ?? path.join(host.workspace.exportsDir(), 'datasets');
  return exportDataset(
    host.workspace,
    labeling.policy.get(policyVersion),
    facts,
    { ...input, out },
    ctx,
    restrictedMediaForDataset(host),
  );
}
