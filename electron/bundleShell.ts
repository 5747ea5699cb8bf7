/** Bundles the Electron main process and the engine (ESM) and preload (CommonJS, as sandboxed preloads must be) into dist/electron. */
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from './host/projectPaths.js';

export async function bundleShell(): Promise<string> {
  const out = path.join(projectRoot(), 'dist', 'electron');
  const common = {
    bundle: true,
    platform: 'node' as const,
    target: 'node20',
    external: ['electron', '@duckdb/*', 'onnxruntime-node'],
    logLevel: 'warning' as const,
  };
  await build({
    ...common,
    entryPoints: [path.join(projectRoot(), 'electron', 'main.ts')],
    format: 'esm',
    outfile: path.join(out, 'main.mjs'),
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  await build({
    ...common,
    entryPoints: [path.join(projectRoot(), 'electron', 'engine', 'engineMain.ts')],
    format: 'esm',
    outfile: path.join(out, 'engine.mjs'),
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  // The engine's compute pool starts its workers from this file, beside engine.mjs.
  await build({
    ...common,
    entryPoints: [path.join(projectRoot(), 'electron', 'host', 'computeWorkerMain.ts')],
    format: 'esm',
    outfile: path.join(out, 'computeWorker.mjs'),
  });
  await build({
    ...common,
    entryPoints: [path.join(projectRoot(), 'electron', 'preload.ts')],
    format: 'cjs',
    outfile: path.join(out, 'preload.cjs'),
  });
  return path.join(out, 'main.mjs');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  bundleShell().then((main) => console.log(`Bundled ${main}`));
}
