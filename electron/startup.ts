/** Which workspace the app opens: the last one used, or on first run a fresh copy of the sample. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineClient, type EngineRuntime } from './engine/engineClient.js';
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
 * Starts the engine process on the startup workspace. What SQL may read: the desktop app (and `npm start`'s
 * browser-mode fallback) allows the user's home folder.
 */
export async function startStartupEngine(runtime?: EngineRuntime): Promise<EngineClient> {
  return EngineClient.start({
    dir: await startupWorkspaceDir(),
    fileAccess: { kind: 'confined', folders: [os.homedir()] },
    runtime,
    kind: 'app',
  });
}
