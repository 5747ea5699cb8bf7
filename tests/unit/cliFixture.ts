/** The `sift` command as the CLI tests run it: a real process, with a SIFT_HOME of its own per test file. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './support';

const exec = promisify(execFile);
const cli = path.resolve('bin/sift.mjs');
export const home = tempDir('sift-cli-home-');

export interface SiftRun {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** How long it ran, in ms: for a test that times kills by it, never for an assertion. */
  ms: number;
}

/** Runs `sift ARGS` (in `cwd`, default the repository) and returns how it ended; a failure is returned, not thrown. */
export async function runSift(args: string[], options: { cwd?: string } = {}): Promise<SiftRun> {
  const started = performance.now();
  try {
    const { stdout, stderr } = await exec('node', [cli, ...args], {
      env: { ...process.env, SIFT_HOME: home },
      cwd: options.cwd,
      maxBuffer: 256 << 20,
    });
    return { code: 0, signal: null, stdout, stderr, ms: performance.now() - started };
  } catch (error) {
    const failed = error as { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
    const { code, signal, stdout, stderr } = failed;
    return { code, signal, stdout, stderr, ms: performance.now() - started };
  }
}

export function sift(...args: string[]): Promise<SiftRun> {
  return runSift(args);
}

/** `sift ARGS` that must succeed (a setup step, an output compared byte for byte): any other exit throws, with stderr. */
export async function siftOk(...args: string[]): Promise<SiftRun> {
  const run = await runSift(args);
  if (run.code !== 0) throw new Error(`sift ${args.join(' ')} exited with ${run.code ?? run.signal}:\n${run.stderr}`);
  return run;
}
