/** The import part of the contract (shared/contract/import.ts): inspecting and importing files, saved mappings. */
import path from 'node:path';
import type { ImportOutcome } from '../../../shared/contract.js';
import type { importMethods } from '../../../shared/contract/import.js';
import { toErrorInfo } from '../../../shared/errors.js';
import type { JobContext } from '../jobs.js';
import type { Handlers, HostServices } from '../services.js';
import { installDiscourseViews } from '../workspace/discourseViews.js';
import type { ImportOptions } from './importer.js';
import { listMappings, saveMapping } from './mappings.js';

export function importHandlers(host: HostServices): Handlers<keyof typeof importMethods> {
  return {
    'import.inspect': ({ path: file }) => host.importer.inspect(file),
    'import.start': async ({ path: file, ...options }) => {
      const job = host.jobs.start('import', `Import ${path.basename(file)}`, (ctx) =>
        importFile(host, file, options, ctx),
      );
      return { jobId: job.id };
    },
    'mapping.list': () => listMappings(host.workspace),
    'mapping.save': async (input) => {
      const saved = await saveMapping(host.workspace, input);
      host.emit({ channel: 'workspace', event: { type: 'changed' } });
      return saved;
    },
  };
}

export async function importFile(
  host: HostServices,
  file: string,
  options: ImportOptions,
  ctx: JobContext,
): Promise<ImportOutcome> {
  const outcome = await host.importer.import(file, options, ctx);
  // The import that completes a Discourse export's flag lifecycle maps it onto the canonical tables, as views.
  const canonicalViews = await host.workspace.withConnection(installDiscourseViews).catch((error: unknown) => {
    console.error(
      `sift: ${outcome.table} was imported, but mapping the Discourse tables onto the canonical ones failed: ${toErrorInfo(error).message}`,
    );
    return [];
  });
  if (canonicalViews.length > 0) outcome.canonicalViews = canonicalViews;
  host.emit({ channel: 'workspace', event: { type: 'changed' } });
  return outcome;
}
