/**
 * Labeled datasets as immutable, versioned folders: `<out>/<name>/v<N>/` with one Parquet file per split (and JSONL
 * on request), a `manifest.json` naming everything that made the version (policy, annotators, sessions and
 * strategies, the adjudication rule, source queries, model versions, row counts, a SHA-256 and size per file) and a
 * dataset card `README.md` whose YAML header lets Hugging Face `datasets` (and pandas) load it as it is.
 *
 * Only settled labels graduate (adjudicated, or unanimous). Splits are by time — train before the cut, validation,
 * test after — and a near-duplicate group goes wholly where its earliest member goes, so no copy straddles two splits.
 * A version is written to a staging folder of its own beside the versions, verified, recorded in the workspace's store
 * (the manifest's and card's SHA-256), then renamed into place as a whole; the rename claims the version number (it
 * fails when another export took it first, and the next number is tried). A published version is never written
 * into again (workspace/fileAccess.ts refuses every Sift write inside one) and `verify` checks it against its record.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetManifest } from '../../../shared/contract.js';
import { DATASET_NAME_PATTERN } from '../../../shared/contract/datasets.js';
import { ACCOUNT_FEATURES, FEATURE_VIEW } from '../../../shared/features.js';
import { SiftError } from '../../../shared/errors.js';
import type { Taxonomy } from '../../../shared/taxonomy.js';
import type { JobContext } from '../jobs.js';
import { settledLabelsSql } from '../labeling/poolData.js';
import { projectRoot } from '../projectPaths.js';
import { DATASET_MANIFEST, realPathOf } from '../workspace/fileAccess.js';
import { quoteIdent, quoteLiteral, type Workspace } from '../workspace/workspace.js';
import { datasetCard } from './datasetCard.js';
import {
  appendMediaColumns,
  copyDatasetMedia,
  mediaColumnNames,
  mediaColumnsDdl,
  planDatasetMedia,
  type RestrictedMedia,
} from './datasetMedia.js';
import { mediaHashesInOrder } from '../media/clusters.js';
import { keepNearDuplicatesTogether, type Split, SPLITS, splitBoundaries } from './datasetSplits.js';
import { checkVersionFiles } from './datasetVerify.js';
import {
  forgetVersion,
  nextVersion,
  type PublishedRecord,
  recordVersion,
  removeAbandonedStaging,
  sha256,
  sha256Text,
  syncFile,
  syncFolder,
  writeSynced,
} from './datasetVersions.js';

export interface DatasetExportInput {
  name: string;
  out: string;
  sessions: string[];
  cutDate?: string;
  valDays?: number;
  formats: ('parquet' | 'jsonl')[];
  /** Labels under other policy versions that were never carried over: refused (false), or left out and listed. */
  leaveOutOtherPolicies?: boolean;
}

interface SessionFacts {
  id: string;
  name: string;
  strategy: string;
  pool: string;
  model: string;
  version: string;
  policyVersion: string;
}

/** The version in Sift's package.json (the manifest says which Sift wrote a dataset). */
const TOOL_VERSION: string = (() => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
})();

