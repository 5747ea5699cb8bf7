/**
 * The engine process: the workspace (DuckDB), the models (onnxruntime) and every heavy computation run here, so
 * a native crash or a long computation never takes the window or the HTTP server with it. The shell forks this
 * file and routes calls to it over the IPC channel (see engineClient.ts); other Sift processes on the same
 * workspace (`sift` commands, `sift serve`, a second window) reach it through its socket (engineListener.ts).
 */
import { computeOnEveryCore } from '../host/compute/workerPool.js';
import { Host } from '../host/host.js';
import { type EngineListener, listenForClients } from './engineListener.js';
import { ENGINE_OPTIONS_ENV, type EngineOptions, type EngineToShell, type ShellToEngine } from './protocol.js';
import { lowerLaterThreads } from './threadPriority.js';

/** How often a headless engine looks whether it still has work or clients. */
const HEADLESS_CHECK_MS = Number(process.env.SIFT_HEADLESS_CHECK_MS ?? 5_000);

function send(message: EngineToShell): void {
  if (process.connected) process.send!(message);
}

async function serve(): Promise<void> {
  const options = JSON.parse(process.env[ENGINE_OPTIONS_ENV] ?? 'null') as EngineOptions | null;
  if (!options || !process.send) throw new Error('the engine is started by the Sift shell, not by hand');
  // Before DuckDB, onnxruntime and the compute pool start their threads; then the pool may use every core.
  if (lowerLaterThreads()) computeOnEveryCore();
  const host = await Host.open(options.dir, { fileAccess: options.fileAccess });
  // Feeds and monitors run in the engine, beside the calls it serves (electron/host/alwaysOn.ts).
  await host.alwaysOn.start();
  // The socket follows the open workspace: after workspace.open, the new one's, not the last one's.
  let listener: EngineListener | null = null;
  let listeningOn: string | null = null;
  const listen = async () => {
    const dir = host.workspace.dir;
    if (dir === listeningOn) return;
    await listener?.close();
    listeningOn = dir;
    listener = await listenForClients(host, dir, options.kind).catch((error: unknown) => {
      console.error(`[sift] other Sift processes cannot reach ${dir}: ${String(error)}`);
      return null;
    });
  };
  await listen();
  host.onEvent((event) => {
    send({ type: 'event', event });
    if (event.channel === 'workspace' && event.event.type === 'opened') {
      void listen();
      send({ type: 'ready', dir: host.workspace.dir });
    }
  });
  // Whether this engine stays on when its shell leaves: asked by a closing window (release), told by a shell that
  // closes it (close), else — the shell crashed — judged then.
  let staysOn: boolean | null = null;
  process.on('message', (message: ShellToEngine) => {
    if (message?.type === 'release') {
      staysOn = host.alwaysOn.hasWork();
      return send({ type: 'released', staysOn });
    }
    if (message?.type === 'close') staysOn = false;
    if (message?.type !== 'call') return;
    void host
      .dispatch(message.method, message.input, message.caller)
      .then((outcome) => send({ type: 'result', id: message.id, outcome }));
  });
  const close = () => {
    void (async () => {
      await listener?.close();
      await host.close();
    })().finally(() => process.exit(0));
  };
  // The shell went away (closed, or crashed): close DuckDB cleanly so the WAL is checkpointed — unless a feed or a
  // monitor has work, which goes on headless, reachable through the socket, until none has and no client is left.
  process.on('disconnect', () => {
    if (!(staysOn ?? host.alwaysOn.hasWork())) return close();
    console.error(
      `[sift] the engine on ${host.workspace.dir} stays on for its feeds and monitors (PID ${process.pid}).`,
    );
    const check = setInterval(() => {
      if (host.alwaysOn.hasWork() || (listener?.clients() ?? 0) > 0) return;
      clearInterval(check);
      close();
    }, HEADLESS_CHECK_MS);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, close);
  });
  send({ type: 'ready', dir: host.workspace.dir });
}

serve().catch((error: unknown) => {
  const message: EngineToShell = { type: 'failed', message: error instanceof Error ? error.message : String(error) };
  // Exit only once the shell has the reason, or it would see a bare exit code.
  if (process.connected) process.send!(message, () => process.exit(1));
  else process.exit(1);
});
