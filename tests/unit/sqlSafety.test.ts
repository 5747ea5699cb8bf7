/**
 * A corpus of hostile SQL, run as an attacker would: through Electron IPC (a stand-in ipcMain), browser-mode HTTP
 * (a real server, confined file access) and the CLI (its real `main`, and a sample as real child processes),
 * each read-only and with writes allowed. None may change Sift's data, the user's tables (read-only), or write a
 * file; every refusal says why.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cliMain } from '../../electron/cli';
import { Host } from '../../electron/host/host';
import { type IpcMainLike, wireIpc } from '../../electron/ipcWiring';
import { type RunningServer, startServer } from '../../electron/server';
import { type CallOutcome, ipcChannel } from '../../shared/contract';
import { postJson, tempDir } from './support';

const exec = promisify(execFile);
let workspaceDir: string;
/** A folder outside the workspace; the corpus aims file writes at it. */
let outside: string;

/** The statements. `WS` and `OUT` stand for the workspace folder and the folder outside it. */
const CORPUS = [
  // EXPLAIN ANALYZE executes what it explains
  'EXPLAIN ANALYZE DELETE FROM label_events',
  'EXPLAIN ANALYZE DROP TABLE items',
  "EXPLAIN ANALYZE UPDATE items SET name = 'x'",
  "EXPLAIN ANALYZE INSERT INTO items VALUES (9, 'z', 0)",
  'EXPLAIN ANALYZE ALTER TABLE items ADD COLUMN hacked INT',
  'EXPLAIN ANALYZE CREATE MACRO m(a) AS a',
  'EXPLAIN ANALYZE SET threads = 1',
  'EXPLAIN ANALYZE LOAD json',
  "EXPLAIN ANALYZE COPY items TO 'OUT/explained.csv'",
  'EXPLAIN DELETE FROM items',
  'explain   analyze delete from label_events',
  // Sift's labels, directly
  'DELETE FROM label_events',
  'TRUNCATE label_events',
  "UPDATE label_events SET value = '1'",
  "INSERT INTO label_events (event_id) VALUES ('forged')",
  "INSERT OR REPLACE INTO label_events (event_id) VALUES ('forged')",
  'DROP TABLE label_events',
  'DROP VIEW label_events',
  'DROP VIEW temp.label_events',
  'ALTER VIEW label_events RENAME TO gone',
  'CREATE OR REPLACE TEMP VIEW label_events AS SELECT 1 AS forged',
  'CREATE TABLE label_events AS SELECT 1 AS forged',
  'CREATE SCHEMA sift_fake; CREATE TABLE sift_fake.label_sessions (x INT)',
  'CREATE VIEW dataset_versions AS SELECT 1 AS x',
  // the current labels derived from them
  'DROP VIEW current_labels',
  "CREATE OR REPLACE TEMP VIEW current_labels AS SELECT 'c1' AS content_id, 'spam' AS category, '1' AS value",
  'CREATE TABLE current_labels AS SELECT 1 AS forged',
  "DELETE FROM current_labels WHERE value = '1'",
  // the feature view models read (forged features would change every score)
  'CREATE TABLE content_features AS SELECT 1 AS forged',
  'DROP VIEW content_features',
  'ALTER VIEW content_features RENAME TO features_gone',
  'CREATE OR REPLACE TEMP VIEW content_features AS SELECT 1 AS content_id, 0 AS prior_violations_30d',
  'CREATE VIEW main.content_features AS SELECT 1 AS forged',
  "MERGE INTO label_events USING (SELECT 'x' AS event_id) s ON (label_events.event_id = s.event_id) WHEN MATCHED THEN DELETE",
  // text the old lexical guard read differently from DuckDB
  'DELETE FROM items --\r; DELETE FROM label_events',
  `SELECT "a'b" FROM (SELECT 1 AS "a'b"); DELETE FROM label_events; -- '`,
  'SELECT $$ ; $$; DELETE FROM label_events',
  "SELECT E'\\''; DELETE FROM label_events; -- '",
  'SELECT 1 /* /* */ ; DELETE FROM label_events; */',
  'SELECT 1; DELETE FROM label_events',
  // look-alikes (Cyrillic е, full-width l)
  'DELETE FROM label_evеnts',
  'DROP TABLE ｌabel_events',
  // side effects inside a SELECT
  "SELECT * FROM enable_logging(storage = 'file', storage_path = 'OUT/logs')",
  "CALL enable_logging(storage = 'file', storage_path = 'OUT/logs2')",
  "SELECT * FROM enable_profiling(save_location = 'WS/workspace.duckdb')",
  'SELECT * FROM disable_logging()',
  'SELECT * FROM force_checkpoint()',
  'SELECT * FROM checkpoint()',
  "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
  "SELECT nextval('item_ids')",
  "SELECT setval('item_ids', 100)",
  'SELECT setseed(0.5)',
  "SELECT write_log('x')",
  'SELECT * FROM duckdb_secrets()',
  "SELECT * FROM query('DELETE FROM items')",
  "SUMMARIZE SELECT * FROM enable_logging(storage = 'file', storage_path = 'OUT/logs3')",
  'WITH gone AS (DELETE FROM items RETURNING *) SELECT * FROM gone',
  // files
  "COPY items TO 'WS/workspace.duckdb'",
  "COPY (SELECT 1) TO 'OUT/copied.csv'",
  "COPY items FROM 'OUT/missing.csv'",
  "EXPORT DATABASE 'OUT/exported'",
  "ATTACH 'OUT/other.duckdb' AS other",
  "ATTACH ':memory:' AS scratch",
  'DETACH DATABASE IF EXISTS workspace',
  // engine state
  'INSTALL httpfs',
  'LOAD httpfs',
  "LOAD 'OUT/evil.duckdb_extension'",
  'UPDATE EXTENSIONS',
  'SET enable_external_access = true',
  "SET allowed_directories = ['/']",
  'RESET lock_configuration',
  'SET GLOBAL threads = 1',
  'USE memory',
  'CHECKPOINT',
  'FORCE CHECKPOINT',
  'VACUUM',
  'ANALYZE',
  'BEGIN TRANSACTION',
  'COMMIT',
  'ROLLBACK',
  'PREPARE p AS DELETE FROM items',
  'EXECUTE p',
  'PRAGMA enable_profiling',
  "PRAGMA profile_output = 'OUT/profile.txt'",
  'PRAGMA threads = 1',
  'CALL pragma_version()',
  "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
  'PIVOT items ON name USING sum(score)',
  // hidden behind a view or a macro made first (writes on) and used later
  "CREATE VIEW hidden AS SELECT * FROM enable_profiling(save_location = 'OUT/hidden.json'); SELECT * FROM hidden",
  "CREATE MACRO hidden_logs() AS TABLE SELECT * FROM enable_logging(storage = 'file', storage_path = 'OUT/macro'); SELECT * FROM hidden_logs()",
  "CREATE TABLE copied AS SELECT * FROM enable_profiling(save_location = 'OUT/ctas.json')",
  "INSERT INTO items SELECT 1, 'a', 0 FROM enable_logging(storage = 'file', storage_path = 'OUT/insert')",
  // a script whose first statements are allowed and a later one is not: all of it is refused, none of it stays
  'CREATE VIEW v AS SELECT 1; DROP TABLE label_events',
  "CREATE TABLE kept AS SELECT 1 AS x; INSERT INTO items VALUES (99, 'planted', 0); DELETE FROM label_events",
  "UPDATE items SET name = 'changed'; SELECT 1; COPY items TO 'OUT/copied2.csv'",
  'SELECT 1; CREATE VIEW v2 AS SELECT 1; SELECT * FROM missing_table',
  // a host-crashing input
  `SELECT json_structure('${'['.repeat(100_000)}')`,
] as const;

