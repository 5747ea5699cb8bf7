/**
 * What SQL in the data engine may open, as the allow-lists DuckDB offers (`allowed_directories`: path prefixes that
 * end at a folder; `allowed_paths`: exact files), with `enable_external_access = false` and the configuration
 * locked. DuckDB has no deny-list, so Sift's own folder is kept out by layout: every folder SQL may read (the root
 * of the file system for the CLI, the workspace and the named folders otherwise) is allowed whole unless a hidden
 * folder lies inside it; such a folder is allowed entry by entry instead, every entry but the one on the way down.
 * DuckDB resolves `.` and `..` in a path before it compares (so `uploads/../.sift` is refused), but follows
 * symbolic links, so a link in an enumerated folder that leads to a hidden one (or above it) is left out, and a
 * root that is a link is followed to where it leads.
 *
 * The entries are those present when the lists are made, and DuckDB's lists are fixed once set: an entry made later
 * directly in an enumerated folder (the workspace's own folder, or a folder above it) is readable once the data
 * engine is opened again, which the workspace does at the next moment no connection is open (reachIsStale);
 * entries made later inside an allowed folder are readable at once. docs/safety.md states the rule.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SqlReach {
  /** Folders SQL may read anything under. */
  directories: string[];
  /** Single files SQL may read. */
  paths: string[];
  /**
   * The folders allowed entry by entry, with their modification times and entries then: a new entry changes its
   * folder's time.
   */
  enumerated: { folder: string; mtimeMs: number; entries: Set<string> }[];
  /** Entries whose coming and going never makes the lists stale (the data engine's own files: its WAL, its spills). */
  transient: (entry: string) => boolean;
}

/**
 * Whether an enumerated folder has gained or lost an entry since `reach` was computed, other than a transient one. A
 * folder whose time moved but whose entries did not (the data engine's WAL came and went with a write, a file was
 * rewritten by renaming over it) is read once and its new time kept: reopening the data engine for it would hold
 * every call for the length of a close and an open (~150–250 ms after a 1M-row feed ingest, bench/feeds.ts).
 */
export async function reachIsStale(reach: SqlReach): Promise<boolean> {
  for (const listed of reach.enumerated) {
    const mtimeMs = fs.statSync(listed.folder, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === listed.mtimeMs) continue;
    if (mtimeMs === undefined) return true;
    const names = await fs.promises.readdir(listed.folder).catch(() => null);
    if (!names) return true;
    const lasting = (name: string) => !reach.transient(path.join(listed.folder, name));
    const now = new Set(names.filter(lasting));
    const then = [...listed.entries].filter(lasting);
    if (now.size !== then.length || then.some((name) => !now.has(name))) return true;
    // Read after the stat: an entry made between the two shows as a moved time at the next look.
    listed.mtimeMs = mtimeMs;
    listed.entries = new Set(names);
  }
  return false;
}

/**
 * Folders that alias every other path (a process's open files, its root and working folder): no SQL needs them, and
 * `/proc/self/fd/N` would open Sift's store by its file descriptor.
 */
const SYSTEM_ALIASES = process.platform === 'linux' ? ['/proc', '/dev'] : [];

/**
 * The allow-lists for `roots` without `hidden` (and without the system's aliasing folders); `readable` are single
 * files inside a hidden folder that SQL may still read (the label snapshot its views read); `transient` entries are
 * listed as any other, but their coming and going leaves the lists current (reachIsStale).
 */
export function sqlReach(
  roots: string[],
  hidden: string[],
  readable: string[] = [],
  transient: (entry: string) => boolean = () => false,
): SqlReach {
  const resolvedRoots = roots.map((root) => path.resolve(root));
  const hiddenPaths = new Set<string>();
  for (const folder of [...hidden, ...SYSTEM_ALIASES]) {
    const resolved = path.resolve(folder);
    hiddenPaths.add(resolved);
    hiddenPaths.add(realPath(resolved) ?? resolved);
  }
  // A root reached through a link hides what its target hides, under the root's own name.
  for (const root of resolvedRoots) {
    const real = realPath(root);
    if (real === null || real === root) continue;
    for (const hiddenPath of [...hiddenPaths]) {
      if (isWithin(hiddenPath, real)) hiddenPaths.add(path.join(root, path.relative(real, hiddenPath)));
    }
  }
  const isHidden = (target: string) => [...hiddenPaths].some((hiddenPath) => isWithin(target, hiddenPath));
  const leadsToHidden = (target: string) =>
    [...hiddenPaths].some((hiddenPath) => hiddenPath !== target && isWithin(hiddenPath, target));

  const directories = new Set<string>();
  const paths = new Set<string>();
  const enumerated: SqlReach['enumerated'] = [];
  const visit = (folder: string) => {
    if (isHidden(folder)) return;
    if (!leadsToHidden(folder)) {
      directories.add(folder);
      return;
    }
    let entries: fs.Dirent[];
    try {
      const mtimeMs = fs.statSync(folder).mtimeMs; // before the listing: a race shows as stale
      entries = fs.readdirSync(folder, { withFileTypes: true });
      enumerated.push({ folder, mtimeMs, entries: new Set(entries.map((entry) => entry.name)) });
    } catch {
      return; // unreadable to Sift too
    }
    for (const entry of entries) {
      const target = path.join(folder, entry.name);
      if (isHidden(target)) continue;
      if (leadsToHidden(target)) {
        visit(target);
        continue;
      }
      let isFolder = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        const real = realPath(target);
        if (real === null || isHidden(real) || leadsToHidden(real)) continue; // dangling, or a way round
        isFolder = fs.statSync(real, { throwIfNoEntry: false })?.isDirectory() ?? false;
      }
      (isFolder ? directories : paths).add(target);
    }
  };
  for (const root of resolvedRoots) visit(root);
  for (const file of readable) paths.add(path.resolve(file));
  return { directories: [...directories].sort(), paths: [...paths].sort(), enumerated, transient };
}

/** Whether `target` is `folder` or lies inside it (by name; both resolved). */
function isWithin(target: string, folder: string): boolean {
  if (target === folder) return true;
  const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
  return target.startsWith(prefix);
}

function realPath(target: string): string | null {
  try {
    return fs.realpathSync(target);
  } catch {
    return null;
  }
}
