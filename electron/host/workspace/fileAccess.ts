/**
 * What Sift may open, register, read or serve for a caller — decided here and nowhere else, on real paths (symbolic
 * links resolved), for regular files only.
 *
 * `any`: the CLI (the user's own shell) reads anywhere. `confined`: a host others may reach (browser mode, and the
 * desktop window, whose page is the app's own but whose reach is the user's home): it reads only inside the open
 * workspace and the folders the person who started it named, opens or creates workspaces only inside those folders,
 * Sift's own workspaces folder or the workspaces it was started on, and registers models only from inside what it
 * may read. A refusal names what the caller asked for and the rule, never what lies outside (it does not say
 * whether a path outside exists).
 *
 * Every name a caller gives that becomes a path inside a folder of Sift's (a policy version, a file a model's
 * manifest names, a download from exports/) goes through `fileInside`: resolved, then checked against the folder.
 *
 * Where Sift writes is decided here too: never inside a published dataset version (`refuseInsideDatasetVersion`).
 *
 * No import of workspace.ts: the browser-mode server uses this without loading DuckDB.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SiftError } from '../../../shared/errors.js';
import { siftHome } from './appState.js';

/** `workspaces`: workspaces a confined host may open besides those inside `folders` (the one `sift serve` was given). */
export type FileAccess = { kind: 'any' } | { kind: 'confined'; folders: string[]; workspaces?: string[] };

/** The real path of a file that may not exist yet: its nearest existing ancestor resolved, the rest appended. */
export function realPathOf(target: string): string {
  const resolved = path.resolve(target);
  let existing = resolved;
  const tail: string[] = [];
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    tail.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(fs.realpathSync(existing), ...tail);
  } catch {
    return resolved;
  }
}

/** Whether `target` (symbolic links resolved) lies strictly inside one of `folders`. */
export function isInside(target: string, folders: string[]): boolean {
  const real = realPathOf(target);
  return folders.some((folder) => real.startsWith(realPathOf(folder) + path.sep));
}

const isSameOrInside = (target: string, folders: string[]) =>
  isInside(target, folders) || folders.some((folder) => realPathOf(folder) === realPathOf(target));

/** The folders a host reads from: the open workspace and, confined, the folders named when it started. */
function readableRoots(workspaceDir: string, access: FileAccess & { kind: 'confined' }): string[] {
  return [workspaceDir, ...access.folders];
}

const outsideReach = (field: string, resolved: string) =>
  new SiftError({
    code: 'BAD_REQUEST',
    message: `${field}: ${resolved} is outside the folders this Sift may read (the workspace, and folders given to sift serve --folder).`,
    file: resolved,
  });

/**
 * A file a caller asks the host to read (an import, a label pack, a report file, a CA certificate): in reach, and a
 * regular file — a FIFO, a device or a folder is refused before anything opens it (opening a FIFO blocks).
 */
export function checkReadableFile(workspaceDir: string, access: FileAccess, file: string, field: string): string {
  const resolved = path.resolve(file);
  if (access.kind === 'confined' && !isInside(resolved, readableRoots(workspaceDir, access)))
    throw outsideReach(field, resolved);
  requireKind(resolved, 'file', field, 'allowed'); // a missing file is the caller's to report, in its words
  return resolved;
}

/** A folder a caller asks the host to read (a dataset version to verify or diff, a model folder). */
export function checkReadableFolder(workspaceDir: string, access: FileAccess, dir: string, field: string): string {
  const resolved = path.resolve(dir);
  if (access.kind === 'confined' && !isSameOrInside(resolved, readableRoots(workspaceDir, access)))
    throw outsideReach(field, resolved);
  requireKind(resolved, 'folder', field, 'allowed');
  return resolved;
}

/** The folders a confined host may open or create workspaces in. */
function workspaceRoots(access: FileAccess & { kind: 'confined' }): string[] {
  return [path.join(siftHome(), 'workspaces'), ...access.folders];
}

/**
 * A workspace a caller asks to open or create. Confined, only inside Sift's workspaces folder or a named folder, or
 * one the host was started on: opening another folder would move what SQL may read along with it.
 */
export function checkWorkspaceFolder(
  access: FileAccess,
  dir: string,
  field: string,
  purpose: 'open' | 'create',
): string {
  const resolved = path.resolve(dir);
  if (access.kind === 'any') return resolved;
  if (
    isInside(resolved, workspaceRoots(access)) ||
    (access.workspaces ?? []).some((allowed) => realPathOf(allowed) === realPathOf(resolved))
  )
    return resolved;
  const where = `${path.join(siftHome(), 'workspaces')} or a folder given to sift serve --folder`;
  // Whoever started the server chose these folders; the refusal says how to choose another, since the page cannot.
  const how =
    purpose === 'create'
      ? `To keep it elsewhere, restart the server with that folder allowed (sift serve --folder ${path.dirname(resolved)}), or create it with the command line (sift init --workspace ${resolved}) and serve it (sift serve --workspace ${resolved}).`
      : `To open it, serve it (sift serve --workspace ${resolved}), or restart the server with its folder allowed (sift serve --folder ${path.dirname(resolved)}).`;
  throw new SiftError({
    code: 'BAD_REQUEST',
    message:
      purpose === 'create'
        ? `${field}: in browser mode a new workspace goes inside ${where}. ${how}`
        : `${field}: ${resolved}: in browser mode a workspace is opened only from inside ${where} (or the one Sift started on). ${how}`,
    file: resolved,
  });
}

