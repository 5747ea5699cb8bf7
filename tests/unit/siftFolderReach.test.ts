/**
 * Sift's own folder (`.sift/`: the store, the label journal, the annotators' token hashes) is out of SQL's reach in
 * every mode — the CLI (reads anywhere else), browser mode (the workspace and --folder) and the desktop app (the
 * home folder, here a folder holding the workspace) — by DuckDB's allow-lists, never by reading the SQL's text.
 * SQL still reads the label snapshot through its views, and every file of the user's anywhere it could before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { type RunningServer, startServer } from '../../electron/server';
import type { CallOutcome } from '../../shared/contract';
import { runSift, siftOk } from './cliFixture';
import { postJson, tempDir } from './support';

/** Stands for the desktop user's home folder: it holds the workspace. */
let desktopHome: string;
let ws: string;
let outsideFile: string;

/** Reads of Sift's own files, every way round that names them. `WS` is the workspace folder. */
const HOSTILE = [
  "SELECT size FROM read_blob('WS/.sift/store.duckdb')",
  "SELECT content FROM read_text('WS/.sift/labels.journal')",
  "SELECT content FROM read_text('WS/.sift/annotators.json')",
  "SELECT * FROM read_blob('WS/.sift/*')",
  "SELECT * FROM glob('WS/.sift/*')",
  "SELECT size FROM read_blob('WS/uploads/../.sift/store.duckdb')",
  "SELECT size FROM read_blob('WS/./.sift/store.duckdb')",
  "SELECT size FROM read_blob('WS/.sift/../.sift/store.duckdb')",
  "SELECT size FROM read_blob('WS/sift-link/store.duckdb')",
  "SELECT size FROM read_blob('WS/ws-link/.sift/store.duckdb')",
  "SELECT size FROM read_blob('/proc/self/cwd/.sift/store.duckdb')",
  "SELECT size FROM read_blob('/proc/self/root' || 'WS/.sift/store.duckdb')",
  "SELECT size FROM read_blob('/proc/self/fd/*')",
  "SELECT size FROM read_blob('/dev/fd/*')",
  "SELECT * FROM read_csv('WS/.sift/label_events.parquet.123.partial')",
  "SELECT count(*) FROM read_parquet('WS/.sift/store.duckdb')",
];
const expand = (sql: string) => sql.replaceAll('WS', ws);

beforeAll(async () => {
  desktopHome = tempDir('sift-reach-desktop-');
  ws = path.join(desktopHome, 'ws');
  const created = await siftOk('init', '--workspace', ws);
  expect(created.stderr).toBe('');
  fs.writeFileSync(path.join(ws, '.sift', 'annotators.json'), '{"tokens":[]}');
  fs.writeFileSync(path.join(ws, 'mine.csv'), 'id\n1\n2\n');
  fs.mkdirSync(path.join(ws, 'data'));
  // Links a careless hand could leave: to Sift's folder, and to the workspace itself.
  fs.symlinkSync(path.join(ws, '.sift'), path.join(ws, 'sift-link'));
  fs.symlinkSync(ws, path.join(ws, 'ws-link'));
  outsideFile = path.join(tempDir('sift-reach-outside-'), 'elsewhere.csv');
  fs.writeFileSync(outsideFile, 'id\n7\n');
}, 60_000);

function expectRefused(sql: string, outcome: CallOutcome): void {
  expect(outcome.ok, sql).toBe(false);
  if (!outcome.ok)
    expect(outcome.error.message, sql).toMatch(
      /Permission Error|file system operations are disabled|No files found|does not exist/,
    );
}

