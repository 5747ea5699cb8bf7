/**
 * Creates a workspace from a generated sample folder (the committed one, or one `npm run sample-data` wrote): its
 * tables, its labels, its media (registered as an import's) and its report library. Above workspace/, query/,
 * reports/ and media/, which it fills.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROTECTED_TABLES } from '../../../shared/canonical.js';
import { SiftError } from '../../../shared/errors.js';
import { reportLibraryDir, sampleDataDir } from '../projectPaths.js';
import { QueryService } from '../query/queryService.js';
import { ReportStore } from '../reports/reports.js';
import { installDiscourseViews } from '../workspace/discourseViews.js';
import { DATABASE_FILE, quoteIdent, quoteLiteral, Workspace } from '../workspace/workspace.js';
import { registerSampleMedia } from './sampleMedia.js';

export const SAMPLE_KINDS = ['platform', 'discourse'] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

export async function createSampleWorkspace(
  dir: string,
  source: { kind?: SampleKind; from?: string } = {},
): Promise<Workspace> {
  const resolved = path.resolve(dir);
  const from = source.from ? path.resolve(source.from) : sampleDataDir(source.kind ?? 'platform');
  if (fs.existsSync(path.join(resolved, DATABASE_FILE))) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${resolved} already holds a workspace; choose an empty folder.`,
      file: resolved,
    });
  }
  const tables = fs.existsSync(from)
    ? fs
        .readdirSync(from)
        .filter((file) => file.endsWith('.parquet'))
        .sort()
    : [];
  if (tables.length === 0)
    throw new SiftError({ code: 'NOT_FOUND', message: `${from} holds no sample tables (*.parquet).`, file: from });
  const workspace = await Workspace.open(resolved, { create: true });
  try {
    const isSiftOwned = (file: string) =>
      (PROTECTED_TABLES as readonly string[]).includes(path.basename(file, '.parquet'));
    await workspace.withConnection(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      for (const file of tables.filter((name) => !isSiftOwned(name))) {
        const table = quoteIdent(path.basename(file, '.parquet'));
        await conn.run(
          `CREATE OR REPLACE TABLE ${table} AS SELECT * FROM read_parquet(${quoteLiteral(path.join(from, file))})`,
        );
      }
      await conn.run('COMMIT');
      // A forum's flags and their resolutions, under the canonical names the spike view and the rest read.
      await installDiscourseViews(conn);
    });
    // The sample's labels are Sift's own data: they go to the store, and SQL sees them through the snapshot.
    const labelFiles = tables.filter(isSiftOwned);
    if (labelFiles.length > 0) {
      await workspace.withStore(async (conn) => {
        for (const file of labelFiles)
          await conn.run(
            `INSERT INTO ${quoteIdent(path.basename(file, '.parquet'))} BY NAME SELECT * FROM read_parquet(${quoteLiteral(path.join(from, file))})`,
          );
      });
      await workspace.refreshLabelSnapshot();
    }
    await registerSampleMedia(workspace, from);
    const library = reportLibraryDir(source.kind ?? 'platform');
    await new ReportStore(workspace, new QueryService(workspace)).installLibrary(library);
    for (const extra of ['incidents.json', 'manifest.json']) {
      if (fs.existsSync(path.join(from, extra)))
        fs.copyFileSync(
          path.join(from, extra),
          path.join(resolved, extra === 'manifest.json' ? 'sample-manifest.json' : extra),
        );
    }
    return workspace;
  } catch (error) {
    await workspace.close();
    throw error;
  }
}