const expand = (sql: string) => sql.replaceAll('WS', workspaceDir).replaceAll('OUT', outside);

async function fingerprint(host: Host): Promise<string> {
  const store = await host.workspace.withStore(async (conn) =>
    JSON.stringify(
      (
        await conn.runAndReadAll(`
        SELECT (SELECT count(*) || ':' || coalesce(sum(hash(event_id, value, kind)), 0) FROM label_events),
               (SELECT count(*) || ':' || coalesce(sum(hash(name, sql)), 0) FROM reports),
               (SELECT count(*) FROM imports)`)
      ).getRowsJson(),
    ),
  );
  const items = await host.workspace.withConnection(async (conn) =>
    JSON.stringify(
      (
        await conn.runAndReadAll(
          `SELECT count(*), sum(hash(id, name, score)), (SELECT sum(hash(content_id, posting_rate)) FROM content_features) FROM items`,
        )
      ).getRowsJson(),
    ),
  );
  // The user's catalog too: a statement that ran before a refused one of its script would leave an object here.
  const catalog = await host.workspace.withConnection(async (conn) =>
    JSON.stringify(
      (
        await conn.runAndReadAll(`
        SELECT list(kind || ':' || name ORDER BY kind, name) FROM (
          SELECT 'table' AS kind, table_name AS name FROM duckdb_tables() WHERE NOT temporary
          UNION ALL SELECT 'view', view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary
          UNION ALL SELECT 'function', function_name FROM duckdb_functions() WHERE NOT internal AND database_name = current_database()
          UNION ALL SELECT 'sequence', sequence_name FROM duckdb_sequences() WHERE NOT temporary
          UNION ALL SELECT 'schema', schema_name FROM duckdb_schemas() WHERE NOT internal AND database_name = current_database())`)
      ).getRowsJson(),
    ),
  );
  const snapshot = createHash('sha256').update(fs.readFileSync(host.workspace.labelSnapshotPath())).digest('hex');
  return `${store} ${items} ${catalog} ${snapshot}`;
}

