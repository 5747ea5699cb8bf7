/** Per-user state outside any workspace: which workspace was used last. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function siftHome(): string {
  return process.env.SIFT_HOME ?? path.join(os.homedir(), '.config', 'sift');
}

export function defaultSampleWorkspace(): string {
  return path.join(siftHome(), 'workspaces', 'sample');
}

interface AppState {
  lastWorkspace?: string;
}

function statePath(): string {
  return path.join(siftHome(), 'state.json');
}

export function readAppState(): AppState {
  try {
    return JSON.parse(fs.readFileSync(statePath(), 'utf8')) as AppState;
  } catch {
    return {};
  }
}

export function rememberWorkspace(dir: string): void {
  const state = { ...readAppState(), lastWorkspace: path.resolve(dir) };
  fs.mkdirSync(siftHome(), { recursive: true });
  const tmp = `${statePath()}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, statePath());
}
