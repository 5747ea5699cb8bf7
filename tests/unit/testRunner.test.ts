/** `npm test` runs every step even when one fails, and says how each went: a failing unit file must not hide the e2e results. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support';

const exec = promisify(execFile);

describe('tests/run.mjs', () => {
  it('is what `npm test` runs', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toBe('node tests/run.mjs');
  });

  it('runs the steps after a failed one, skips only what needs it, prints a summary and exits 1', async () => {
    const dir = tempDir('sift-run-');
    const marker = path.join(dir, 'later-step-ran');
    const node = process.execPath;
    const steps = [
      { name: 'unit tests', command: [node, '-e', 'process.exit(3)'] },
      { name: 'later', command: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes')`] },
      { name: 'build', command: [node, '-e', 'process.exit(1)'] },
      { name: 'end-to-end tests', command: [node, '-e', 'process.exit(0)'], needs: 'build' },
    ];
    const stepsFile = path.join(dir, 'steps.json');
    fs.writeFileSync(stepsFile, JSON.stringify(steps));
    const outcome = await exec(node, ['tests/run.mjs', stepsFile]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(outcome.code).toBe(1);
    expect(fs.existsSync(marker)).toBe(true);
    const summary = outcome.stdout.slice(outcome.stdout.lastIndexOf('Summary'));
    expect(summary).toMatch(/✗ unit tests\s+failed \(exit 3\)\s+\d+\.\d s/);
    expect(summary).toMatch(/✓ later\s+passed\s+\d+\.\d s/);
    expect(summary).toMatch(/✗ build\s+failed \(exit 1\)/);
    expect(summary).toMatch(/✗ end-to-end tests\s+skipped: the build step failed/);
    expect(summary).toContain('3 of 4 steps failed (unit tests, build, end-to-end tests)');
  });

  it('exits 0 when every step passes', async () => {
    const stepsFile = path.join(tempDir('sift-run-'), 'steps.json');
    fs.writeFileSync(stepsFile, JSON.stringify([{ name: 'only', command: [process.execPath, '-e', ''] }]));
    const { stdout } = await exec(process.execPath, ['tests/run.mjs', stepsFile]);
    expect(stdout).toContain('All 1 steps passed');
  });
});
