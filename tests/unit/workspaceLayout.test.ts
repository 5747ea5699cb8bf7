/** Workspaces made before Sift's data moved to its own store open with their reports, bookkeeping and labels intact. */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';

import { sift } from './cliFixture';
import { call, importedRows, tempDir } from './support';

describe('a workspace in the single-database layout', () => {
  it('moves the sift schema and label_events into the store once, and SQL still reads the labels', async () => {
    const dir = path.join(tempDir('sift-old-'), 'ws');
    fs.mkdirSync(dir, { recursive: true });
    // The layout as the previous release wrote it.
    const old = await DuckDBInstance.create(path.join(dir, 'workspace.duckdb'));
    const conn = await old.connect();
    await conn.run(`
      CREATE SCHEMA sift;
      CREATE TABLE sift.imports (table_name VARCHAR PRIMARY KEY, path VARCHAR, format VARCHAR, linked BOOLEAN, rows BIGINT, imported_at TIMESTAMP);
      CREATE TABLE sift.column_mappings (source_table VARCHAR, canonical_table VARCHAR PRIMARY KEY, columns_json VARCHAR, saved_at TIMESTAMP);
      CREATE SEQUENCE sift.report_ids;
      CREATE TABLE sift.reports (id INTEGER PRIMARY KEY DEFAULT nextval('sift.report_ids'), name VARCHAR NOT NULL, description VARCHAR,
        folder VARCHAR, sql VARCHAR NOT NULL, last_values_json VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP);
      CREATE TABLE label_events (event_id VARCHAR, session_id VARCHAR, content_id VARCHAR, annotator_id VARCHAR, category VARCHAR,
        value VARCHAR, policy_version VARCHAR, kind VARCHAR, created_at TIMESTAMP);
      CREATE TABLE items AS SELECT 1 AS id;
      INSERT INTO sift.imports VALUES ('items', '/data/items.csv', 'csv', false, 1, TIMESTAMP '2026-01-01');
      INSERT INTO sift.reports (name, description, folder, sql, created_at, updated_at) VALUES ('old report', '', 'Mine', 'SELECT 1', now(), now()), ('second', '', 'Mine', 'SELECT 2', now(), now());
      INSERT INTO label_events SELECT 'e' || range, 's', 'c' || range, 'a', 'spam', '1', 'v1', 'label', TIMESTAMP '2026-01-01' FROM range(7);`);
    conn.closeSync();
    old.closeSync();

    const host = await Host.open(dir, { remember: false });
    try {
      const reports = await call(host, 'reports.list', {});
      expect(reports.map((report) => report.name).sort()).toEqual(['old report', 'second']);
      const saved = await call(host, 'reports.save', { name: 'new', sql: 'SELECT 3' });
      expect(saved.id).toBe(Math.max(...reports.map((report) => report.id)) + 1);
      expect(await call(host, 'query.run', { queryId: 'm', sql: 'SELECT count(*) FROM label_events' })).toMatchObject({
        rows: [['7']],
      });
      const tables = await call(host, 'tables.list', {});
      expect(tables.find((table) => table.name === 'items')?.source?.path).toBe('/data/items.csv');
      expect(tables.find((table) => table.name === 'label_events')).toMatchObject({ protected: true });
      const leftover = await host.workspace.withConnection(
        async (c) =>
          (
            await c.runAndReadAll(
              `SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() AND (table_schema = 'sift' OR table_name = 'label_events')`,
            )
          ).getRowsJson()[0]![0],
      );
      expect(Number(leftover)).toBe(0);
    } finally {
      await host.close();
    }
    // Moved once: tables made later under the old names, by anyone, are never read as Sift's.
    const planted = await DuckDBInstance.create(path.join(dir, 'workspace.duckdb'));
    const plant = await planted.connect();
    await plant.run(
      "CREATE SCHEMA sift; CREATE TABLE sift.reports AS SELECT 1 AS id, 'planted' AS name, 'SELECT 1' AS sql; CREATE TABLE label_events AS SELECT 'forged' AS event_id",
    );
    plant.closeSync();
    planted.closeSync();
    const reopened = await Host.open(dir, { remember: false });
    try {
      expect((await call(reopened, 'reports.list', {})).map((report) => report.name).sort()).toEqual([
        'new',
        'old report',
        'second',
      ]);
      expect(
        await call(reopened, 'query.run', { queryId: 'n', sql: 'SELECT count(*) FROM label_events' }),
      ).toMatchObject({ rows: [['7']] });
    } finally {
      await reopened.close();
    }
  });

  it('a move killed after its copy was committed finishes by dropping the old copies, reading nothing from them', async () => {
    const dir = path.join(tempDir('sift-old-killed-'), 'ws');
    await (await Host.open(dir, { create: true, remember: false })).close();
    const store = await DuckDBInstance.create(path.join(dir, '.sift', 'store.duckdb'));
    const storeConn = await store.connect();
    await storeConn.run(
      "INSERT INTO reports (id, name, sql) VALUES (1, 'copied', 'SELECT 1'); UPDATE store_layout SET value = 'legacy-copied'",
    );
    storeConn.closeSync();
    store.closeSync();
    // The old copies, still in the user's database when the kill came.
    const old = await DuckDBInstance.create(path.join(dir, 'workspace.duckdb'));
    const conn = await old.connect();
    await conn.run(
      "CREATE SCHEMA sift; CREATE TABLE sift.reports AS SELECT 1 AS id, 'old copy' AS name, 'SELECT 1' AS sql",
    );
    conn.closeSync();
    old.closeSync();
    const host = await Host.open(dir, { remember: false });
    try {
      expect((await call(host, 'reports.list', {})).map((report) => report.name)).toEqual(['copied']);
      const leftover = await host.workspace.withConnection(
        async (c) =>
          (
            await c.runAndReadAll(`SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'sift'`)
          ).getRowsJson()[0]![0],
      );
      expect(Number(leftover)).toBe(0);
      const layout = await host.workspace.withStore(async (c) =>
        (await c.runAndReadAll(`SELECT value FROM store_layout`)).getRowsJson(),
      );
      expect(layout).toEqual([['store']]);
    } finally {
      await host.close();
    }
  });
});