/** Every file and folder under `dir` (but the engine's scratch folder), so a write anywhere shows. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '.tmp') continue;
        found.push(`${path.relative(dir, file)}/`);
        walk(file);
      } else if (!/\.wal$/.test(entry.name)) found.push(path.relative(dir, file));
    }
  };
  walk(dir);
  return found.sort();
}

async function seedWorkspace(): Promise<void> {
  const host = await Host.open(workspaceDir, { create: true, remember: false });
  await host.workspace.withConnection((conn) =>
    conn.run(`CREATE TABLE items AS SELECT range::INT AS id, 'item ' || range AS name, range / 10.0 AS score FROM range(10); CREATE SEQUENCE item_ids;
      CREATE TABLE content AS SELECT 'c' || range AS content_id, 'u1' AS user_id, TIMESTAMP '2024-03-01' + range * INTERVAL 1 HOUR AS created_at, 'hi' AS text FROM range(5);
      CREATE TABLE users AS SELECT 'u1' AS user_id, TIMESTAMP '2024-01-01' AS created_at`),
  );
  await host.workspace.withStore((conn) =>
    conn.run(
      `INSERT INTO label_events (event_id, session_id, content_id, annotator_id, category, value, policy_version, kind, created_at) SELECT 'e' || range, 's1', 'c' || range, 'ann', 'spam', (range % 2)::VARCHAR, 'v1', 'label', TIMESTAMP '2024-01-01' FROM range(25)`,
    ),
  );
  await host.workspace.refreshLabelSnapshot();
  await host.reports.save({ name: 'kept', sql: 'SELECT 1' });
  await host.close();
}

/** Runs the whole corpus through one transport; returns, per statement, the outcome. */
async function runCorpus(run: (sql: string) => Promise<CallOutcome>): Promise<{ sql: string; outcome: CallOutcome }[]> {
  const outcomes = [];
  for (const sql of CORPUS) outcomes.push({ sql, outcome: await run(expand(sql)) });
  return outcomes;
}

function expectAllRefused(outcomes: { sql: string; outcome: CallOutcome }[]): void {
  for (const { sql, outcome } of outcomes) {
    expect(outcome.ok, sql).toBe(false);
    if (!outcome.ok) expect(outcome.error.message.trim().length, sql).toBeGreaterThan(10);
  }
}

