/**
 * The workspace's gate file, `policy/gates.json`: read and validated on every use (an edit in an editor counts at
 * once), written only once it validates, atomically. A gate run may name another file, or hand one inline.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GateFileState } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { GATE_FILE, type GateFile, parseGateFile, validateGateFile } from '../../../shared/gates.js';
import { type Workspace, writeFileAtomic } from '../workspace/workspace.js';

export function gateFileState(workspaceDir: string): GateFileState {
  const file = path.join(workspaceDir, GATE_FILE);
  if (!fs.existsSync(file)) return { path: GATE_FILE, exists: false, text: null, file: null, error: null };
  const text = fs.readFileSync(file, 'utf8');
  try {
    return { path: GATE_FILE, exists: true, text, file: parseGateFile(text, GATE_FILE), error: null };
  } catch (error) {
    return { path: GATE_FILE, exists: true, text, file: null, error: (error as Error).message };
  }
}

/** Writes the gate file once `text` validates; a bad one is refused naming the field, and the old file stays. */
export function writeGateFile(workspaceDir: string, text: string): GateFileState {
  try {
    parseGateFile(text, GATE_FILE);
  } catch (error) {
    throw new SiftError({ code: 'BAD_REQUEST', message: (error as Error).message });
  }
  const file = path.join(workspaceDir, GATE_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, text.endsWith('\n') ? text : `${text}\n`);
  return gateFileState(workspaceDir);
}

/** The gates a run judges: inline, a named file (relative to the workspace), or the workspace's own. */
export function loadGates(workspace: Workspace, gates: string | Record<string, unknown> | undefined): GateFile {
  try {
    if (gates !== undefined && typeof gates !== 'string') return validateGateFile(gates, 'gates');
    const name = gates ?? GATE_FILE;
    const file = path.resolve(workspace.dir, name);
    if (!fs.existsSync(file))
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `${name}: no gate file there${gates === undefined ? ' (write one, or pass --gates FILE)' : ''}.`,
      });
    // Within what this Sift may read (the workspace, and sift serve's --folder), as any file a caller names.
    return parseGateFile(fs.readFileSync(workspace.checkReadable(file, 'gates'), 'utf8'), name);
  } catch (error) {
    if (error instanceof SiftError) throw error;
    throw new SiftError({ code: 'BAD_REQUEST', message: (error as Error).message });
  }
}
