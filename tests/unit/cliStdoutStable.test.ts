/**
 * Scripts parse these four commands' stdout, so a refactor must leave it byte for byte as it was. The files in
 * tests/golden/cli/ are the stdout of `sift sample` + each command at 401eb86 (before issue 23's restructuring),
 * captured with: SIFT_HOME=$(mktemp -d) node bin/sift.mjs sample --workspace WS; node bin/sift.mjs CMD --workspace WS.
 * A deliberate change to an output's shape (adding a key) updates the file in the same commit, saying why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { siftOk } from './cliFixture';
import { tempDir } from './support';

let workspace: string;
beforeAll(async () => {
  workspace = path.join(tempDir('sift-stdout-'), 'ws');
  await siftOk('sample', '--kind', 'platform', '--workspace', workspace);
}, 120_000);

describe('the stdout scripts read', () => {
  it.each([
    ['tables', ['tables', '--json']],
    ['eval', ['eval', '--model', 'text-distil', '--json']],
    ['agreement', ['agreement', '--json']],
    ['spike', ['spike', '--json']],
  ])(
    'sift %s is byte-identical to the golden file',
    async (name, args) => {
      const { stdout } = await siftOk(...args, '--workspace', workspace);
      expect(stdout).toBe(fs.readFileSync(path.join('tests', 'golden', 'cli', `${name}.out`), 'utf8'));
    },
    120_000,
  );
});
