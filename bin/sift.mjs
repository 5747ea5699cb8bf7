#!/usr/bin/env node
// The `sift` command: the CLI bundled from source on first use (and after any edit), then run as plain JS.
//
// Commands that run user SQL or data through DuckDB (query, import, score, eval, session) run in a child process:
// an input that crashes the engine (DuckDB segfaults on some deeply nested JSON) kills that child, and this process
// says so and exits 1 instead of dying with a signal. The rest run here; `serve` has its own engine process, and
// `labels ingest` stays here so that a kill of this process stops the writer it started.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENGINE_COMMANDS = {
  query: 'query',
  import: 'import',
  score: 'scoring run',
  eval: 'evaluation',
  robustness: 'robustness run',
  session: 'session command',
};
const IN_ENGINE = 'SIFT_CLI_ENGINE';
const argv = process.argv.slice(2);
const what = Object.hasOwn(ENGINE_COMMANDS, argv[0] ?? '') ? ENGINE_COMMANDS[argv[0]] : null;

if (what === null || process.env[IN_ENGINE] === '1') {
  // The engine side ends when this process's parent does (the IPC channel closes), so a killed `sift` leaves no
  // process holding the workspace.
  if (process.env[IN_ENGINE] === '1' && process.send) {
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
    process.channel?.unref();
  }
  const { cliBundle } = await import('./cliBundle.mjs');
  const { main } = await import(await cliBundle());
  process.exitCode = await main(argv);
} else {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [IN_ENGINE]: '1' },
  });
  // Ctrl+C reaches the whole process group, the child included, which stops its work and exits; a signal sent to
  // this process alone is passed on.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const [code, signal] = await new Promise((resolve) => child.on('exit', (...ended) => resolve(ended)));
  if (signal !== null && signal !== 'SIGINT' && signal !== 'SIGTERM' && signal !== 'SIGHUP') {
    process.stderr.write(`sift: the ${what} crashed the engine (${signal}).\n`);
    process.exitCode = 1;
  } else {
    process.exitCode = signal === null ? code : 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal] ?? 0);
  }
}
