/**
 * Where a workspace's engine can be reached by other Sift processes of the same OS user: a Unix domain socket in a
 * folder only that user may enter (`<tmp>/sift-<uid>/`, mode 0700), named by a short hash of the workspace's path —
 * a socket's path is limited to ~108 bytes and Node cuts a longer one silently, so it never grows with the
 * workspace's path. The socket's address, a random token and the engine's pid are in `.sift/engine.json`, mode 0600:
 * only a process of that user can read the token, and a connection must present it. Windows uses a named pipe.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SIFT_DIR, writeFileAtomic } from '../host/workspace/layout.js';

/** Who opened the engine: the desktop app, `sift serve`, `sift watch run`, or a CLI command's own engine. */
export type EngineKind = 'app' | 'serve' | 'watch' | 'cli';

export interface EngineAddress {
  socket: string;
  token: string;
  pid: number;
  kind: EngineKind;
}

export const ENGINE_FILE = 'engine.json';

export const engineFilePath = (workspaceDir: string): string => path.join(workspaceDir, SIFT_DIR, ENGINE_FILE);

/** The folder the sockets live in, made (or tightened) to 0700 and checked to be this user's. */
function socketFolder(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const folder = path.join(os.tmpdir(), `sift-${uid}`);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(folder);
  if (!stat.isDirectory() || (typeof process.getuid === 'function' && stat.uid !== uid))
    throw new Error(`${folder} is not a folder of this user's; Sift will not put its engine's socket there.`);
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(folder, 0o700);
  return folder;
}

/** The socket of the engine on `workspaceDir`: short whatever the workspace's path. */
export function socketPathFor(workspaceDir: string): string {
  const hash = crypto.createHash('sha256').update(path.resolve(workspaceDir)).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\sift-${hash}`;
  return path.join(socketFolder(), `${hash}.sock`);
}

export function writeEngineAddress(workspaceDir: string, address: EngineAddress): void {
  removeDeadPartials(workspaceDir);
  writeFileAtomic(engineFilePath(workspaceDir), `${JSON.stringify(address)}\n`, 0o600);
}

/**
 * The half-written addresses (`engine.json.<pid>.partial`) of engines killed while writing theirs: only the process
 * holding the workspace writes an address, so a partial whose writer is gone is nobody's.
 */
function removeDeadPartials(workspaceDir: string): void {
  const folder = path.dirname(engineFilePath(workspaceDir));
  for (const name of fs.readdirSync(folder)) {
    const writer = /^engine\.json\.(\d+)\.partial$/.exec(name);
    if (writer && !processAlive(Number(writer[1]))) fs.rmSync(path.join(folder, name), { force: true });
  }
}

/** The address in `.sift/engine.json`, or null when there is none or it is not one. */
export function readEngineAddress(workspaceDir: string): EngineAddress | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(engineFilePath(workspaceDir), 'utf8')) as Partial<EngineAddress>;
    if (typeof parsed.socket !== 'string' || typeof parsed.token !== 'string' || typeof parsed.pid !== 'number')
      return null;
    return { socket: parsed.socket, token: parsed.token, pid: parsed.pid, kind: parsed.kind ?? 'cli' };
  } catch {
    return null;
  }
}

/** Removes the address, but only this engine's own (a newer engine may have written its own since). */
export function removeEngineAddress(workspaceDir: string, token: string): void {
  if (readEngineAddress(workspaceDir)?.token === token) fs.rmSync(engineFilePath(workspaceDir), { force: true });
}

/** Whether a process with this pid exists (a stale engine.json names a dead one). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
