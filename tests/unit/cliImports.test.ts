/**
 * The CLI reaches features only through Host.dispatch, where every input is validated and the caller's access
 * applied: eslint.config.js refuses any import of electron/host/ from the CLI's files except host.ts and
 * outsideWorkspace.ts. `npm test` lints every file; this checks the rule itself, with planted imports.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** The restricted-import findings for `source` as if it were the file at `file`. */
async function refusals(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe("the CLI's imports", () => {
  it('refuse a feature module, wherever the CLI file is', async () => {
    for (const [file, source] of [
      ['electron/cli/planted.ts', "import { scoreQuery } from '../host/models/scoring.js';\nexport { scoreQuery };\n"],
      ['electron/cli/planted.ts', "import type { JobContext } from '../host/jobs.js';\nexport type { JobContext };\n"],
      ['electron/cli.ts', "import { readAppState } from './host/workspace/appState.js';\nexport { readAppState };\n"],
      ['electron/cliCommands.ts', "export { exportRelation } from './host/query/exporter.js';\n"],
    ] as const) {
      const found = await refusals(file, source);
      expect(found, `${file}: ${source}`).toHaveLength(1);
      expect(found[0]).toContain('Host.dispatch');
    }
  });

  it('allow the host, what is done outside a workspace, the engine client, shared/ and their own files', async () => {
    const source = [
      "import { Host } from '../host/host.js';",
      "import { lastWorkspace } from '../host/outsideWorkspace.js';",
      "import { EngineClient } from '../engine/engineClient.js';",
      "import { SiftError } from '../../shared/errors.js';",
      "import { formatTable } from './hostCalls.js';",
      'export { Host, lastWorkspace, EngineClient, SiftError, formatTable };',
      '',
    ].join('\n');
    expect(await refusals('electron/cli/planted.ts', source)).toEqual([]);
  });
});