beforeAll(async () => {
  workspaceDir = path.join(tempDir('sift-hostile-'), 'ws');
  outside = tempDir('sift-hostile-out-');
  await seedWorkspace();
}, 60_000);

describe('hostile SQL', () => {
  it('has at least sixty statements', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  for (const allowWrites of [false, true]) {
    describe(allowWrites ? 'with writes allowed' : 'read-only', () => {
      let host: Host;
      let server: RunningServer;
      let before: string;
      let filesBefore: string[];
      const ipcHandlers = new Map<string, (event: { sender: { id: number } }, ...args: unknown[]) => unknown>();
      beforeAll(async () => {
        host = await Host.open(workspaceDir, { remember: false, fileAccess: { kind: 'confined', folders: [] } });
        host.workspace.writeSettings({ allowWrites });
        const ipcMain: IpcMainLike = {
          handle: (channel, listener) => void ipcHandlers.set(channel, listener),
          removeHandler: (channel) => void ipcHandlers.delete(channel),
        };
        wireIpc(ipcMain, host, { id: 1, send: () => undefined, isDestroyed: () => false });
        server = await startServer({ host, staticDir: tempDir() });
        before = await fingerprint(host);
        filesBefore = filesUnder(workspaceDir);
      });
      afterAll(async () => {
        await server.close();
        await host.close();
      });

      it('through Electron IPC: every statement is refused with a reason, and nothing changes', async () => {
        const handler = ipcHandlers.get(ipcChannel('query.run'))!;
        const outcomes = await runCorpus(
          async (sql) => (await handler({ sender: { id: 1 } }, { queryId: crypto.randomUUID(), sql })) as CallOutcome,
        );
        expectAllRefused(outcomes);
        expect(await fingerprint(host)).toBe(before);
        expect(filesUnder(outside)).toEqual([]);
        expect(filesUnder(workspaceDir)).toEqual(filesBefore);
      });

      it('through HTTP, and reports.run (always read-only) the same', async () => {
        const post = (method: string, body: unknown) => postJson(server, method, body);
        expectAllRefused(await runCorpus((sql) => post('query.run', { queryId: crypto.randomUUID(), sql })));
        expectAllRefused(
          await runCorpus((sql) => post('reports.run', { queryId: crypto.randomUUID(), sql, values: {} })),
        );
        // Explain checks as a run does and executes nothing: a write that only the after-the-fact catalog check
        // would undo gets its plan shown, and still changes nothing.
        for (const { sql, outcome } of await runCorpus((sql) => post('query.explain', { sql }))) {
          if (!outcome.ok) expect(outcome.error.message.trim().length, sql).toBeGreaterThan(10);
        }
        // The server is still up and answers.
        expect(await post('workspace.info', {})).toMatchObject({ ok: true });
        expect(await fingerprint(host)).toBe(before);
        expect(filesUnder(outside)).toEqual([]);
        expect(filesUnder(workspaceDir)).toEqual(filesBefore);
      });

      it("leaves ordinary work working: reads, and (when allowed) writes to the user's tables", async () => {
        const run = (sql: string) => host.dispatch('query.run', { queryId: crypto.randomUUID(), sql });
        expect(await run('SELECT count(*) AS labels FROM label_events')).toMatchObject({
          ok: true,
          value: { rows: [['25']] },
        });
        expect(
          await run("SELECT count(*) FROM read_parquet('" + host.workspace.labelSnapshotPath() + "')"),
        ).toMatchObject({ ok: true });
        expect(await run('SELECT * FROM items ORDER BY id LIMIT 3')).toMatchObject({
          ok: true,
          value: { rowCount: 3 },
        });
        expect(await run('DESCRIBE items')).toMatchObject({ ok: true });
        expect(await run('SHOW TABLES')).toMatchObject({ ok: true });
        expect(await run('SUMMARIZE items')).toMatchObject({ ok: true });
        expect(await run("SELECT * FROM pragma_table_info('items')")).toMatchObject({ ok: true });
        expect(await run("PIVOT items ON name IN ('item 1', 'item 2') USING sum(score)")).toMatchObject({ ok: true });
        expect(await run("SELECT json_structure('[[1]]') AS shape")).toMatchObject({ ok: true });
        // Confined (browser mode): a file outside the workspace cannot be read.
        const outsideRead = await run("SELECT * FROM read_csv('/etc/hostname')");
        expect(outsideRead).toMatchObject({
          ok: false,
          error: { message: expect.stringMatching(/file system operations are disabled|Permission/) },
        });
        const write = await run('CREATE TABLE scratch AS SELECT 1 AS x');
        if (allowWrites) {
          expect(write).toMatchObject({ ok: true });
          expect(await run('DROP TABLE scratch')).toMatchObject({ ok: true });
          // A script's statements may build on each other (each is checked after the ones before it ran, uncommitted).
          expect(
            await run(
              'CREATE TABLE scratch AS SELECT 1 AS x; INSERT INTO scratch VALUES (2); SELECT sum(x) AS total FROM scratch',
            ),
          ).toMatchObject({ ok: true, value: { rows: [['3']], statementCount: 3 } });
          expect(await run('INSERT INTO scratch VALUES (3); DROP TABLE scratch')).toMatchObject({ ok: true });
          // A statement that fails when run, not when checked, undoes the script's earlier ones as well.
          expect(await run("CREATE TABLE scratch AS SELECT 1 AS x; SELECT 'a'::INT")).toMatchObject({
            ok: false,
            error: { message: expect.stringContaining('Conversion') },
          });
          expect(await run('SELECT * FROM scratch')).toMatchObject({
            ok: false,
            error: { message: expect.stringContaining('scratch') },
          });
        } else {
          expect(write).toMatchObject({
            ok: false,
            error: { code: 'SQL_READ_ONLY', message: expect.stringContaining('Allow writes') },
          });
        }
      });
    });
  }
});

describe('hostile SQL through the CLI', () => {
  it('refuses every statement, read-only and with --allow-writes, and exits 1 with a message', async () => {
    const host = await Host.open(workspaceDir, { remember: false });
    const before = await fingerprint(host);
    await host.close();
    const filesBefore = filesUnder(workspaceDir);
    const errors: string[] = [];
    const originalError = console.error;
    const originalLog = console.log;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    console.log = () => undefined;
    try {
      for (const flags of [[], ['--allow-writes']]) {
        for (const sql of CORPUS) {
          errors.length = 0;
          const code = await cliMain(['query', '--sql', expand(sql), '--workspace', workspaceDir, ...flags]);
          expect(code, sql).toBe(1);
          expect(errors.join('\n'), sql).toMatch(/^sift: .{10,}/);
        }
      }
    } finally {
      console.error = originalError;
      console.log = originalLog;
    }
    const after = await Host.open(workspaceDir, { remember: false });
    expect(await fingerprint(after)).toBe(before);
    await after.close();
    expect(filesUnder(outside)).toEqual([]);
    expect(filesUnder(workspaceDir)).toEqual(filesBefore);
    // ~60 workspace opens in a row: near two minutes on a loaded 2-core machine.
  }, 300_000);

  it('as separate processes, for a sample of the corpus', async () => {
    const sample = [
      0,
      11,
      26,
      35,
      49,
      CORPUS.indexOf('CREATE VIEW v AS SELECT 1; DROP TABLE label_events'),
      CORPUS.length - 1,
    ].map((index) => CORPUS[index]!);
    for (const sql of sample) {
      const failed = await exec(
        'node',
        ['bin/sift.mjs', 'query', '--sql', expand(sql), '--allow-writes', '--workspace', workspaceDir],
        { env: { ...process.env } },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed.code, sql).toBe(1);
      expect(failed.stderr, sql).toMatch(/^sift: .{10,}/);
    }
    expect(filesUnder(outside)).toEqual([]);
  }, 60_000);
});
