/** Starts `sift serve` (the real CLI) on a fresh sample workspace for a test file, and stops it afterwards. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SiftServer {
  url: string;
  workspace: string;
  home: string;
  stop(): Promise<void>;
}

/**
 * `name`: the workspace folder's name (the name the app shows). `kind`: which sample (platform by default).
 * `setupSql`: statements run on the workspace with `sift query --allow-writes` before it is served (e.g. dropping a
 * table to try a workspace without it); `beforeServe` then runs anything else (e.g. importing generated media).
 */
export async function startSift(
  options: {
    name?: string;
    kind?: 'platform' | 'discourse';
    setupSql?: string[];
    /** Runs on the workspace (with the env the server gets) before it is served: files written, `sift` commands run. */
    beforeServe?: (workspace: string, env: NodeJS.ProcessEnv) => Promise<void>;
  } = {},
): Promise<SiftServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-e2e-home-'));
  const workspace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-e2e-')), options.name ?? 'sample');
  const env = { ...process.env, SIFT_HOME: home };
  const created = spawnSync(
    'node',
    ['bin/sift.mjs', 'sample', '--kind', options.kind ?? 'platform', '--workspace', workspace],
    { env, encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`sift sample failed: ${created.stderr}`);
  for (const sql of options.setupSql ?? []) {
    const setup = spawnSync(
      'node',
      ['bin/sift.mjs', 'query', '--allow-writes', '--sql', sql, '--workspace', workspace],
      { env, encoding: 'utf8' },
    );
    if (setup.status !== 0) throw new Error(`sift query ${sql} failed: ${setup.stderr}`);
  }
  await options.beforeServe?.(workspace, env);
  const child: ChildProcess = spawn('node', ['bin/sift.mjs', 'serve', '--workspace', workspace, '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`sift serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`sift serve exited with ${code}:\n${output}`)));
  });
  return {
    url,
    workspace,
    home,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
