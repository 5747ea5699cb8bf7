/**
 * The engine process: the workspace (DuckDB), the models (onnxruntime) and every heavy computation run here, so
 * a native crash or a long computation never takes the window or the HTTP server with it. The shell forks this
 * file and routes calls to it over the IPC channel (see engineClient.ts).
 */
import { computeOnEveryCore } from '../host/compute/workerPool.js';
import { Host } from '../host/host.js';
import { ENGINE_OPTIONS_ENV, type EngineOptions, type EngineToShell, type ShellToEngine } from './protocol.js';
import { lowerLaterThreads } from './threadPriority.js';

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
  host.onEvent((event) => {
    send({ type: 'event', event });
    if (event.channel === 'workspace' && event.event.type === 'opened')
      send({ type: 'ready', dir: host.workspace.dir });
  });
  process.on('message', (message: ShellToEngine) => {
    if (message?.type !== 'call') return;
    void host
      .dispatch(message.method, message.input, message.caller)
      .then((outcome) => send({ type: 'result', id: message.id, outcome }));
  });
  // The shell went away (closed, or crashed): close DuckDB cleanly so the WAL is checkpointed.
  process.on('disconnect', () => {
    void host.close().finally(() => process.exit(0));
  });
  send({ type: 'ready', dir: host.workspace.dir });
}

serve().catch((error: unknown) => {
  const message: EngineToShell = { type: 'failed', message: error instanceof Error ? error.message : String(error) };
  // Exit only once the shell has the reason, or it would see a bare exit code.
  if (process.connected) process.send!(message, () => process.exit(1));
  else process.exit(1);
});