describe('a workspace from before labeling sessions', () => {
  it('gains the label_events columns it lacks when opened, and SQL sees them', async () => {
    const dir = path.join(tempDir('sift-pre-labeling-'), 'ws');
    (await Host.open(dir, { create: true, remember: false })).close();
    // Take the store back to the early label_events: without the leaf, note, undo and strategy columns.
    const store = await DuckDBInstance.create(path.join(dir, '.sift', 'store.duckdb'));
    const conn = await store.connect();
    for (const column of ['leaf', 'note', 'undoes', 'strategy'])
      await conn.run(`ALTER TABLE label_events DROP COLUMN ${column}`);
    await conn.run(
      `INSERT INTO label_events (event_id, session_id, content_id, annotator_id, category, value, policy_version, kind, created_at) VALUES ('e1', 's', 'c1', 'a', 'spam', '1', 'v1', 'label', TIMESTAMP '2026-01-01')`,
    );
    conn.closeSync();
    store.closeSync();

    const host = await Host.open(dir, { remember: false });
    try {
      const result = await call(host, 'query.run', {
        queryId: 'c',
        sql: 'SELECT event_id, strategy, note FROM label_events',
      });
      expect(result.rows).toEqual([['e1', null, null]]);
    } finally {
      await host.close();
    }
  });
});

describe("Sift's own data is never read back from the user's database", () => {
  it('tables planted under the old names (sift.reports, sift.imports) with writes on are never migrated, across restarts', async () => {
    const dir = path.join(tempDir('sift-planted-'), 'ws');
    expect((await sift('sample', '--workspace', dir)).code).toBe(0);
    const before = await Host.open(dir, { remember: false });
    const reports = (await call(before, 'reports.list', {})).map((report) => report.name).sort();
    const imports = await importedRows(before);
    await before.close();
    expect(reports.length).toBeGreaterThan(1);

    const planted = await sift(
      'query',
      '--allow-writes',
      '--workspace',
      dir,
      '--sql',
      "CREATE SCHEMA sift; CREATE TABLE sift.reports AS SELECT 1 AS id, 'planted' AS name, 'SELECT 1' AS sql; CREATE TABLE sift.imports AS SELECT 1 AS x; CREATE TABLE sift.column_mappings AS SELECT 1 AS y",
    );
    expect(planted.code, planted.stderr).toBe(0);
    // Restarts: the CLI (a fresh process each time), then the host.
    for (let restart = 0; restart < 2; restart++) {
      const tables = await sift('tables', '--json', '--workspace', dir);
      expect(tables.code, tables.stderr).toBe(0);
    }
    const after = await Host.open(dir, { remember: false });
    try {
      expect((await call(after, 'reports.list', {})).map((report) => report.name).sort()).toEqual(reports);
      expect(await importedRows(after)).toBe(imports);
      // The user's tables are theirs, left as they made them.
      expect(await call(after, 'query.run', { queryId: 'p', sql: 'SELECT name FROM sift.reports' })).toMatchObject({
        rows: [['planted']],
      });
    } finally {
      await after.close();
    }
  }, 120_000);
});
