/**
 * `npm start`: the desktop window when the Electron binary is installed; otherwise browser mode in the default
 * browser (or the printed URL), with one line saying why. Either way the sample workspace opens on first run.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { bundleShell } from './bundleShell.js';
import { openInBrowser } from './cli.js';
import { projectRoot, rendererDist } from './host/projectPaths.js';
import { startServer } from './server.js';
import { startStartupEngine } from './startup.js';

function electronBinary(): string | null {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' ? binary : null;
  } catch {
    return null; // the package is there but its binary was never downloaded (allowScripts keeps it off)
  }
}

async function launch(): Promise<void> {
  const binary = electronBinary();
  if (binary) {
    const main = await bundleShell();
    const child = spawn(binary, [main], { stdio: 'inherit', env: { ...process.env, SIFT_ROOT: projectRoot() } });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  const host = await startStartupEngine();
  const server = await startServer({ host, staticDir: rendererDist() });
  const opened = openInBrowser(server.url);
  console.log(
    `The Electron binary is not installed (node node_modules/electron/install.js adds it on a machine with internet), so Sift runs in browser mode: ${server.url}${opened ? '' : '  (open this URL in a browser)'}`,
  );
  const stop = async () => {
    await server.close();
    await host.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

launch().catch((error: unknown) => {
  console.error(`sift: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
