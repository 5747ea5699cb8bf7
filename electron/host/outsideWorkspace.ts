/**
 * What the command line does around a workspace rather than inside one, where there is no open host to call:
 * which workspace was used last, making one (empty, or from the sample data), checking a dataset version with no
 * workspace to check it against, and stopping the process's compute workers when a command ends. Everything done
 * inside an open workspace goes through Host.dispatch; electron/cli/ imports only this, host.ts and the engine client.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetVerification, TableInfo } from '../../shared/contract.js';
import { verifyDataset } from './datasets/datasetVerify.js';
import { readAppState } from './workspace/appState.js';
import { SIFT_DIR } from './workspace/layout.js';
import { createSampleWorkspace, type SampleKind } from './samples/sampleWorkspace.js';
import { createEmptyWorkspace, DATABASE_FILE } from './workspace/workspace.js';

export { shutdownComputePool } from './compute/workerPool.js';
export { rendererDist } from './projectPaths.js';
export { rememberWorkspace } from './workspace/appState.js';
export { SAMPLE_KINDS, type SampleKind } from './samples/sampleWorkspace.js';
export { DATABASE_FILE, isNewOrEmptyFolder } from './workspace/workspace.js';

/** The workspace opened last (by the app or the command line), if any. */
export const lastWorkspace = (): string | undefined => readAppState().lastWorkspace;

/** Whether `dir` holds a Sift workspace. */
export const isWorkspaceFolder = (dir: string): boolean => fs.existsSync(path.join(dir, DATABASE_FILE));

/** Makes an empty workspace in a new or empty folder (refusing any other) and returns its resolved path. */
export async function createEmptyWorkspaceFolder(dir: string): Promise<string> {
  const workspace = await createEmptyWorkspace(dir);
  await workspace.close();
  return workspace.dir;
}

/** Makes a workspace of sample data and returns its path and tables. */
export async function createSampleWorkspaceFolder(
  dir: string,
  source: { kind?: SampleKind; from?: string },
): Promise<{ dir: string; tables: TableInfo[] }> {
  const workspace = await createSampleWorkspace(dir, source);
  try {
    return { dir: workspace.dir, tables: await workspace.listTables() };
  } finally {
    await workspace.close();
  }
}

/** The nearest folder at or above `dir` that is a workspace (exports/datasets is where versions go by default). */
export function enclosingWorkspace(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    if (isWorkspaceFolder(at) && fs.existsSync(path.join(at, SIFT_DIR))) return at;
    if (path.dirname(at) === at) return undefined;
  }
}

/** A dataset version's files checked against its manifest alone, saying why no workspace checked the rest. */
export const verifyDatasetFiles = (dir: string, noWorkspaceReason: string): Promise<DatasetVerification> =>
  verifyDataset(null, dir, noWorkspaceReason);
