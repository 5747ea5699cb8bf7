/** Where the project's own files (sample data, models, the built UI) live, from source or from a bundle. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  if (process.env.SIFT_ROOT) return (cachedRoot = process.env.SIFT_ROOT);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'sample-data'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the Sift project folder (set SIFT_ROOT).');
    dir = parent;
  }
  return (cachedRoot = dir);
}

export const rendererDist = () => path.join(projectRoot(), 'dist', 'renderer');
// Packaged apps keep sample data outside the asar archive (DuckDB reads files natively, not through asar).
export const sampleDataDir = (kind: string) =>
  path.join(projectRoot().replace(/app\.asar$/, 'app.asar.unpacked'), 'sample-data', kind);
export const reportLibraryDir = (kind: string) =>
  path.join(projectRoot().replace(/app\.asar$/, 'app.asar.unpacked'), 'sample-data', 'reports', kind);
