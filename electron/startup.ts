/** Which workspace the app opens: the last one used, or on first run a fresh copy of the sample. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, type EngineRuntime } from './engine/engineClient.js';
import { connectOrStart, type ShellEngine } from './engine/shellEngine.js';
import { defaultSampleWorkspace, readAppState } from './host/workspace/appState.js';
import { createSampleWorkspace } from './host/samples/sampleWorkspace.js';
import { DATABASE_FILE } from './host/workspace/workspace.js';

export async function startupWorkspaceDir(): Promise<string> {
  const last = readAppState().lastWorkspace;
  if (last && fs.existsSync(path.join(last, DATABASE_FILE))) return last;
  const sample = defaultSampleWorkspace();
  if (!fs.existsSync(path.join(sample, DATABASE_FILE))) {
    const workspace = await createSampleWorkspace(sample);
    await workspace.close();
    console.log(`Created the sample workspace in ${sample}`);
  }
  return sample;
}

/**
 * The engine on the startup workspace: the one holding it already (a second window, or an engine left on for its
 * feeds and monitors), else a new engine process. What SQL may read: the desktop app (and `npm start`'s
 * browser-mode fallback) allows the user's home folder.
 */
export async function startStartupEngine(runtime?: EngineRuntime): Promise<ShellEngine> {
  const dir = await startupWorkspaceDir();
  return connectOrStart(dir, () => startAppEngine(dir, runtime));
}

function startAppEngine(dir: string, runtime?: EngineRuntime): Promise<EngineClient> {
  return EngineClient.start({
    dir,
    fileAccess: { kind: 'confined', folders: [os.homedir()] },
    runtime,
    kind: 'app',
  });
}
