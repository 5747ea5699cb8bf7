/** The `sift` command as the CLI tests run it: a real process, with a SIFT_HOME of its own per test file. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tempDir } from './support';

const exec = promisify(execFile);
export const home = tempDir('sift-cli-home-');

export async function sift(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', ['bin/sift.mjs', ...args], {
      env: { ...process.env, SIFT_HOME: home },
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
