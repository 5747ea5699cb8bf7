import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';

import { call, importFile, openTempHost, tempDir, writeTemp } from './support';

let host: Host;

beforeAll(async () => {
  ({ host } = await openTempHost());
  const dir = tempDir();
  await importFile(
    host,
    writeTemp(dir, 'items.csv', 'id,name,score\n1,alpha,0.5\n2,beta,0.25\n3,gamma,0.75\n4,delta,\n'),
  );
});
afterAll(async () => host.close());

const run = (sql: string, extra: Record<string, unknown> = {}) =>
  host.dispatch('query.run', { queryId: crypto.randomUUID(), sql, ...extra });

describe('running queries', () => {
  it('returns columns with types, a first page, and the full row count', async () => {
    const result = await call(host, 'query.run', {
      queryId: 'a',
      sql: 'SELECT range AS n, range * 2 AS twice FROM range(1000)',
      pageSize: 10,
    });
    expect(result.columns).toEqual([
      { name: 'n', type: 'BIGINT' },
      { name: 'twice', type: 'BIGINT' },
    ]);
    expect(result.rowCount).toBe(1000);
    expect(result.rows).toHaveLength(10);
    expect(result.rows[9]).toEqual(['9', '18']);
  });

  it('answers the first page from the stream exactly as the same page reads back from the store, for every kind of value', async () => {
    const sql = `SELECT range AS n, range::DECIMAL(18, 3) / 7 AS d, TIMESTAMP '2024-02-29 13:45:00' + to_minutes(range) AS t, range::DOUBLE / 3 AS f,
                        [range, range + 1] AS list, {'a': range, 'b': 'ünï ✓'} AS s, NULL AS nothing, range % 2 = 0 AS even, 'x'::BLOB AS bytes,
                        '2024-01-01'::DATE AS day, INTERVAL 90 MINUTE AS span, uuid() IS NOT NULL AS has_uuid
                 FROM range(3000)`;
    const result = await call(host, 'query.run', { queryId: 'stream-vs-store', sql, pageSize: 50 });
    const page = await call(host, 'query.page', { resultId: result.resultId!, offset: 0, limit: 50 });
    expect(result.rows).toHaveLength(50);
    expect(result.rows).toEqual(page.rows);
  });

  it('pages any slice of a large result, in the query order', async () => {
    const result = await call(host, 'query.run', {
      queryId: 'b',
      sql: 'SELECT range AS n FROM range(3000000) ORDER BY n DESC',
      pageSize: 0,
    });
    // The call answers before every row is stored; the page at the end waits for its rows.
    expect(result.complete).toBe(false);
    const page = await call(host, 'query.page', {
      resultId: result.resultId!,
      offset: 2_999_990,
      limit: 50,
    });
    expect(page.rows.map((row) => Number(row[0]))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(page.rowCount).toBe(3_000_000);
  });

  it('sorts a result by a column, nulls last, without re-running the query', async () => {
    const result = await call(host, 'query.run', { queryId: 'c', sql: 'SELECT * FROM items' });
    const ascending = await call(host, 'query.page', {
      resultId: result.resultId!,
      offset: 0,
      limit: 10,
      sort: { column: 'score', direction: 'asc' },
    });
    expect(ascending.rows.map((row) => row[1])).toEqual(['beta', 'alpha', 'gamma', 'delta']);
    const descending = await call(host, 'query.page', {
      resultId: result.resultId!,
      offset: 0,
      limit: 10,
      sort: { column: 'score', direction: 'desc' },
    });
    expect(descending.rows.map((row) => row[1])).toEqual(['gamma', 'alpha', 'beta', 'delta']);
    const bad = await host.dispatch('query.page', {
      resultId: result.resultId,
      offset: 0,
      limit: 10,
      sort: { column: 'nope', direction: 'asc' },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'sort.column: the result has no column "nope".' },
    });
  });

  it('binds named parameters instead of splicing them into the SQL', async () => {
    const result = await call(host, 'query.run', {
      queryId: 'd',
      sql: 'SELECT name FROM items WHERE score > $min ORDER BY id',
      params: { min: 0.3 },
    });
    expect(result.rows).toEqual([['alpha'], ['gamma']]);
    const injection = await call(host, 'query.run', {
      queryId: 'e',
      sql: 'SELECT count(*) AS n FROM items WHERE name = $name',
      params: { name: "x' OR '1'='1" },
    });
    expect(injection.rows).toEqual([['0']]);
    const missing = await run('SELECT * FROM items WHERE id = $id');
    expect(missing).toMatchObject({
      ok: false,
      error: { message: 'The query uses parameter $id, but no value was given for it.' },
    });
  });

  it('runs DESCRIBE, SHOW and multi-statement scripts', async () => {
    const describe = await call(host, 'query.run', { queryId: 'f', sql: 'DESCRIBE items' });
    expect(describe.rows.map((row) => row[0])).toEqual(['id', 'name', 'score']);
    const script = await call(host, 'query.run', {
      queryId: 'g',
      sql: "SELECT 1;\n-- a comment; with a semicolon\nSELECT 'a;b' AS s",
    });
    expect(script.statementCount).toBe(2);
    expect(script.rows).toEqual([['a;b']]);
  });

  it("keeps every statement's result for a caller that asks (the CLI), however many, each whole; with writes, each sees the ones before", async () => {
    // More statements than results are kept live: none of a script's own results is evicted before the caller reads it.
    const sql = Array.from({ length: 30 }, (_, i) => `SELECT ${i} AS i FROM range(${3000 + i})`).join(';\n');
    const read = await host.queries.run({ queryId: 'every', sql, pageSize: 0 }, false, { everyStatement: true });
    expect(read.statements).toHaveLength(30);
    for (const [i, result] of read.statements!.entries()) {
      // The earlier ones are whole before the next statement runs; the last streams in as any result does.
      if (i < 29)
        expect({ i, complete: result.complete, rows: result.rowCount }).toEqual({ i, complete: true, rows: 3000 + i });
      const page = await call(host, 'query.page', { resultId: result.resultId!, offset: 0, limit: 1 });
      expect({ i, rows: (await host.queries.resultTable(result.resultId!)).rowCount, first: page.rows[0] }).toEqual({
        i,
        rows: 3000 + i,
        first: [i],
      });
    }
    for (const result of read.statements!) await host.queries.close(result.resultId!);
    const script = await host.queries.run(
      {
        queryId: 'every-w',
        sql: 'CREATE TABLE every_w AS SELECT 1 AS x; SELECT count(*) AS n FROM every_w; INSERT INTO every_w VALUES (2); SELECT count(*) AS n FROM every_w',
        pageSize: 10,
      },
      true,
      { everyStatement: true },
    );
    expect(script.statements!.map((result) => (result.resultId === null ? result.message : result.rows))).toEqual([
      '0 row(s) changed.',
      [['1']],
      '1 row(s) changed.',
      [['2']],
    ]);
    // Without the option, a script answers with its last result only, as before.
    expect(
      (await host.queries.run({ queryId: 'last-only', sql: 'SELECT 1; SELECT 2', pageSize: 10 }, false)).statements,
    ).toBeUndefined();
  });

  it('reports errors with their position in the editor text', async () => {
    const outcome = await run('SELECT 1;\nSELECT id,\n       nme FROM items');
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatchObject({ code: 'SQL_ERROR', line: 3, column: 8 });
    expect(outcome.error.message).toMatch(/Referenced column "nme" not found.*\(line 3, column 8\)/);
    expect('SELECT 1;\nSELECT id,\n       nme FROM items'.slice(outcome.error.position!)).toMatch(/^nme/);
    const syntax = await run('SELEC 1');
    expect(syntax).toMatchObject({ ok: false, error: { code: 'SQL_ERROR', line: 1, column: 1 } });
  });

  it('cancels a running query', async () => {
    const queryId = 'slow';
    const running = host.dispatch('query.run', {
      queryId,
      sql: 'SELECT sum(hash(a.range + b.range)) FROM range(300000) a, range(300000) b',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await call(host, 'query.cancel', { queryId })).toEqual({ cancelled: true });
    expect(await running).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(await call(host, 'query.cancel', { queryId })).toEqual({ cancelled: false });
  });

  it('says "cancelled" whichever step a cancel interrupts (opening, Sift\'s own lookups, checking, planning, running)', async () => {
    // Cancels land 0–30 ms after the run starts, across every step before the read itself; each must read as a cancel.
    for (let delay = 0; delay <= 30; delay += 2) {
      const queryId = `early-${delay}`;
      const running = host.dispatch('query.run', {
        queryId,
        sql: 'SELECT sum(hash(a.range + b.range)) FROM range(300000) a, range(300000) b',
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
      await call(host, 'query.cancel', { queryId });
      expect(await running).toMatchObject({ ok: false, error: { code: 'CANCELLED', message: 'Query cancelled.' } });
    }
  });

  it('honours a cancel that overtakes its own query', async () => {
    // The UI's cancel can reach the host while the query is still opening its connection.
    expect(await call(host, 'query.cancel', { queryId: 'overtaken' })).toEqual({ cancelled: false });
    expect(
      await host.dispatch('query.run', {
        queryId: 'overtaken',
        sql: 'SELECT sum(hash(a.range + b.range)) FROM range(300000) a, range(300000) b',
      }),
    ).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    // A cancel for a query that has ended is late, not early: the next run of that id is not cancelled.
    expect(await call(host, 'query.cancel', { queryId: 'overtaken' })).toEqual({ cancelled: false });
    expect(await host.dispatch('query.run', { queryId: 'overtaken', sql: 'SELECT 1' })).toMatchObject({ ok: true });
  });

  it('forgets a closed result', async () => {
    const result = await call(host, 'query.run', { queryId: 'h', sql: 'SELECT 42' });
    expect(await call(host, 'query.close', { resultId: result.resultId! })).toEqual({ closed: true });
    expect(await host.dispatch('query.page', { resultId: result.resultId, offset: 0, limit: 1 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('the editor cannot change protected tables, and is read-only unless writes are allowed', () => {
  it('refuses writes by default', async () => {
    await call(host, 'settings.update', { allowWrites: false });
    for (const sql of [
      "INSERT INTO items VALUES (5, 'e', 0.1)",
      'UPDATE items SET score = 0',
      'DELETE FROM items',
      'DROP TABLE items',
      'CREATE TABLE t AS SELECT 1',
    ]) {
      expect(await run(sql)).toMatchObject({ ok: false, error: { code: 'SQL_READ_ONLY' } });
    }
    const count = await call(host, 'query.run', { queryId: 'i', sql: 'SELECT count(*) FROM items' });
    expect(count.rows).toEqual([['4']]);
  });

  it('allows writes to imported tables once turned on', async () => {
    await call(host, 'settings.update', { allowWrites: true });
    const insert = await call(host, 'query.run', {
      queryId: 'j',
      sql: "INSERT INTO items VALUES (5, 'epsilon', 0.1)",
    });
    expect(insert.message).toBe('1 row(s) changed.');
    await call(host, 'query.run', {
      queryId: 'k',
      sql: 'CREATE TABLE scratch AS SELECT * FROM items; DROP TABLE scratch',
    });
    await call(host, 'settings.update', { allowWrites: false });
  });

  it('never lets the editor touch Sift-owned tables, even with writes on', async () => {
    await call(host, 'settings.update', { allowWrites: true });
    const attempts = [
      "INSERT INTO label_events (event_id) VALUES ('x')",
      'DELETE FROM label_events',
      'DROP TABLE label_events',
      'UPDATE "LABEL_EVENTS" SET value = 1',
      'ALTER TABLE label_events ADD COLUMN hacked INT',
      'CREATE OR REPLACE VIEW label_events AS SELECT 1',
      'DELETE FROM sift.imports',
      'DROP TABLE dataset_versions',
      'DROP SCHEMA sift CASCADE',
    ];
    for (const sql of attempts) {
      const outcome = await run(sql);
      expect(outcome.ok, sql).toBe(false);
      if (!outcome.ok) expect(['SQL_PROTECTED', 'SQL_READ_ONLY', 'SQL_ERROR']).toContain(outcome.error.code);
    }
    // DuckDB itself refuses to write through Sift's view; Sift refuses a user object that takes its name.
    expect(await run('DELETE FROM label_events')).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('Can only delete from base table') },
    });
    expect(await run('CREATE VIEW label_events AS SELECT 1')).toMatchObject({
      ok: false,
      error: { code: 'SQL_PROTECTED', message: expect.stringContaining('"label_events" belongs to Sift') },
    });
    expect(await run('DROP VIEW label_events')).toMatchObject({ ok: false, error: { code: 'SQL_PROTECTED' } });
    await call(host, 'settings.update', { allowWrites: false });
  });

  it('refuses statements that reach outside the workspace or around the guard', async () => {
    await call(host, 'settings.update', { allowWrites: true });
    const dir = tempDir();
    for (const sql of [
      `ATTACH '${dir}/other.duckdb' AS other`,
      `COPY items TO '${dir}/out.csv'`,
      'SET threads = 1',
      'BEGIN TRANSACTION',
      "SELECT * FROM query('DELETE FROM label_events')",
      'INSTALL httpfs',
    ]) {
      expect((await run(sql)).ok, sql).toBe(false);
    }
    await call(host, 'settings.update', { allowWrites: false });
  });

  it('still lets the editor read protected tables', async () => {
    const result = await call(host, 'query.run', {
      queryId: 'l',
      sql: 'SELECT count(*) FROM label_events',
    });
    expect(result.rows).toEqual([['0']]);
  });
});

describe("the SQL editor's memory in the workspace", () => {
  it('keeps the runs the editor asks it to remember, newest first, failures with their error, and searches them', async () => {
    await run('SELECT name FROM items WHERE score > 0.3', { remember: true });
    await run('SELECT nope FROM items', { remember: true });
    await run('SELECT 42 AS not_remembered');
    const history = await call(host, 'query.history', {});
    expect(history.map((entry) => entry.sql).slice(0, 2)).toEqual([
      'SELECT nope FROM items',
      'SELECT name FROM items WHERE score > 0.3',
    ]);
    expect(history[0]!.error).toContain('nope');
    expect(history[1]).toMatchObject({ rows: 2, error: null });
    expect(history.some((entry) => entry.sql.includes('not_remembered'))).toBe(false);
    expect((await call(host, 'query.history', { search: 'SCORE >' })).map((entry) => entry.sql)).toEqual([
      'SELECT name FROM items WHERE score > 0.3',
    ]);
  });

  it('keeps the editor tabs across a reopen, and refuses a state that names no tab as active', async () => {
    expect(await call(host, 'editor.tabs', {})).toBeNull();
    const state = {
      tabs: [
        { id: 'a', title: 'Items', sql: 'SELECT * FROM items' },
        { id: 'b', title: 'Scratch', sql: '' },
      ],
      active: 'b',
    };
    await call(host, 'editor.saveTabs', state);
    const dir = host.workspace.dir;
    await host.close();
    host = await Host.open(dir, { remember: false });
    expect(await call(host, 'editor.tabs', {})).toEqual(state);
    expect(await host.dispatch('editor.saveTabs', { tabs: state.tabs, active: 'zzz' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('active names one of the tabs') },
    });
  });
});

describe('explaining a statement', () => {
  const explain = (sql: string, params?: Record<string, string>) =>
    host.dispatch('query.explain', { sql, ...(params ? { params } : {}) });

  it("shows DuckDB's plan without running the statement", async () => {
    const outcome = await call(host, 'query.explain', {
      sql: 'SELECT name, count(*) FROM items WHERE score > $min GROUP BY name',
      params: { min: '0.3' },
    });
    expect(outcome.kind).toBe('read');
    expect(outcome.plan).toMatch(/HASH_GROUP_BY/);
    expect(outcome.plan).toMatch(/items/);
    // Casting every name to a number fails while running, not while planning: the plan comes back, the run fails.
    expect(await explain('SELECT CAST(name AS INTEGER) FROM items')).toMatchObject({ ok: true });
    expect(await run('SELECT CAST(name AS INTEGER) FROM items')).toMatchObject({
      ok: false,
      error: { code: 'SQL_ERROR' },
    });
  });

  it('explains only what the editor may run, one statement at a time', async () => {
    const count = async () =>
      (await call(host, 'query.run', { queryId: crypto.randomUUID(), sql: 'SELECT count(*) FROM items' })).rows;
    const before = await count();
    expect(await explain('DELETE FROM items')).toMatchObject({ ok: false, error: { code: 'SQL_READ_ONLY' } });
    expect(await explain('SELECT setseed(0.5)')).toMatchObject({ ok: false, error: { code: 'SQL_REFUSED' } });
    expect(await explain('SELECT 1; SELECT 2')).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'Explain takes one statement; this text holds 2.' },
    });
    expect(await explain('SELECT nme FROM items')).toMatchObject({
      ok: false,
      error: { code: 'SQL_ERROR', line: 1, column: 8 },
    });
    expect(await count()).toEqual(before);
  });
});
