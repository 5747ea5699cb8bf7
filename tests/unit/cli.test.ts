/**
 * The `sift` command as scripts use it: real processes, real files, exit codes and stdout formats. Workspaces, samples
 * and the analysis commands; importing and querying are in cliImportQuery.test.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { home, sift } from './cliFixture';
import { tempDir, writeTemp } from './support';

let workspace: string;
let files: string;

beforeAll(async () => {
  workspace = path.join(tempDir('sift-cli-'), 'ws');
  files = tempDir('sift-cli-files-');
  const created = await sift('sample', '--kind', 'platform', '--workspace', workspace);
  expect(created.code).toBe(0);
}, 120_000);

describe('sift', () => {
  it('runs from a bundle that is plain ASCII (Node then reads it as one-byte text, without a UTF-8 decode of the whole file)', () => {
    // beforeAll ran `sift`, which built the bundle when a source was newer.
    const bundle = fs.readFileSync(path.join('dist', 'cli', 'sift.mjs'));
    const first = bundle.findIndex((byte) => byte > 0x7f);
    expect(first === -1 ? null : bundle.subarray(Math.max(0, first - 60), first + 20).toString('utf8')).toBeNull();
  });

  it('creates the sample workspace with its incidents file, and remembers it as the last one', async () => {
    expect(fs.existsSync(path.join(workspace, 'workspace.duckdb'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(workspace, 'incidents.json'), 'utf8'))).toContainEqual(
      expect.objectContaining({ kind: 'coordinated_link_spam' }),
    );
    const tables = await sift('tables', '--json'); // no --workspace: the last one used
    expect(tables.code).toBe(0);
    const names = (JSON.parse(tables.stdout) as { name: string }[]).map((t) => t.name);
    expect(names).toEqual([
      'appeals',
      'content',
      'content_features',
      'current_labels',
      'label_events',
      'model_scores',
      'moderation_actions',
      'reports',
      'users',
    ]);
    expect((await sift('sample', '--workspace', workspace)).code).toBe(1); // never overwrites a workspace
  });

  it('creates the Discourse sample, whose shipped reports run from the command line', async () => {
    const forum = path.join(tempDir('sift-cli-forum-'), 'forum');
    expect((await sift('sample', '--kind', 'discourse', '--workspace', forum)).code).toBe(0);
    const out = await sift(
      'query',
      '--file',
      'sample-data/reports/discourse/06-flags-by-type-user-vs-automated.sql',
      '--format',
      'json',
      '--workspace',
      forum,
    );
    const rows = JSON.parse(out.stdout) as { flag_type: string; automated_flags: number }[];
    expect(rows.find((row) => row.flag_type === 'spam')!.automated_flags).toBeGreaterThan(0);
  });

  it('evaluates as a whole process and exits by itself once done (the compute pool it used is stopped)', async () => {
    // No clock: a process kept alive by an idle worker never exits, and this test then fails at its own timeout.
    const child = spawn(
      'node',
      ['bin/sift.mjs', 'eval', '--model', 'text-distil', '--version', '2024.03.0', '--json', '--workspace', workspace],
      {
        env: { ...process.env, SIFT_HOME: home },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    onTestFinished(() => void child.kill()); // a hung one must not outlive the test
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const result = JSON.parse(stdout) as {
      categories: Record<string, { n: number; tied: number }>;
      tied_items: number;
    };
    expect(result.categories.spam!.n).toBeGreaterThan(0);
    // The sample has tied votes: left out of the figures, and counted.
    expect(result.categories.spam!.tied).toBeGreaterThan(0);
    expect(result.tied_items).toBeGreaterThanOrEqual(result.categories.spam!.tied);
  }, 180_000);

  it('prints the marked spike windows as JSON', async () => {
    const out = await sift('spike', '--bucket', 'hour', '--json', '--workspace', workspace);
    expect(out.code).toBe(0);
    const windows = JSON.parse(out.stdout) as { start: string; end: string; series: string; z: number }[];
    expect(Object.keys(windows[0]!).sort()).toEqual(['end', 'series', 'start', 'z']);
    expect(windows[0]).toMatchObject({ series: 'spam', start: '2024-03-10T14:00:00.000Z' });
    expect((await sift('spike', '--bucket', 'week', '--workspace', workspace)).code).toBe(2);
  });

  it('explains usage mistakes with exit code 2', async () => {
    expect((await sift('query', '--workspace', workspace)).code).toBe(2);
    expect((await sift('query', '--sql', 'SELECT 1', '--format', 'xml', '--workspace', workspace)).stderr).toContain(
      '--format is table, csv, json or parquet',
    );
    expect((await sift('frobnicate')).stderr).toContain('Unknown command "frobnicate"');
  });

  it('prints agreement per category as JSON, flagging categories below the floor', async () => {
    const outcome = await sift('agreement', '--json', '--workspace', workspace);
    expect(outcome.code).toBe(0);
    const report = JSON.parse(outcome.stdout) as {
      floor: number;
      categories: Record<
        string,
        {
          items: number;
          raters: number;
          fleiss_kappa: number | null;
          krippendorff_alpha: number | null;
          cohen_kappa: { a: string; b: string; kappa: number | null }[];
          below_floor: boolean;
        }
      >;
    };
    expect(report.floor).toBe(0.6);
    expect(Object.keys(report.categories).sort()).toEqual(['hate_speech', 'misinformation', 'nsfw', 'spam']);
    for (const category of Object.values(report.categories)) {
      expect(category.raters).toBeGreaterThan(1);
      expect(category.krippendorff_alpha).toBeGreaterThan(0);
      expect(category.below_floor).toBe(category.krippendorff_alpha! < 0.6);
      expect(category.cohen_kappa.length).toBeGreaterThan(0);
    }
  });

  it('exports a dataset version, verifies it (exit 1 naming a changed file) and diffs two versions', async () => {
    const out = tempDir('sift-cli-datasets-');
    const exported = await sift('dataset', 'export', '--name', 'sample-labels', '--out', out, '--workspace', workspace);
    expect(exported.code).toBe(0);
    expect(exported.stdout.split('\n')[0]).toBe(path.join(out, 'sample-labels', 'v1'));
    const json = JSON.parse(
      (
        await sift(
          'dataset',
          'export',
          '--name',
          'sample-labels',
          '--out',
          out,
          '--format',
          'parquet,jsonl',
          '--json',
          '--workspace',
          workspace,
        )
      ).stdout,
    ) as { version: number; files: { path: string }[] };
    expect(json.version).toBe(2);
    expect(json.files.map((file) => file.path)).toContain('train.jsonl');
    expect((await sift('dataset', 'verify', path.join(out, 'sample-labels', 'v1'))).code).toBe(0);
    const diff = JSON.parse(
      (
        await sift(
          'dataset',
          'diff',
          path.join(out, 'sample-labels', 'v1'),
          path.join(out, 'sample-labels', 'v2'),
          '--json',
          '--workspace',
          workspace,
        )
      ).stdout,
    ) as { added: number; relabeled: number };
    expect(diff).toMatchObject({ added: 0, relabeled: 0 });
    fs.appendFileSync(path.join(out, 'sample-labels', 'v2', 'train.jsonl'), '\n');
    const tampered = await sift('dataset', 'verify', path.join(out, 'sample-labels', 'v2'));
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('train.jsonl:');
  });

  it('creates an empty workspace with init, and one for an import into a new folder, never over other files', async () => {
    const dir = path.join(tempDir('sift-init-'), 'mine');
    const init = await sift('init', '--workspace', dir);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`Created an empty workspace in ${dir}`);
    expect(fs.existsSync(path.join(dir, 'policy', 'taxonomy-v1.json'))).toBe(true);
    const tables = JSON.parse((await sift('tables', '--json', '--workspace', dir)).stdout) as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(['current_labels', 'label_events']);
    expect((await sift('init', '--workspace', dir)).stderr).toContain('already holds a Sift workspace');
    const occupied = tempDir('sift-occupied-');
    writeTemp(occupied, 'notes.txt', 'mine');
    const refused = await sift('init', '--workspace', occupied);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not empty');
    const target = path.join(tempDir('sift-import-new-'), 'fresh');
    const csv = writeTemp(files, 'own.csv', 'id,text\np1,hello\n');
    const imported = await sift('import', '--workspace', target, csv);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain(`created an empty workspace in ${target}`);
    expect(imported.stdout).toMatch(/Imported 1 rows .* into own/);
    const again = await sift('import', '--workspace', target, csv, '--table', 'own_again');
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('created');
    const ragged = writeTemp(files, 'ragged_own.csv', 'id,text\np1,hello\np2\n');
    expect((await sift('import', '--workspace', target, ragged)).stderr).toContain(
      'ragged_own.csv line 3: row has 1 fields, expected 2',
    );
    const skipped = await sift('import', '--workspace', target, ragged, '--skip-bad-rows');
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(
      /Imported 1 rows .* into ragged_own .*; 1 bad rows set aside in ragged_own__rejects \(line, raw, reason\)/,
    );
    const other = await sift('import', '--workspace', occupied, csv);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('holds other files');
    expect(fs.readdirSync(occupied)).toEqual(['notes.txt']);
  });
});