/**
 * A name a caller gives for a file in one of Sift's folders (a policy version's file, a file a model's manifest
 * names): resolved against `folder`, and refused unless it stays inside it (links resolved) and is a regular file.
 * The refusal names the name, never the file's content.
 */
export function fileInside(folder: string, name: string, field: string): string {
  const resolved = path.resolve(folder, name);
  if (!isInside(resolved, [folder])) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${field}: "${name}" leads outside ${folder}; it names a file inside that folder.`,
      file: folder,
    });
  }
  requireKind(resolved, 'file', field, 'refused');
  return resolved;
}

function requireKind(resolved: string, kind: 'file' | 'folder', field: string, missing: 'allowed' | 'refused'): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    if (missing === 'allowed') return;
    throw new SiftError({ code: 'NOT_FOUND', message: `${field}: ${resolved}: no such ${kind}.`, file: resolved });
  }
  if (kind === 'file' && !stat.isFile())
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${field}: ${resolved} is not a regular file${stat.isDirectory() ? ' (it is a folder)' : ''}; Sift reads only regular files.`,
      file: resolved,
    });
  if (kind === 'folder' && !stat.isDirectory())
    throw new SiftError({ code: 'BAD_REQUEST', message: `${field}: ${resolved} is not a folder.`, file: resolved });
}

/**
 * Opens a file for reading without ever blocking: O_NONBLOCK makes opening a FIFO return at once, and the open
 * descriptor must then be a regular file. Returns the descriptor (the caller closes it).
 */
export function openRegularFile(file: string): number {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let regular = false;
  try {
    regular = fs.fstatSync(fd).isFile();
  } finally {
    if (!regular) fs.closeSync(fd);
  }
  if (!regular)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${file} is not a regular file; Sift reads only regular files.`,
      file,
    });
  return fd;
}

/**
 * A file of the workspace's exports/ folder to send to a browser: named directly in it, itself a regular file (not
 * a link to somewhere else, not a FIFO). Returns an open descriptor and the file's size, or null.
 */
export function openExportForDownload(
  exportsDir: string,
  requested: string,
): { fd: number; size: number; name: string } | null {
  const resolved = path.resolve(requested);
  if (path.dirname(resolved) !== path.resolve(exportsDir)) return null;
  let fd: number;
  try {
    fd = fs.openSync(resolved, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch {
    return null; // missing, or a symbolic link (O_NOFOLLOW)
  }
  const stat = fs.fstatSync(fd);
  // exports/ itself must be the workspace's own folder, not a link to one elsewhere.
  if (!stat.isFile() || !isInside(exportsDir, [path.dirname(path.resolve(exportsDir))])) {
    fs.closeSync(fd);
    return null;
  }
  return { fd, size: stat.size, name: path.basename(resolved) };
}

/** The file that makes a folder a dataset version (datasets/datasetExport.ts writes it last, inside the staging folder). */
export const DATASET_MANIFEST = 'manifest.json';

/**
 * Whether `dir` holds a dataset version's manifest as Sift writes it (`tool.name` "sift", a whole-number version
 * and a list of files). A user's own manifest.json of another shape does not make a folder a version.
 */
export function isDatasetVersionFolder(dir: string): boolean {
  const manifest = path.join(dir, DATASET_MANIFEST);
  try {
    if (!fs.statSync(manifest).isFile()) return false;
    const parsed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
      tool?: { name?: unknown };
      version?: unknown;
      files?: unknown;
    };
    return parsed.tool?.name === 'sift' && Number.isInteger(parsed.version) && Array.isArray(parsed.files);
  } catch {
    return false;
  }
}

/** The dataset version folder that `target` (its real path) is, or lies anywhere inside; null when none. */
export function datasetVersionHolding(target: string): string | null {
  for (let dir = realPathOf(target); ; dir = path.dirname(dir)) {
    if (isDatasetVersionFolder(dir)) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * A published dataset version is immutable: no file Sift writes (an export of any kind, a workspace, a staging
 * folder) may land in one, or in any folder below one. The one check every such write makes, on real paths.
 */
export function refuseInsideDatasetVersion(target: string, field: string): void {
  const version = datasetVersionHolding(target);
  if (version !== null) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${field}: ${path.resolve(target)} is inside the dataset version ${version}, and a published version is never changed; write somewhere else.`,
      file: path.resolve(target),
    });
  }
}
