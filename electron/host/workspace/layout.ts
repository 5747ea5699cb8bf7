import fs from 'node:fs';

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
    fs.renameSync(tmp, target);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
