/**
 * Labeled datasets as immutable, versioned folders: `<out>/<name>/v<N>/` with one Parquet file per split (and JSONL
 * on request), a `manifest.json` naming everything that made the version (policy, annotators, sessions and
 * strategies, the adjudication rule, source queries, model versions, row counts, a SHA-256 and size per file) and a
 * dataset card `README.md` whose YAML header lets Hugging Face `datasets` (and pandas) load it as it is.
 *
 * Only settled labels graduate (adjudicated, or unanimous). Splits are by time — train before the cut, validation,
 * test after — and a near-duplicate group goes wholly where its earliest member goes, so no copy straddles two splits.
 * A version is written to a temporary folder, verified, then renamed into place; it is never rewritten.
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
import { projectRoot } from '../projectPaths.js';
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
  const taken = fs.existsSync(root) ? fs.readdirSync(root).map((entry) => /^v(\d+)$/.exec(entry)?.[1]).filter((n): n is string => n !== undefined).map(Number) : [];
  const last = taken.length > 0 ? Math.max(...taken) : 0;
  return { version: last + 1, parent: last > 0 ? last : null };
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
function splitBoundaries(times: number[], cutDate: string | undefined, valDays: number | undefined): { cut: number; validationEnd: number } {
  if (cutDate) {
    const cut = Date.parse(cutDate);
    if (Number.isNaN(cut)) throw new SiftError({ code: 'BAD_REQUEST', message: `cutDate: "${cutDate}" is not a date.` });
    return { cut, validationEnd: cut + (valDays ?? 7) * DAY_MS };
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { cut: at(0.7), validationEnd: at(0.85) };
}

export async function exportDataset(workspace: Workspace, taxonomy: Taxonomy, facts: SessionFacts[], input: DatasetExportInput, ctx: JobContext): Promise<DatasetManifest> {
  if (!DATASET_NAME_PATTERN.test(input.name)) throw new SiftError({ code: 'BAD_REQUEST', message: 'name: letters, digits, _ . - (up to 100), starting with a letter or digit.' });
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
      ((await conn.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = 'content'`)).getRowsJson() as [string][]).map((row) => row[0]),
    );
    if (!present.has('content_id') || !present.has('created_at')) {
      throw new SiftError({ code: 'BAD_REQUEST', message: 'A dataset needs the content table with content_id and created_at (splits are by time): import your posts and map them onto content.' });
    }
    // A column the workspace's content lacks is exported empty, not refused.
    const column = (name: string) => (present.has(name) ? `c.${quoteIdent(name)}::VARCHAR` : 'NULL::VARCHAR');
    // Account features as of each upload (the feature view scoring and training use), when the workspace has it.
    const withFeatures = workspace.featureSources !== null;
    const feature = (name: string) => (withFeatures ? `f.${name}::DOUBLE` : 'NULL::DOUBLE');
    const read = (await conn.runAndReadAll(
      `WITH ${settled.ctes},
       labeled AS (SELECT content_id, ${categories.map((c) => `max(CASE WHEN category = ${quoteLiteral(c)} THEN TRY_CAST(value AS INTEGER) END) AS ${quoteIdent(c)}`).join(', ')}
                   FROM settled WHERE content_id NOT IN (SELECT content_id FROM contested) GROUP BY content_id)
       SELECT l.content_id::VARCHAR, ${column('text')}, ${column('surface')}, ${column('language')}, ${column('content_type')},
              strftime(c.created_at::TIMESTAMP, '%Y-%m-%dT%H:%M:%S'), epoch_ms(c.created_at::TIMESTAMP),
              ${ACCOUNT_FEATURES.map(({ name }) => feature(name)).join(', ')}, ${categories.map((c) => `l.${quoteIdent(c)}`).join(', ')}
       FROM labeled l JOIN content c ON c.content_id::VARCHAR = l.content_id::VARCHAR
       ${withFeatures ? `LEFT JOIN ${FEATURE_VIEW} f ON f.content_id::VARCHAR = l.content_id::VARCHAR` : ''} ORDER BY 1`,
      settled.params,
    )).getRowsJson();
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
    return { rows: read, contested: Number(contestedCount), annotators: names(annotatorList), withFeatures, notCarried: names(stranded) };
  });
  if (notCarried.length > 0 && !input.leaveOutOtherPolicies) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${notCarried.length} item(s) have labels made under another policy version and none under ${taxonomy.version} (${notCarried.slice(0, 5).join(', ')}${notCarried.length > 5 ? ', …' : ''}); a dataset holds one version. Carry them over (sift policy migrate) and relabel the queue, export under their version (--policy), or leave them out (--leave-out-other-policies).`,
    });
  }
  if (rows.length === 0) throw new SiftError({ code: 'BAD_REQUEST', message: `No settled labels under policy ${taxonomy.version} to export${sessions.length ? ` in ${sessions.join(', ')}` : ''} (labels must be unanimous or adjudicated).` });
  const times = rows.map((row) => Number(row[6]));
  const { cut, validationEnd } = splitBoundaries(times, input.cutDate, input.valDays);
  const timeSplit = (t: number): Split => (t < cut ? 'train' : t < validationEnd ? 'validation' : 'test');
  const split = rows.map((row) => timeSplit(Number(row[6])));
  // A near-duplicate group goes where its earliest member goes: the same text never sits in two splits.
  ctx.progress(null, 'Keeping near-duplicates in one split');
  let moved = 0;
  for (const cluster of clusterNearDuplicates(rows.map((row) => String(row[1] ?? '')), SPLIT_DUPLICATE_THRESHOLD)) {
    const earliest = cluster.members.reduce((best, index) => (times[index]! < times[best]! ? index : best));
    for (const index of cluster.members) {
      if (split[index] !== split[earliest]) moved++;
      split[index] = split[earliest]!;
    }
  }
  const { version, parent } = nextVersion(root);
  const finalDir = path.join(root, `v${version}`);
  const staging = path.join(root, `.v${version}.partial-${process.pid}`);
  fs.mkdirSync(staging, { recursive: true });
  try {
    ctx.progress(null, `Writing ${input.name} v${version}`);
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
        rowCounts[name] = Number((await conn.runAndReadAll(`SELECT count(*) FROM temp.${table} WHERE split = '${name}'`)).getRowsJson()[0]![0]);
        if (input.formats.includes('parquet')) await conn.run(`COPY (${select}) TO ${quoteLiteral(path.join(staging, `${name}.parquet`))} (FORMAT parquet, COMPRESSION 'zstd')`);
        if (input.formats.includes('jsonl')) await conn.run(`COPY (${select}) TO ${quoteLiteral(path.join(staging, `${name}.jsonl`))} (FORMAT json)`);
      }
      await conn.run(`DROP TABLE temp.${table}`);
    });
    for (const name of SPLITS) {
      for (const format of input.formats) {
        const file = `${name}.${format}`;
        const full = path.join(staging, file);
        files.push({ path: file, split: name, format, rows: rowCounts[name]!, bytes: fs.statSync(full).size, sha256: sha256(full) });
      }
    }
    const manifest: DatasetManifest = {
      name: input.name,
      version,
      parentVersion: parent,
      createdAt: new Date().toISOString(),
      tool: { name: 'sift', version: TOOL_VERSION },
      policyVersion: taxonomy.version, // every settled label is under it (settledLabelsSql)
      labelSchema: {
        version: 2,
        columns: ['content_id', 'text', 'surface', 'language', 'content_type', 'created_at', ...ACCOUNT_FEATURES.map(({ name }) => name), ...categories],
        categories,
        values: '1: the category applies, 0: it does not; null: not labeled',
      },
      features: { view: FEATURE_VIEW, asOf: 'upload', columns: ACCOUNT_FEATURES.map(({ name, description }) => ({ name, description })), available: withFeatures },
      annotators,
      sessions: facts.map((session) => ({ id: session.id, name: session.name, strategy: session.strategy, pool: session.pool, model: session.model, modelVersion: session.version })),
      adjudicationRule: "an item's label per category is the adjudicator's decision where there is one, else the annotators' unanimous value; items with a category annotators disagree on and nobody adjudicated are left out",
      contestedItemsLeftOut: contested,
      notCarriedOver: { count: notCarried.length, contentIds: notCarried.slice(0, 1000) },
      sourceQueries: facts.map((session) => session.pool),
      modelVersions: [...new Set(facts.map((session) => `${session.model}@${session.version}`))],
      splits: { method: 'time', cut: new Date(cut).toISOString(), validationEnd: new Date(validationEnd).toISOString(), nearDuplicatesMoved: moved },
      rows: rowCounts,
      files,
    };
    fs.writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.writeFileSync(path.join(staging, 'README.md'), datasetCard(manifest));
    // Verified before it becomes a version: what the manifest says is what is on disk.
    const check = verifyDataset(staging);
    if (!check.ok) throw new SiftError({ code: 'INTERNAL', message: `The new version did not verify: ${check.problems.join('; ')}` });
    if (fs.existsSync(finalDir)) throw new SiftError({ code: 'BAD_REQUEST', message: `${finalDir} appeared while exporting; nothing was overwritten.` });
    fs.renameSync(staging, finalDir);
    return { ...manifest, dir: finalDir };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The version in Sift's package.json (the manifest says which Sift wrote a dataset). */
