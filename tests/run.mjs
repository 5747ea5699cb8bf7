#!/usr/bin/env node
// `npm test`: every step runs even when an earlier one fails (a failing unit file must not hide the end-to-end
// results), then a summary names each step's result and duration; the exit code is non-zero if any step failed.
// Only the end-to-end tests wait on a step: they test the build, so without a fresh build they are skipped (and
// counted as failed) rather than run against a stale dist/.
// `node tests/run.mjs STEPS.json` runs other steps ([{ "name", "command": [file, ...args], "needs"? }]); its test uses that.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

const defaultSteps = [
  { name: 'type-check', command: [bin('tsc'), '-p', '.'] },
  { name: 'lint', command: [bin('eslint'), '--max-warnings', '0', '.'] },
  { name: 'format', command: [bin('prettier'), '--check', '--log-level', 'warn', '.'] },
  { name: 'unit tests', command: [bin('vitest'), 'run'] },
  { name: 'build', command: [bin('vite'), 'build', '--logLevel', 'warn'] },
  { name: 'end-to-end tests', command: [bin('playwright'), 'test'], needs: 'build' },
];
const steps = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], 'utf8')) : defaultSteps;

/** Runs one command with the terminal as its output; resolves with a one-line outcome. */
function runCommand([file, ...args]) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('error', (error) => resolve({ ok: false, outcome: `could not start: ${error.message}` }));
    child.on('exit', (code, signal) =>
      resolve(
        code === 0
          ? { ok: true, outcome: 'passed' }
          : { ok: false, outcome: signal ? `killed by ${signal}` : `failed (exit ${code})` },
      ),
    );
  });
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const results = [];
const suiteStart = Date.now();
for (const step of steps) {
  const needed = step.needs && results.find((result) => result.name === step.needs);
  if (needed && !needed.ok) {
    results.push({ name: step.name, ok: false, outcome: `skipped: the ${step.needs} step failed`, ms: 0 });
    continue;
  }
  console.log(`\n▶ ${step.name}: ${step.command.map((part) => path.basename(part)).join(' ')}`);
  const start = Date.now();
  const { ok, outcome } = await runCommand(step.command);
  results.push({ name: step.name, ok, outcome, ms: Date.now() - start });
}

const width = Math.max(...results.map((result) => result.name.length));
console.log('\nSummary');
for (const result of results) {
  console.log(
    `  ${result.ok ? '✓' : '✗'} ${result.name.padEnd(width)}  ${result.outcome.padEnd(12)}  ${seconds(result.ms)}`,
  );
}
const failed = results.filter((result) => !result.ok);
console.log(
  failed.length === 0
    ? `All ${results.length} steps passed in ${seconds(Date.now() - suiteStart)}.`
    : `${failed.length} of ${results.length} steps failed (${failed.map((result) => result.name).join(', ')}); ${seconds(Date.now() - suiteStart)} in all.`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
