/**
 * The shells' side of "one workspace, many clients" (electron/engine/shellEngine.ts, startup.ts, engineMain.ts),
 * tested as wiring (the Electron binary cannot run here): a second window, or `npm start`, on a workspace an engine
 * holds connects to that engine; a closing window lets its engine go on, headless, while a feed has work, and that
 * engine ends by itself once no feed and no client is left. Real engine processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEngineAddress } from '../../electron/engine/engineAddress';
import { EngineClient } from '../../electron/engine/engineClient';
import { EngineConnection } from '../../electron/engine/engineConnection';
import { releaseShellEngine } from '../../electron/engine/shellEngine';
import { createEmptyWorkspace } from '../../electron/host/workspace/workspace';
import { rememberWorkspace } from '../../electron/host/workspace/appState';
import { startStartupEngine } from '../../electron/startup';
import { call, tempDir } from './support';

// A headless engine looks for work often here, so the test waits on its exit, not on a 5 s timer.
process.env.SIFT_HEADLESS_CHECK_MS = '100';

let dir: string;
let landing: string;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  const root = tempDir('sift-outlive-');
  dir = path.join(root, 'ws');
  landing = path.join(dir, 'landing');
  await (await createEmptyWorkspace(dir)).close();
  fs.mkdirSync(landing);
}, 60_000);

let engine: EngineClient | null = null;
afterAll(async () => {
  await engine?.close();
});

describe('a window and its engine', () => {
  it('a second window connects to the engine that holds the workspace', async () => {
    engine = await EngineClient.start({ dir, fileAccess: { kind: 'confined', folders: [] }, kind: 'app' });
    rememberWorkspace(dir);
    const second = await startStartupEngine();
    try {
      expect(second).toBeInstanceOf(EngineConnection);
      expect((second as EngineConnection).pid).toBe(engine.pid);
      expect((await call(second, 'workspace.info', {})).path).toBe(dir);
    } finally {
      await releaseShellEngine(second);
    }
    // The first window's engine did not notice the second one leave.
    expect((await call(engine, 'workspace.info', {})).path).toBe(dir);
  }, 60_000);

  it('closes with its window when no feed or monitor has work', async () => {
    const pid = engine!.pid!;
    await releaseShellEngine(engine!);
    engine = null;
    await waitFor(() => !alive(pid));
    expect(readEngineAddress(dir)).toBeNull();
  }, 60_000);

  it('outlives its window while a feed has work, and ends once none has and no client is left', async () => {
    engine = await EngineClient.start({ dir, fileAccess: { kind: 'confined', folders: [] }, kind: 'app' });
    const pid = engine.pid!;
    // Once the feed has taken a file, the engine's feeds hold it (a feed added is seen at the next poll).
    const took = new Promise<void>((resolve) =>
      engine!.onEvent((event) => event.channel === 'feed' && event.event.type === 'taken' && resolve()),
    );
    await call(engine, 'watch.add', { dir: landing, table: 'landed', settleMs: 100 });
    fs.writeFileSync(path.join(landing, 'first.csv'), 'id,text\n1,hello\n');
    await took;
    await releaseShellEngine(engine);
    engine = null;
    // Still there, headless, and reachable: a command connects to it and stops the feed.
    expect(alive(pid)).toBe(true);
    const client = (await EngineConnection.connect(dir))!;
    expect(client.pid).toBe(pid);
    await call(client, 'watch.remove', { dir: landing });
    expect(alive(pid)).toBe(true); // a client is still connected
    await client.close();
    await waitFor(() => !alive(pid));
    expect(readEngineAddress(dir)).toBeNull();
  }, 60_000);
});
