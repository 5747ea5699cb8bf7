/**
 * Verifying a published version: its files against its manifest (size, SHA-256, nothing added), and its manifest and
 * card against the SHA-256s the workspace's store recorded when it wrote them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetManifest, DatasetVerification } from '../../../shared/contract.js';
import { DATASET_MANIFEST, realPathOf } from '../workspace/fileAccess.js';
import type { Workspace } from '../workspace/workspace.js';
import { DATASET_MEDIA_DIR, DATASET_MEDIA_PATH, sha256OfFile } from './datasetMedia.js';
import { sha256, sha256Text } from './datasetVersions.js';

/** A manifest's file entry names a plain file in the version folder, never a path out of it. */
const isPlainName = (name: unknown): name is string =>
  typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name);

/**
 * The checks a version's folder alone allows: every file the manifest names is there with its size and SHA-256, and
 * nothing else is (no added file, folder or link). The manifest and card themselves need the workspace's record.
 */
export function checkVersionFiles(dir: string): DatasetVerification & {
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
    checkListedFile(dir, file, problems);
  }
  const media = checkMediaFiles(dir, manifest, problems);
  const expected = new Set([DATASET_MANIFEST, 'README.md', ...listed.map((file) => String(file?.path))]);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (expected.has(entry.name) && (entry.name !== 'README.md' || entry.isFile())) continue;
    if (entry.name === DATASET_MEDIA_DIR && media > 0 && entry.isDirectory()) continue; // its entries checked above
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
    files: listed.length + media,
    scope: 'files',
    manifest,
    manifestSha256: sha256Text(manifestText),
    cardSha256,
  };
}

/**
 * The version's media files against the manifest's list (`media/<sha256>.<ext>`, each its size and SHA-256, the name
 * its hash), and nothing unlisted in `media/`. Returns how many the manifest lists.
 */
function checkMediaFiles(dir: string, manifest: DatasetManifest, problems: string[]): number {
  const listed = Array.isArray(manifest.media?.files) ? manifest.media.files : [];
  for (const file of listed) {
    const named = DATASET_MEDIA_PATH.exec(String(file?.path));
    if (!named || named[1] !== file.sha256) {
      problems.push(
        `${DATASET_MANIFEST}: names the media file ${JSON.stringify(file?.path)}, which is not ${DATASET_MEDIA_DIR}/<its sha256>.<ext>`,
      );
      continue;
    }
    checkListedFile(dir, file, problems);
  }
  const folder = path.join(dir, DATASET_MEDIA_DIR);
  const stat = fs.lstatSync(folder, { throwIfNoEntry: false });
  if (listed.length > 0 && stat?.isDirectory()) {
    const names = new Set(listed.map((file) => path.basename(String(file?.path))));
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (names.has(entry.name) && !entry.isDirectory()) continue; // a listed name that is not a file is reported above
      problems.push(
        `${DATASET_MEDIA_DIR}/${entry.name}${entry.isDirectory() ? '/' : ''}: ${entry.isDirectory() ? 'a folder' : entry.isSymbolicLink() ? 'a link' : 'a file'} the manifest does not list`,
      );
    }
  }
  return listed.length;
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

/** One file the manifest lists, against its size and SHA-256 there; a problem is named by the file's path. */
function checkListedFile(dir: string, file: { path: string; bytes: number; sha256: string }, problems: string[]): void {
  const full = path.join(dir, file.path);
  const stat = fs.lstatSync(full, { throwIfNoEntry: false });
  if (!stat) problems.push(`${file.path}: missing`);
  else if (!stat.isFile()) problems.push(`${file.path}: not a regular file`);
  else if (stat.size !== file.bytes) problems.push(`${file.path}: ${stat.size} bytes, the manifest says ${file.bytes}`);
  else if (sha256OfFile(full) !== file.sha256) problems.push(`${file.path}: its SHA-256 differs from the manifest's`);
}
