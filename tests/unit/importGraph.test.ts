/**
 * No import circle anywhere: dependency-cruiser (its rules in .dependency-cruiser.cjs) over the app's source. The
 * second test shows the rule catches a circle, on two throwaway modules.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { expect, it } from 'vitest';

/** Each circle dependency-cruiser finds, as `a → b → … → a`, and how many modules it read. */
async function circles(targets: string[]): Promise<{ found: string[]; modules: number }> {
  const options = await extractDepcruiseOptions(path.resolve('.dependency-cruiser.cjs'));
  const result = await cruise(targets, options, undefined, {
    tsConfig: extractTSConfig(path.resolve('tsconfig.json')),
  });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, not a cruise result');
  const found = result.output.summary.violations
    .filter((violation: IViolation) => violation.rule.name === 'no-circular')
    .map((violation) =>
      [violation.from, ...(violation.cycle ?? []).map((step) => (typeof step === 'string' ? step : step.name))].join(
        ' → ',
      ),
    );
  return { found, modules: result.output.summary.totalCruised };
}

it('finds no import circle in electron/, shared/, renderer/ and bin/', { timeout: 240_000 }, async () => {
  const { found, modules } = await circles(['electron', 'shared', 'renderer', 'bin']);
  expect(modules).toBeGreaterThan(150);
  expect(found).toEqual([]);
});

it('reports a planted circle, naming its modules', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-circle-'));
  fs.writeFileSync(
    path.join(dir, 'floor.mjs'),
    "import { up } from './upstairs.mjs';\nexport const down = () => up;\n",
  );
  fs.writeFileSync(
    path.join(dir, 'upstairs.mjs'),
    "import { down } from './floor.mjs';\nexport const up = () => down;\n",
  );
  try {
    const { found } = await circles([dir]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(/floor\.mjs.*upstairs\.mjs|upstairs\.mjs.*floor\.mjs/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('gives every folder of electron/host/ its floor in the lint rules (eslint.config.js)', async () => {
  const { HOST_FLOORS } = (await import(pathToFileURL(path.resolve('eslint.config.js')).href)) as {
    HOST_FLOORS: Record<string, string[]>;
  };
  const folders = fs
    .readdirSync('electron/host', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  expect(Object.keys(HOST_FLOORS).sort()).toEqual(folders.sort());
  for (const allowed of Object.values(HOST_FLOORS)) for (const name of allowed) expect(folders).toContain(name);
});