describe('the CLI', () => {
  // Run from inside the workspace, so relative paths (and /proc/self/cwd) start there.
  const sift = (...args: string[]) => runSift(args, { cwd: ws });

  it("cannot read Sift's folder, however the path is spelled", async () => {
    for (const sql of HOSTILE) {
      const out = await sift('query', '--workspace', ws, '--sql', expand(sql));
      expect(out.code, sql).toBe(1);
      expect(out.stderr, sql).toMatch(/^sift: /);
    }
  }, 120_000);

  it('reads the labels, the workspace and files anywhere else, by absolute or relative path, and imports them linked', async () => {
    expect(
      await sift('query', '--workspace', ws, '--format', 'csv', '--sql', 'SELECT count(*) AS n FROM label_events'),
    ).toMatchObject({ code: 0, stdout: 'n\n0\n' });
    expect(
      await sift(
        'query',
        '--workspace',
        ws,
        '--format',
        'csv',
        '--sql',
        `SELECT sum(id) AS s FROM read_csv('${ws}/mine.csv')`,
      ),
    ).toMatchObject({ code: 0, stdout: 's\n3\n' });
    expect(
      await sift('query', '--workspace', ws, '--format', 'csv', '--sql', "SELECT sum(id) AS s FROM 'mine.csv'"),
    ).toMatchObject({ code: 0, stdout: 's\n3\n' });
    expect(
      await sift(
        'query',
        '--workspace',
        ws,
        '--format',
        'csv',
        '--sql',
        `SELECT sum(id) AS s FROM read_csv('${outsideFile}')`,
      ),
    ).toMatchObject({ code: 0, stdout: 's\n7\n' });
    expect(
      await sift(
        'query',
        '--workspace',
        ws,
        '--format',
        'csv',
        '--sql',
        "SELECT count(*) > 0 AS readable FROM read_text('/etc/hostname')",
      ),
    ).toMatchObject({ code: 0, stdout: 'readable\ntrue\n' });
    expect(await sift('import', outsideFile, '--link', '--table', 'elsewhere', '--workspace', ws)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('(linked)'),
    });
    expect(
      await sift('query', '--workspace', ws, '--format', 'csv', '--sql', 'SELECT id FROM elsewhere'),
    ).toMatchObject({ code: 0, stdout: 'id\n7\n' });
  }, 120_000);
});

for (const mode of ['browser', 'desktop'] as const) {
  describe(
    mode === 'browser'
      ? 'browser mode (the workspace and --folder)'
      : 'the desktop app (the home folder holds the workspace)',
    () => {
      let host: Host;
      let server: RunningServer;
      beforeAll(async () => {
        const folders = mode === 'browser' ? [path.dirname(outsideFile)] : [desktopHome];
        host = await Host.open(ws, { remember: false, fileAccess: { kind: 'confined', folders } });
        server = await startServer({ host, staticDir: tempDir() });
      });
      afterAll(async () => {
        await server.close();
        await host.close();
      });
      const run = (sql: string) => postJson(server, 'query.run', { queryId: crypto.randomUUID(), sql });

      it("cannot read Sift's folder", async () => {
        for (const sql of HOSTILE) expectRefused(sql, await run(expand(sql)));
      });

      it('reads the labels, the workspace, a folder made after it opened, and its own folders', async () => {
        expect(await run('SELECT count(*) FROM label_events')).toMatchObject({ ok: true, value: { rows: [['0']] } });
        expect(await run(`SELECT sum(id) FROM read_csv('${ws}/mine.csv')`)).toMatchObject({
          ok: true,
          value: { rows: [['3']] },
        });
        fs.writeFileSync(path.join(ws, 'data', 'later.csv'), 'id\n5\n');
        expect(await run(`SELECT sum(id) FROM read_csv('${ws}/data/*.csv')`)).toMatchObject({
          ok: true,
          value: { rows: [['5']] },
        });
        fs.mkdirSync(path.join(ws, 'uploads', 'u1'), { recursive: true });
        fs.writeFileSync(path.join(ws, 'uploads', 'u1', 'up.csv'), 'id\n9\n');
        expect(await run(`SELECT sum(id) FROM read_csv('${ws}/uploads/u1/up.csv')`)).toMatchObject({
          ok: true,
          value: { rows: [['9']] },
        });
        // A file dropped straight into the workspace's folder (listed entry by entry) after it opened: the data engine
        // opens again with the new entry at the next moment it is idle, Sift's folder still out of reach.
        fs.writeFileSync(path.join(ws, `dropped-${mode}.csv`), 'id\n11\n');
        expect(await run(`SELECT sum(id) FROM read_csv('${ws}/dropped-${mode}.csv')`)).toMatchObject({
          ok: true,
          value: { rows: [['11']] },
        });
        expectRefused(HOSTILE[0]!, await run(expand(HOSTILE[0]!)));
        expect(await run(`SELECT sum(id) FROM read_csv('${outsideFile}')`)).toMatchObject(
          mode === 'browser' ? { ok: true, value: { rows: [['7']] } } : { ok: false },
        );
      });
    },
  );
}
