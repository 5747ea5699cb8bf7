/**
 * The engine a shell (a window of the desktop app, `sift serve`) works with: the one already holding the workspace
 * (the app's, `sift serve`'s, `sift watch run`), connected to through its socket; else one it starts. A command's
 * own host is only borrowed for that command: the shell waits for it to close, then starts its engine.
 */
import { EngineClient } from './engineClient.js';
import { EngineConnection } from './engineConnection.js';

/** How long a shell waits for a command's own host to let the workspace go. */
const BORROWED_WAIT_MS = 30_000;

export type ShellEngine = EngineClient | EngineConnection;

export async function connectOrStart(dir: string, start: () => Promise<EngineClient>): Promise<ShellEngine> {
  const deadline = Date.now() + BORROWED_WAIT_MS;
  for (;;) {
    const connection = await EngineConnection.connect(dir);
    if (connection && connection.kind !== 'cli') return connection;
    await connection?.close();
    if (!connection) {
      try {
        return await start();
      } catch (error) {
        if (!/open in another Sift process/.test(String(error)) || Date.now() > deadline) throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A window closed: an engine it started stays on while its feeds or monitors have work (engineMain.ts); a
 * connection to another process's engine just ends.
 */
export function releaseShellEngine(engine: ShellEngine): Promise<void> {
  return engine instanceof EngineClient ? engine.close(10_000, { outlive: true }) : engine.close();
}
