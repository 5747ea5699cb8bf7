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
import type { DatasetDiff, DatasetManifest, DatasetVerification } from '../../../shared/contract.js';
import { DATASET_NAME_PATTERN } from '../../../shared/contract/datasets.js';
import { ACCOUNT_FEATURES, FEATURE_VIEW } from '../../../shared/features.js';
import { SiftError } from '../../../shared/errors.js';
import { clusterNearDuplicates } from '../../../shared/nearDuplicates.js';
import type { Taxonomy } from '../../../shared/taxonomy.js';
import type { JobContext } from '../jobs.js';
import { settledLabelsSql } from '../labeling/poolData.js';
import { processAlive } from '../processes.js';
import { projectRoot } from '../projectPaths.js';
import { DATASET_MANIFEST, realPathOf } from '../workspace/fileAccess.js';
import { quoteIdent, quoteLiteral, type Workspace } from '../workspace/workspace.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
type Split = (typeof SPLITS)[number];
const DAY_MS = 86_400_000;
/**
 * Texts this similar (shingle Jaccard) are one text for splitting: a repost with a changed number or emoji. Stricter
 * than the spike view's campaign threshold (0.5), which also groups texts that share a template.
 */
const SPLIT_DUPLICATE_THRESHOLD = 0.8;

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

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The next version number in `<out>/<name>/`, and the one before it (the parent), if any. */
function nextVersion(root: string): { version: number; parent: number | null } {
  const taken = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .map((entry) => /^v(\d+)$/.exec(entry)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
    : [];
  const last = taken.length > 0 ? Math.max(...taken) : 0;
  return { version: last + 1, parent: last > 0 ? last : null };
}

/** Each export stages in its own folder, `.staging-<pid>-<random>`, beside the versions it will join. */
const STAGING = /^\.staging-(\d+)-/;

/** Staging folders whose process is gone (a kill -9 mid-export) are removed; a live export's are left alone. */
function removeAbandonedStaging(root: string): void {
  if (!fs.existsSync(root)) return;
  for (const entry of fs.readdirSync(root)) {
    const pid = Number(STAGING.exec(entry)?.[1] ?? /^\.v\d+\.partial-(\d+)$/.exec(entry)?.[1] ?? NaN);
    if (Number.isNaN(pid) || pid === process.pid || processAlive(pid)) continue; // this process's other exports are still running
    fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

/** The versions of a dataset already written under `out`, oldest first (each manifest with its folder). */
export function listDatasetVersions(out: string, name: string): DatasetManifest[] {
  const root = path.resolve(out, name);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .map((entry) => /^v(\d+)$/.exec(entry))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .flatMap((match) => {
      const dir = path.join(root, match[0]);
      try {
        return [{ ...(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest), dir }];
      } catch {
        return []; // a folder without a readable manifest is not a version
      }
    });
}

/** Time splits: before the cut, the validation window, after it. Without a cut: the 70th and 85th percentiles of time. */
function splitBoundaries(
  times: number[],
  cutDate: string | undefined,
  valDays: number | undefined,
): { cut: number; validationEnd: number } {
  if (cutDate) {
    const cut = Date.parse(cutDate);
    if (Number.isNaN(cut))
      throw new SiftError({ code: 'BAD_REQUEST', message: `cutDate: "${cutDate}" is not a date.` });
    return { cut, validationEnd: cut + (valDays ?? 7) * DAY_MS };
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { cut: at(0.7), validationEnd: at(0.85) };
}

export async function exportDataset(
  workspace: Workspace,
  taxonomy: Taxonomy,
  facts: SessionFacts[],
  input: DatasetExportInput,
  ctx: JobContext,
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
  // A near-duplicate group goes where its earliest member goes: the same text never sits in two splits.
  ctx.progress(null, 'Keeping near-duplicates in one split');
  let moved = 0;
  for (const cluster of clusterNearDuplicates(
    rows.map((row) => String(row[1] ?? '')),
    SPLIT_DUPLICATE_THRESHOLD,
  )) {
    const earliest = cluster.members.reduce((best, index) => (times[index]! < times[best]! ? index : best));
    for (const index of cluster.members) {
      if (split[index] !== split[earliest]) moved++;
      split[index] = split[earliest]!;
    }
  }
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
        `CREATE TEMP TABLE ${table} (content_id VARCHAR, text VARCHAR, surface VARCHAR, language VARCHAR, content_type VARCHAR, created_at VARCHAR, ${ACCOUNT_FEATURES.map(({ name }) => `${name} DOUBLE`).join(', ')}, ${categories.map((c) => `${quoteIdent(c)} INTEGER`).join(', ')}, split VARCHAR)`,
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

const sha256Text = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

function writeSynced(file: string, text: string): void {
  fs.writeFileSync(file, text);
  syncFile(file);
}

/** A version's files are on disk before its folder is renamed into place, so a crash never publishes a torn file. */
function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncFolder(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // not every platform syncs a folder (Windows)
  }
}

/** What the workspace's store keeps of each version it published: where, which, and the SHA-256 of its manifest and card. */
interface PublishedRecord {
  dir: string;
  name: string;
  version: number;
  createdAt: string;
  manifestSha256: string;
  cardSha256: string;
}

async function recordVersion(workspace: Workspace, record: PublishedRecord): Promise<void> {
  await workspace.withStore((conn) =>
    conn.run(
      'INSERT INTO dataset_versions VALUES ($dir, $name, $version, $createdAt, $manifestSha256, $cardSha256, current_timestamp)',
      { ...record },
    ),
  );
}

async function forgetVersion(workspace: Workspace, record: PublishedRecord): Promise<void> {
  await workspace.withStore((conn) =>
    conn.run('DELETE FROM dataset_versions WHERE dir = $dir AND manifest_sha256 = $manifestSha256', {
      dir: record.dir,
      manifestSha256: record.manifestSha256,
    }),
  );
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

function datasetCard(manifest: DatasetManifest): string {
  const parquet = manifest.files.filter((file) => file.format === 'parquet');
  const files = parquet.length > 0 ? parquet : manifest.files;
  const yaml = [
    '---',
    'configs:',
    '- config_name: default',
    '  data_files:',
    ...files.flatMap((file) => [`  - split: ${file.split}`, `    path: ${file.path}`]),
    '---',
  ];
  return `${yaml.join('\n')}
# ${manifest.name} v${manifest.version}

Labeled with Sift under policy ${manifest.policyVersion}${manifest.parentVersion ? `; follows v${manifest.parentVersion}` : ''}. Created ${manifest.createdAt}.

| split | rows |
|---|---|
${SPLITS.map((split) => `| ${split} | ${manifest.rows[split] ?? 0} |`).join('\n')}

- Columns: ${manifest.labelSchema.columns.join(', ')} (${manifest.labelSchema.values}).
- Account features (${manifest.features.columns.map((column) => column.name).join(', ')}) are as of each item's upload, from Sift's \`${manifest.features.view}\` view: nothing that happened later counts${manifest.features.available ? '' : ' (this workspace lacked the content and users tables they need, so they are empty)'}.
- Splits by time: train before ${manifest.splits.cut}, validation until ${manifest.splits.validationEnd}, test after; near-duplicates kept in one split (${manifest.splits.nearDuplicatesMoved} moved).
- Labels: ${manifest.adjudicationRule} (${manifest.contestedItemsLeftOut} left out).
- Annotators: ${manifest.annotators.join(', ')}. Sessions: ${manifest.sessions.map((session) => `${session.name} (${session.strategy}, ${session.model} ${session.modelVersion})`).join('; ') || 'all labels'}.
- Every file's SHA-256 is in manifest.json; \`sift dataset verify\` checks them.
`;
}

/** A manifest's file entry names a plain file in the version folder, never a path out of it. */
const isPlainName = (name: unknown): name is string =>
  typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name);

/**
 * The checks a version's folder alone allows: every file the manifest names is there with its size and SHA-256, and
 * nothing else is (no added file, folder or link). The manifest and card themselves need the workspace's record.
 */
function checkVersionFiles(dir: string): DatasetVerification & {
  manifest: DatasetManifest | null;
  manifestSha256: string | null;
  cardSha256: string | null;
} {
  const manifestFile = path.join(dir, DATASET_MANIFEST);
  const fail = (problem: string) => ({
    dir,
    ok: false,
    problems: [problem],
    files: 0,
    scope: 'files' as const,
    manifest: null,
    manifestSha256: null,
    cardSha256: null,
  });
  if (!fs.existsSync(manifestFile)) return fail(`${manifestFile}: missing (not a Sift dataset version)`);
  let manifestText: string;
  let manifest: DatasetManifest;
  try {
    manifestText = fs.readFileSync(manifestFile, 'utf8');
    manifest = JSON.parse(manifestText) as DatasetManifest;
  } catch (error) {
    return fail(`${manifestFile}: not valid JSON (${(error as Error).message})`);
  }
  const listed = Array.isArray(manifest.files) ? manifest.files : [];
  const problems: string[] = [];
  for (const file of listed) {
    if (!isPlainName(file?.path)) {
      problems.push(`${DATASET_MANIFEST}: names ${JSON.stringify(file?.path)}, which is not a file of this folder`);
      continue;
    }
    const full = path.join(dir, file.path);
    const stat = fs.lstatSync(full, { throwIfNoEntry: false });
    if (!stat) problems.push(`${file.path}: missing`);
    else if (!stat.isFile()) problems.push(`${file.path}: not a regular file`);
    else if (stat.size !== file.bytes)
      problems.push(`${file.path}: ${stat.size} bytes, the manifest says ${file.bytes}`);
    else if (sha256(full) !== file.sha256) problems.push(`${file.path}: its SHA-256 differs from the manifest's`);
  }
  const expected = new Set([DATASET_MANIFEST, 'README.md', ...listed.map((file) => String(file?.path))]);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (expected.has(entry.name) && (entry.name !== 'README.md' || entry.isFile())) continue;
    problems.push(
      `${entry.name}${entry.isDirectory() ? '/' : ''}: ${entry.isDirectory() ? 'a folder' : entry.isSymbolicLink() ? 'a link' : 'a file'} the manifest does not list`,
    );
  }
  const card = path.join(dir, 'README.md');
  const cardSha256 = fs.existsSync(card) && fs.lstatSync(card).isFile() ? sha256(card) : null;
  if (cardSha256 === null && !problems.some((problem) => problem.startsWith('README.md')))
    problems.push('README.md: missing (the dataset card)');
  return {
    dir,
    ok: problems.length === 0,
    problems,
    files: listed.length,
    scope: 'files',
    manifest,
    manifestSha256: sha256Text(manifestText),
    cardSha256,
  };
}

/**
 * Re-checks a version: its files against its manifest (size, SHA-256, nothing added), and — where the workspace
 * published it — its manifest and dataset card against the SHA-256s recorded in the store when it was written. Without
 * a workspace that knows the version, says plainly that only the files against the manifest could be checked.
 */
export async function verifyDataset(
  workspace: Workspace | null,
  dir: string,
  noWorkspaceReason?: string,
): Promise<DatasetVerification> {
  const { manifest, manifestSha256, cardSha256, ...files } = checkVersionFiles(dir);
  if (manifest === null) return files;
  const filesOnly = (why: string): DatasetVerification => ({
    ...files,
    scope: 'files',
    note: `Only the files could be checked against the manifest: ${why}, so its manifest.json and README.md could not be checked against what Sift wrote.`,
  });
  if (workspace === null) return filesOnly(noWorkspaceReason ?? 'no workspace to check it against');
  const real = realPathOf(dir);
  const records = await workspace.withStore(
    async (conn) =>
      (
        await conn.runAndReadAll(
          'SELECT manifest_sha256, card_sha256 FROM dataset_versions WHERE dir = $dir OR manifest_sha256 = $sha OR (name = $name AND version = $version AND created_at = $createdAt)',
          {
            dir: real,
            sha: manifestSha256 ?? '',
            name: String(manifest.name),
            version: Number.isInteger(manifest.version) ? manifest.version : -1,
            createdAt: String(manifest.createdAt),
          },
        )
      ).getRowsJson() as [string, string][],
  );
  if (records.length === 0)
    return filesOnly(
      `the workspace ${workspace.dir} has no record of this version (it was verified outside the workspace that wrote it)`,
    );
  const problems = [...files.problems];
  const written = records.find(([sha]) => sha === manifestSha256);
  if (!written)
    problems.push(
      `${DATASET_MANIFEST}: differs from the manifest Sift wrote (its SHA-256 is not the one recorded in ${workspace.dir})`,
    );
  else if (cardSha256 !== null && written[1] !== cardSha256)
    problems.push('README.md: the dataset card differs from the one Sift wrote (its SHA-256 is not the one recorded)');
  return { ...files, ok: problems.length === 0, problems, scope: 'record' };
}

/** What changed from one dataset version to another: items added, removed, relabeled (per category) and moved, per split. */
export async function diffDatasets(workspace: Workspace, from: string, to: string): Promise<DatasetDiff> {
  const read = async (dir: string): Promise<DatasetManifest> => {
    const check = await verifyDataset(workspace, dir);
    if (!check.ok) throw new SiftError({ code: 'BAD_REQUEST', message: `${dir}: ${check.problems[0]}`, file: dir });
    return JSON.parse(fs.readFileSync(path.join(dir, DATASET_MANIFEST), 'utf8')) as DatasetManifest;
  };
  const [a, b] = [await read(from), await read(to)];
  const parquet = (dir: string, manifest: DatasetManifest) =>
    `(${manifest.files
      .filter((file) => file.format === 'parquet')
      .map(
        (file) =>
          `SELECT *, ${quoteLiteral(file.split)} AS split FROM read_parquet(${quoteLiteral(path.join(dir, file.path))})`,
      )
      .join(' UNION ALL BY NAME ')})`;
  const categories = b.labelSchema.categories.filter((category) => a.labelSchema.categories.includes(category));
  return workspace.withResults(async (conn) => {
    const rows = (
      await conn.runAndReadAll(`
        SELECT coalesce(o.content_id, n.content_id), o.split, n.split, ${categories.map((c) => `o.${quoteIdent(c)}, n.${quoteIdent(c)}`).join(', ')}
        FROM ${parquet(from, a)} o FULL OUTER JOIN ${parquet(to, b)} n ON o.content_id = n.content_id`)
    ).getRowsJson();
    const diff: DatasetDiff = {
      from,
      to,
      added: 0,
      removed: 0,
      relabeled: 0,
      moved: 0,
      perSplit: {},
      perCategory: Object.fromEntries(categories.map((c) => [c, { relabeled: 0, toPositive: 0, toNegative: 0 }])),
    };
    const bump = (split: string, key: 'added' | 'removed' | 'relabeled') => {
      diff.perSplit[split] ??= { added: 0, removed: 0, relabeled: 0 };
      diff.perSplit[split]![key]++;
    };
    for (const row of rows) {
      const [, oldSplit, newSplit] = row as [string, string | null, string | null];
      if (oldSplit === null) {
        diff.added++;
        bump(newSplit!, 'added');
        continue;
      }
      if (newSplit === null) {
        diff.removed++;
        bump(oldSplit, 'removed');
        continue;
      }
      if (oldSplit !== newSplit) diff.moved++;
      let changed = false;
      categories.forEach((category, k) => {
        const before = row[3 + 2 * k];
        const after = row[4 + 2 * k];
        if (before === after) return;
        changed = true;
        const entry = diff.perCategory[category]!;
        entry.relabeled++;
        if (Number(after) === 1) entry.toPositive++;
        else entry.toNegative++;
      });
      if (changed) {
        diff.relabeled++;
        bump(newSplit, 'relabeled');
      }
    }
    return diff;
  });
}
