// The CLI runs from a bundle of its TypeScript sources (esbuild; dependencies stay in node_modules), so a script
// calling `sift` in a loop does not pay for a compiler on every call. The bundle is rebuilt when a source is
// newer than it, so `npx sift` works right after `npm ci` and after every edit.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(root, 'dist', 'cli');
const SOURCES = ['electron', 'shared', 'sample-data', 'models/build'];

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|mjs)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(file).mtimeMs);
    }
  };
  for (const dir of SOURCES) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir));
  return newest;
}

const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);

/** The bundle's URL, built first when missing or older than a source. */
export async function cliBundle() {
  const out = path.join(outDir, 'sift.mjs');
  const worker = path.join(outDir, 'computeWorker.mjs');
  if (Math.min(mtime(out), mtime(worker)) > newestSource()) return pathToFileURL(out).href;
  const { build } = await import('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  // Built under temporary names and renamed: two `sift` calls at once never run half a bundle.
  const suffix = `.${process.pid}.partial.mjs`;
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Native and tool packages stay in node_modules; pure-JS ones (zod, DuckDB's JS API over its native binding)
    // are bundled in: loading them as one file instead of a few hundred modules takes ~0.25 s off every start.
    external: [
      '@duckdb/node-bindings',
      '@duckdb/node-bindings-*',
      'onnxruntime-node',
      'sharp',
      '@img/*',
      '@huggingface/tokenizers',
      'esbuild',
      'tsx',
      'electron',
    ],
    logLevel: 'warning',
    // Less to parse on every start (~60 ms); names are kept, so a stack trace still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  };
  await build({ ...common, entryPoints: [path.join(root, 'electron', 'cli.ts')], outfile: out + suffix });
  await build({
    ...common,
    entryPoints: [path.join(root, 'electron', 'host', 'computeWorkerMain.ts')],
    outfile: worker + suffix,
  });
  fs.renameSync(worker + suffix, worker);
  fs.renameSync(out + suffix, out);
  return pathToFileURL(out).href;
}