export async function exportDataset(
  workspace: Workspace,
  taxonomy: Taxonomy,
  facts: SessionFacts[],
  input: DatasetExportInput,
  ctx: JobContext,
  restrictedMedia: RestrictedMedia,
): Promise<DatasetManifest> {
  if (!DATASET_NAME_PATTERN.test(input.name))
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: 'name: letters, digits, _ . - (up to 100), starting with a letter or digit.',
    });
  const root = path.resolve(input.out, input.name);
  workspace.checkExportTarget(path.join(root, 'manifest.json'), 'out'); // never into the workspace's own files; confined in browser mode
  const sessions = facts.map((session) => session.id);
  const categories = taxonomy.categories.map((category) => category.name);
  ctx.progress(null, 'Reading settled labels');
  // Only labels under the dataset's policy version count; labels made under another that were never carried over
  // (no label of that annotator on that item under this version) are refused, or left out and listed.
  const settled = settledLabelsSql([], sessions, taxonomy.version);
  const { rows, contested, annotators, withFeatures, notCarried } = await workspace.withConnection(async (conn) => {
    const present = new Set(
      (
        (
          await conn.runAndReadAll(
            `SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = 'content'`,
          )
        ).getRowsJson() as [string][]
      ).map((row) => row[0]),
    );
    if (!present.has('content_id') || !present.has('created_at')) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message:
          'A dataset needs the content table with content_id and created_at (splits are by time): import your posts and map them onto content.',
      });
    }
    // A column the workspace's content lacks is exported empty, not refused.
    const column = (name: string) => (present.has(name) ? `c.${quoteIdent(name)}::VARCHAR` : 'NULL::VARCHAR');
    // Account features as of each upload (the feature view scoring and training use), when the workspace has it.
    const withFeatures = workspace.featureSources !== null;
    const feature = (name: string) => (withFeatures ? `f.${name}::DOUBLE` : 'NULL::DOUBLE');
    const read = (
      await conn.runAndReadAll(
        `WITH ${settled.ctes},
       labeled AS (SELECT content_id, ${categories.map((c) => `max(CASE WHEN category = ${quoteLiteral(c)} THEN TRY_CAST(value AS INTEGER) END) AS ${quoteIdent(c)}`).join(', ')}
                   FROM settled WHERE content_id NOT IN (SELECT content_id FROM contested) GROUP BY content_id)
       SELECT l.content_id::VARCHAR, ${column('text')}, ${column('surface')}, ${column('language')}, ${column('content_type')},
              strftime(c.created_at::TIMESTAMP, '%Y-%m-%dT%H:%M:%S'), epoch_ms(c.created_at::TIMESTAMP),
              ${ACCOUNT_FEATURES.map(({ name }) => feature(name)).join(', ')}, ${categories.map((c) => `l.${quoteIdent(c)}`).join(', ')}
       FROM labeled l JOIN content c ON c.content_id::VARCHAR = l.content_id::VARCHAR
       ${withFeatures ? `LEFT JOIN ${FEATURE_VIEW} f ON f.content_id::VARCHAR = l.content_id::VARCHAR` : ''} ORDER BY 1`,
        settled.params,
      )
    ).getRowsJson();
    // The provenance in one pass over the labels, not one per fact.
    const [contestedCount, annotatorList] = (
      await conn.runAndReadAll(
        `WITH ${settled.ctes}
         SELECT (SELECT count(*) FROM contested), (SELECT list(DISTINCT annotator_id ORDER BY annotator_id) FROM votes)`,
        settled.params,
      )
    ).getRowsJson()[0]!;
    const names = (list: unknown) => (Array.isArray(list) ? list.map(String) : []);
    const scope = sessions.length > 0 ? `AND session_id IN (${sessions.map(quoteLiteral).join(', ')})` : '';
    const [stranded] = (
      await conn.runAndReadAll(
        `WITH cur AS (SELECT * FROM current_labels WHERE kind IN ('label', 'adjudicate') ${scope}),
         under AS (SELECT DISTINCT content_id, annotator_id FROM cur WHERE policy_version = $policy)
         SELECT list(DISTINCT c.content_id ORDER BY c.content_id) FROM cur c ANTI JOIN under u USING (content_id, annotator_id) WHERE c.policy_version <> $policy`,
        { policy: taxonomy.version },
      )
    ).getRowsJson()[0]!;
    return {
      rows: read,
      contested: Number(contestedCount),
      annotators: names(annotatorList),
      withFeatures,
      notCarried: names(stranded),
    };
  });
  if (notCarried.length > 0 && !input.leaveOutOtherPolicies) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${notCarried.length} item(s) have labels made under another policy version and none under ${taxonomy.version} (${notCarried.slice(0, 5).join(', ')}${notCarried.length > 5 ? ', …' : ''}); a dataset holds one version. Carry them over (sift policy migrate) and relabel the queue, export under their version (--policy), or leave them out (--leave-out-other-policies).`,
    });
  }
  if (rows.length === 0)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `No settled labels under policy ${taxonomy.version} to export${sessions.length ? ` in ${sessions.join(', ')}` : ''} (labels must be unanimous or adjudicated).`,
    });
  const times = rows.map((row) => Number(row[6]));
  const { cut, validationEnd } = splitBoundaries(times, input.cutDate, input.valDays);
  const timeSplit = (t: number): Split => (t < cut ? 'train' : t < validationEnd ? 'validation' : 'test');
  const split = rows.map((row) => timeSplit(Number(row[6])));
  // A near-duplicate group goes where its earliest member goes: the same text, or the same picture reposted, never
  // sits in two splits.
  ctx.progress(null, 'Keeping near-duplicates in one split');
  const moved = keepNearDuplicatesTogether(
    rows.map((row) => String(row[1] ?? '')),
    times,
    split,
    await mediaHashesInOrder(
      workspace,
      rows.map((row) => String(row[0])),
    ),
  );
  ctx.progress(null, 'Reading media');
  // The items' media, when any has some: copied into the version, hashes (and embeddings) only for withheld bytes.
  const media = await planDatasetMedia(
    workspace,
    rows.map((row) => String(row[0])),
    restrictedMedia,
  );
  fs.mkdirSync(root, { recursive: true });
  removeAbandonedStaging(root);
  const staging = fs.mkdtempSync(path.join(root, `.staging-${process.pid}-`));
  try {
    ctx.progress(null, `Writing ${input.name}`);
    const files: DatasetManifest['files'] = [];
    const rowCounts: Record<string, number> = {};
    await workspace.withResults(async (conn) => {
      const table = `dataset_${crypto.randomUUID().replace(/-/g, '')}`;
      await conn.run(
        `CREATE TEMP TABLE ${table} (content_id VARCHAR, text VARCHAR, surface VARCHAR, language VARCHAR, content_type VARCHAR, created_at VARCHAR, ${ACCOUNT_FEATURES.map(({ name }) => `${name} DOUBLE`).join(', ')}, ${categories.map((c) => `${quoteIdent(c)} INTEGER`).join(', ')}${media ? `, ${mediaColumnsDdl(media)}` : ''}, split VARCHAR)`,
      );
      const appender = await conn.createAppender(table, null, 'temp');
      rows.forEach((row, i) => {
        for (const value of row.slice(0, 6)) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(String(value));
        }
        const labelsFrom = 7 + ACCOUNT_FEATURES.length;
        for (const value of row.slice(7, labelsFrom)) {
          if (value === null) appender.appendNull();
          else appender.appendDouble(Number(value));
        }
        for (const value of row.slice(labelsFrom)) {
          if (value === null) appender.appendNull();
          else appender.appendInteger(Number(value));
        }
        if (media) appendMediaColumns(appender, media, String(row[0]));
        appender.appendVarchar(split[i]!);
        appender.endRow();
      });
      appender.closeSync();
      for (const name of SPLITS) {
        const select = `SELECT * EXCLUDE (split) FROM temp.${table} WHERE split = '${name}' ORDER BY content_id`;
        rowCounts[name] = Number(
          (await conn.runAndReadAll(`SELECT count(*) FROM temp.${table} WHERE split = '${name}'`)).getRowsJson()[0]![0],
        );
        if (input.formats.includes('parquet'))
          await conn.run(
            `COPY (${select}) TO ${quoteLiteral(path.join(staging, `${name}.parquet`))} (FORMAT parquet, COMPRESSION 'zstd')`,
          );
        if (input.formats.includes('jsonl'))
          await conn.run(`COPY (${select}) TO ${quoteLiteral(path.join(staging, `${name}.jsonl`))} (FORMAT json)`);
      }
      await conn.run(`DROP TABLE temp.${table}`);
    });
    for (const name of SPLITS) {
      for (const format of input.formats) {
        const file = `${name}.${format}`;
        const full = path.join(staging, file);
        syncFile(full);
        files.push({
          path: file,
          split: name,
          format,
          rows: rowCounts[name]!,
          bytes: fs.statSync(full).size,
          sha256: sha256(full),
        });
      }
    }
    const mediaFiles = media ? copyDatasetMedia(media, staging, ctx) : [];
    // The data files do not depend on the version number; the manifest and card do, so they are written per try.
    for (let attempt = 0; ; attempt++) {
      if (ctx.signal.aborted)
        throw new SiftError({ code: 'CANCELLED', message: 'Dataset export cancelled; nothing was published.' });
      const { version, parent } = nextVersion(root);
      const finalDir = path.join(root, `v${version}`);
      const manifest: DatasetManifest = {
        name: input.name,
        version,
        parentVersion: parent,
        createdAt: new Date().toISOString(),
        tool: { name: 'sift', version: TOOL_VERSION },
        policyVersion: taxonomy.version, // every settled label is under it (settledLabelsSql)
        labelSchema: {
          version: 2,
          columns: [
            'content_id',
            'text',
            'surface',
            'language',
            'content_type',
            'created_at',
            ...ACCOUNT_FEATURES.map(({ name }) => name),
            ...categories,
            ...(media ? mediaColumnNames(media) : []),
          ],
          categories,
          values: '1: the category applies, 0: it does not; null: not labeled',
        },
        features: {
          view: FEATURE_VIEW,
          asOf: 'upload',
          columns: ACCOUNT_FEATURES.map(({ name, description }) => ({ name, description })),
          available: withFeatures,
        },
        annotators,
        sessions: facts.map((session) => ({
          id: session.id,
          name: session.name,
          strategy: session.strategy,
          pool: session.pool,
          model: session.model,
          modelVersion: session.version,
        })),
        adjudicationRule:
          "an item's label per category is the adjudicator's decision where there is one, else the annotators' unanimous value; items with a category annotators disagree on and nobody adjudicated are left out",
        contestedItemsLeftOut: contested,
        notCarriedOver: { count: notCarried.length, contentIds: notCarried.slice(0, 1000) },
        sourceQueries: facts.map((session) => session.pool),
        modelVersions: [...new Set(facts.map((session) => `${session.model}@${session.version}`))],
        splits: {
          method: 'time',
          cut: new Date(cut).toISOString(),
          validationEnd: new Date(validationEnd).toISOString(),
          nearDuplicatesMoved: moved,
        },
        rows: rowCounts,
        files,
        ...(media
          ? {
              media: {
                columns: media.columns,
                files: mediaFiles,
                withheld: media.withheld,
                embeddingEncoder: media.embeddingEncoder,
              },
            }
          : {}),
      };
      const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
      const card = datasetCard(manifest);
      writeSynced(path.join(staging, 'README.md'), card);
      writeSynced(path.join(staging, DATASET_MANIFEST), manifestText);
      // Verified before it becomes a version: what the manifest says is what is on disk, and nothing else is there.
      const check = checkVersionFiles(staging);
      if (!check.ok)
        throw new SiftError({
          code: 'INTERNAL',
          message: `The new version did not verify: ${check.problems.join('; ')}`,
        });
      // Recorded before the rename: a kill between the two leaves a record of a version that never appeared, which
      // verify never matches (it looks for the manifest's own SHA-256), never a version without its record.
      const record: PublishedRecord = {
        dir: path.join(realPathOf(root), `v${version}`),
        name: input.name,
        version,
        createdAt: manifest.createdAt,
        manifestSha256: sha256Text(manifestText),
        cardSha256: sha256Text(card),
        mediaSha256s: mediaFiles.map((file) => file.sha256),
      };
      await recordVersion(workspace, record);
      try {
        fs.renameSync(staging, finalDir); // the whole folder at once; fails when the number is taken
      } catch (error) {
        await forgetVersion(workspace, record);
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') && attempt < 1000) continue; // another export took v<N>
        throw error;
      }
      syncFolder(root);
      return { ...manifest, dir: finalDir };
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