const TOOL_VERSION: string = (() => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

function datasetCard(manifest: DatasetManifest): string {
  const parquet = manifest.files.filter((file) => file.format === 'parquet');
  const files = parquet.length > 0 ? parquet : manifest.files;
  const yaml = ['---', 'configs:', '- config_name: default', '  data_files:', ...files.flatMap((file) => [`  - split: ${file.split}`, `    path: ${file.path}`]), '---'];
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

/** Re-checks every file the manifest names (size and SHA-256) and names any that differ or are missing. */
export function verifyDataset(dir: string): DatasetVerification {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) return { dir, ok: false, problems: [`${manifestFile}: missing (not a Sift dataset version)`], files: 0 };
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as DatasetManifest;
  } catch (error) {
    return { dir, ok: false, problems: [`${manifestFile}: not valid JSON (${(error as Error).message})`], files: 0 };
  }
  const problems: string[] = [];
  for (const file of manifest.files ?? []) {
    const full = path.join(dir, file.path);
    if (!fs.existsSync(full)) problems.push(`${file.path}: missing`);
    else if (fs.statSync(full).size !== file.bytes) problems.push(`${file.path}: ${fs.statSync(full).size} bytes, the manifest says ${file.bytes}`);
    else if (sha256(full) !== file.sha256) problems.push(`${file.path}: its SHA-256 differs from the manifest's`);
  }
  return { dir, ok: problems.length === 0, problems, files: manifest.files?.length ?? 0 };
}

