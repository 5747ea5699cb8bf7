/** Per-user state outside any workspace: which workspace was used last. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './layout.js';

export function siftHome(): string {
  return process.env.SIFT_HOME ?? path.join(os.homedir(), '.config', 'sift');
}

export function defaultSampleWorkspace(): string {
  return path.join(siftHome(), 'workspaces', 'sample');
}

interface AppState {
  lastWorkspace?: string;
  /** Most recent first. */
  recentWorkspaces?: string[];
}

const RECENT = 10;

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
  const previous = readAppState();
  const resolved = path.resolve(dir);
  const recentWorkspaces = [resolved, ...(previous.recentWorkspaces ?? []).filter((entry) => entry !== resolved)].slice(
    0,
    RECENT,
  );
  const state = { ...previous, lastWorkspace: resolved, recentWorkspaces };
  fs.mkdirSync(siftHome(), { recursive: true });
  writeFileAtomic(statePath(), JSON.stringify(state, null, 2));
}

/** The workspaces opened lately, most recent first, with whether each is still there. */
export function recentWorkspaces(): { path: string; name: string; exists: boolean }[] {
  return (readAppState().recentWorkspaces ?? []).map((dir) => ({
    path: dir,
    name: path.basename(dir),
    exists: fs.existsSync(path.join(dir, 'workspace.duckdb')),
  }));
}
