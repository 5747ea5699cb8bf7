import fs from 'node:fs';
import path from 'node:path';

/** Where a workspace keeps Sift's own files; dependency-free, so the browser-mode server can use it without DuckDB. */
export const SIFT_DIR = '.sift';

/**
 * Writes through a temporary file and a rename, so readers never see half a file; a failure leaves nothing.
 * Here, not in workspace.ts, so callers that must not load DuckDB (the browser-mode server) can use it too.
 */
export function writeFileAtomic(target: string, data: string | Buffer, mode?: number): void {
  const tmp = `${target}.${process.pid}.partial`;
  try {
    fs.writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
    renameDurably(tmp, target);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Renames a finished file over its target so that a crash at any moment leaves the old file or the whole new one:
 * the file's contents are synced before the rename, and its folder (which holds the name) after it.
 */
export function renameDurably(from: string, to: string): void {
  fsyncPath(from, 'r+');
  fs.renameSync(from, to);
  fsyncPath(path.dirname(to), 'r');
}

function fsyncPath(target: string, flags: 'r' | 'r+'): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(target, flags);
    fs.fsyncSync(fd);
  } catch (error) {
    // Not every platform can sync a folder (Windows); a file that cannot be synced is an error.
    if (flags === 'r+') throw error;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
