/** Which workspace the app opens: the last one used, or on first run a fresh copy of the sample. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultSampleWorkspace, readAppState } from './host/appState.js';
import { Host } from './host/host.js';
import { createSampleWorkspace } from './host/sampleWorkspace.js';
import { DATABASE_FILE, type FileAccess } from './host/workspace.js';

/** `fileAccess` is what SQL may read: the desktop app allows the user's home folder. */
export async function openStartupWorkspace(fileAccess: FileAccess = { kind: 'confined', folders: [os.homedir()] }): Promise<Host> {
  const last = readAppState().lastWorkspace;
  if (last && fs.existsSync(path.join(last, DATABASE_FILE))) return Host.open(last, { fileAccess });
  const sample = defaultSampleWorkspace();
  if (!fs.existsSync(path.join(sample, DATABASE_FILE))) {
    const workspace = await createSampleWorkspace(sample);
    await workspace.close();
    console.log(`Created the sample workspace in ${sample}`);
  }
  return Host.open(sample, { fileAccess });
}