/** What changed from one dataset version to another: items added, removed, relabeled (per category) and moved, per split. */
export async function diffDatasets(workspace: Workspace, from: string, to: string): Promise<DatasetDiff> {
  const read = (dir: string): DatasetManifest => {
    const check = verifyDataset(dir);
    if (!check.ok) throw new SiftError({ code: 'BAD_REQUEST', message: `${dir}: ${check.problems[0]}`, file: dir });
    return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
  };
  const [a, b] = [read(from), read(to)];
  const parquet = (dir: string, manifest: DatasetManifest) =>
    `(${manifest.files.filter((file) => file.format === 'parquet').map((file) => `SELECT *, ${quoteLiteral(file.split)} AS split FROM read_parquet(${quoteLiteral(path.join(dir, file.path))})`).join(' UNION ALL BY NAME ')})`;
  const categories = b.labelSchema.categories.filter((category) => a.labelSchema.categories.includes(category));
  return workspace.withResults(async (conn) => {
    const rows = (
      await conn.runAndReadAll(`
        SELECT coalesce(o.content_id, n.content_id), o.split, n.split, ${categories.map((c) => `o.${quoteIdent(c)}, n.${quoteIdent(c)}`).join(', ')}
        FROM ${parquet(from, a)} o FULL OUTER JOIN ${parquet(to, b)} n ON o.content_id = n.content_id`)
    ).getRowsJson();
    const diff: DatasetDiff = { from, to, added: 0, removed: 0, relabeled: 0, moved: 0, perSplit: {}, perCategory: Object.fromEntries(categories.map((c) => [c, { relabeled: 0, toPositive: 0, toNegative: 0 }])) };
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
