/**
 * The host's edges, tried with hostile and broken input: export targets, atomic writes, report bind names, CLI
 * table names, the browser-mode server's Host/Origin/token/upload checks, deep JSON, encodings, and errors that
 * always carry a message.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cliMain } from '../../electron/cli';
import { Host } from '../../electron/host/host';
import { writeFileAtomic } from '../../electron/host/workspace/workspace';
import { type RunningServer, startServer } from '../../electron/server';
import type { CallOutcome } from '../../shared/contract';
import { call, importFile, tempDir, writeTemp } from './support';

let host: Host;
let dir: string;
let files: string;

beforeAll(async () => {
  dir = path.join(tempDir('sift-edges-'), 'ws');
  files = tempDir('sift-edges-files-');
  host = await Host.open(dir, { create: true, remember: false });
  await host.workspace.withConnection((conn) => conn.run(`CREATE TABLE items AS SELECT range AS id FROM range(5)`));
});
afterAll(async () => host?.close());

const leftovers = (folder: string) => fs.readdirSync(folder).filter((name) => /partial/.test(name));

describe('exports', () => {
  it("refuse the workspace's own files and folders, and leave nothing behind", async () => {
    const result = await call(host, 'query.run', { queryId: 'e1', sql: 'SELECT * FROM items' });
    for (const target of [
      path.join(dir, 'workspace.duckdb'),
      path.join(dir, 'workspace.duckdb.wal'),
      path.join(dir, '.sift', 'store.duckdb'),
      path.join(dir, 'settings.json'),
      files,
    ]) {
      const outcome = await host.dispatch('query.export', { resultId: result.resultId, format: 'csv', path: target });
      expect(outcome, target).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.stringMatching(/own files|folder/) },
      });
    }
    const report = await call(host, 'reports.save', { name: 'r', sql: 'SELECT 1' });
    expect(
      await host.dispatch('reports.export', { id: report.id, format: 'sql', path: path.join(dir, 'workspace.duckdb') }),
    ).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(
      await host.dispatch('reports.export', {
        id: report.id,
        format: 'sql',
        path: path.join(files, 'no', 'such', 'r.sql'),
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('does not exist') } });
    expect(fs.statSync(path.join(dir, 'workspace.duckdb')).size).toBeGreaterThan(0);
    // The workspace still opens and answers.
    expect(await call(host, 'query.run', { queryId: 'e2', sql: 'SELECT count(*) FROM items' })).toMatchObject({
      rows: [['5']],
    });
    const cliCode = await cliMain([
      'query',
      '--sql',
      'SELECT 1',
      '--format',
      'csv',
      '--out',
      path.join(dir, 'workspace.duckdb'),
      '--workspace',
      dir,
    ]).catch(() => 1);
    expect(cliCode).not.toBe(0);
    expect(leftovers(dir)).toEqual([]);
  });

  it('in browser mode go only to the exports folder', async () => {
    const confinedDir = path.join(tempDir('sift-edges-confined-'), 'ws');
    await (await Host.open(confinedDir, { create: true, remember: false })).close();
    const confined = await Host.open(confinedDir, { remember: false, fileAccess: { kind: 'confined', folders: [] } });
    try {
      const result = await call(confined, 'query.run', { queryId: 'c1', sql: 'SELECT 42 AS answer' });
      expect(
        await confined.dispatch('query.export', {
          resultId: result.resultId,
          format: 'csv',
          path: path.join(files, 'out.csv'),
        }),
      ).toMatchObject({ ok: false, error: { message: expect.stringContaining('exports') } });
      const { jobId } = await call(confined, 'query.export', {
        resultId: result.resultId!,
        format: 'csv',
      });
      const job = await confined.jobs.wait(jobId);
      expect(job.status).toBe('done');
      expect(fs.readdirSync(path.join(confinedDir, 'exports'))).toHaveLength(1);
      expect(await confined.dispatch('import.inspect', { path: '/etc/hostname' })).toMatchObject({
        ok: false,
        error: { message: expect.stringContaining('outside the folders') },
      });
    } finally {
      await confined.close();
    }
  });

  it('write through a temporary file: a failed write leaves neither the target nor a partial file', () => {
    const target = path.join(files, 'atomic.txt');
    writeFileAtomic(target, 'first');
    expect(fs.readFileSync(target, 'utf8')).toBe('first');
    const folderTarget = path.join(files, 'a-folder');
    fs.mkdirSync(folderTarget);
    expect(() => writeFileAtomic(folderTarget, 'x')).toThrow();
    expect(leftovers(files)).toEqual([]);
  });
});

describe('report parameters', () => {
  it('bind a list :ids and a parameter named ids_1 to their own values', async () => {
    const sql = `-- [params]\n-- int_list :ids = 1,2\n-- int :ids_1 = 40\nSELECT (SELECT sum(id) FROM items WHERE id IN (:ids)) AS listed, :ids_1 AS single`;
    const result = await call(host, 'reports.run', {
      queryId: 'p1',
      sql,
      values: { ids: '1,2', ids_1: '40' },
    });
    expect(result.rows).toEqual([['3', 40]]);
  });
});

describe('the CLI', () => {
  it('validates table names as IPC and HTTP do', async () => {
    const file = writeTemp(files, 'plain.csv', 'a,b\n1,2\n');
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    try {
      for (const table of ['label_events ', 'sift.imports', 'bad-name', '1abc']) {
        errors.length = 0;
        expect(await cliMain(['import', file, '--table', table, '--workspace', dir]), table).toBe(1);
        expect(errors.join(' '), table).toContain('table');
      }
      errors.length = 0;
      expect(await cliMain(['import', file, '--table', 'label_events', '--workspace', dir])).toBe(1);
      expect(errors.join(' ')).toContain("Sift's own table");
    } finally {
      console.error = original;
    }
  });
});

describe('imports', () => {
  it('read a file whose name DuckDB would take as a pattern, literally', async () => {
    writeTemp(files, 'star1.csv', 'x\n1\n');
    writeTemp(files, 'star2.csv', 'x\n2\n');
    const literal = writeTemp(files, 'star*.csv', 'x\n100\n200\n300\n');
    const job = await importFile(host, literal, { table: 'starred' });
    expect(job.status, JSON.stringify(job)).toBe('done');
    expect(await call(host, 'query.run', { queryId: 'g1', sql: 'SELECT sum(x) FROM starred' })).toMatchObject({
      rows: [['600']],
    });
    const linked = await importFile(host, literal, { link: true, table: 'starlink' });
    expect(linked.status).toBe('failed');
    expect(JSON.stringify(linked)).toContain('pattern');
  });

  it('decode UTF-16 with a byte-order mark, and refuse UTF-32 by name', async () => {
    const text = 'name,city\nZoë,Köln\nJosé,São Paulo\n';
    const utf16 = path.join(files, 'utf16.csv');
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const preview = await call(host, 'import.inspect', {
      path: utf16,
    });
    expect(preview.rows).toEqual([
      ['Zoë', 'Köln'],
      ['José', 'São Paulo'],
    ]);
    expect(preview.csv?.encoding).toBe('utf-16');
    expect((await importFile(host, utf16)).status).toBe('done');
    const utf32 = path.join(files, 'utf32.csv');
    fs.writeFileSync(utf32, Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x61, 0, 0, 0]));
    expect(await host.dispatch('import.inspect', { path: utf32 })).toMatchObject({
      ok: false,
      error: { code: 'IMPORT_BAD_ENCODING', message: expect.stringContaining('UTF-32') },
    });
  });

  it('name an unterminated quote as one', async () => {
    const file = writeTemp(files, 'quote.csv', 'a,b\n1,"open\n');
    expect(await host.dispatch('import.inspect', { path: file })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('never closed') },
    });
    expect((await importFile(host, file)).error?.message).toContain('never closed');
  });

  it('refuse deeply nested JSON with a clear error, and the host stays up', async () => {
    const deep = writeTemp(files, 'deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    for (const outcome of [await host.dispatch('import.inspect', { path: deep }), await importFile(host, deep)]) {
      expect(JSON.stringify(outcome)).toMatch(/nested more than 64 levels/);
    }
    const query = await host.dispatch('query.run', {
      queryId: 'j1',
      sql: `SELECT json_structure('${'['.repeat(100_000)}')`,
    });
    expect(query).toMatchObject({
      ok: false,
      error: { code: 'SQL_REFUSED', message: expect.stringContaining('levels deep') },
    });
    const param = await host.dispatch('query.run', {
      queryId: 'j2',
      sql: 'SELECT json_structure($doc)',
      params: { doc: '['.repeat(5000) },
    });
    expect(param).toMatchObject({ ok: false, error: { message: expect.stringContaining('parameter value') } });
    expect(await call(host, 'query.run', { queryId: 'j3', sql: "SELECT json_structure('[[1]]') AS s" })).toMatchObject({
      rowCount: 1,
    });
  });
});

describe('listing tables', () => {
  it('reads counts from the catalog and the import record, never by reading a linked file again', async () => {
    const file = writeTemp(files, 'linked.csv', 'a,b\n1,2\n3,4\n5,6\n');
    expect((await importFile(host, file, { link: true, table: 'linked' })).status).toBe('done');
    // The file changes after linking: a listing that re-read it would now see 1 row (or fail).
    fs.writeFileSync(file, 'a,b\n9,9\n');
    const tables = await call(host, 'tables.list', {});
    expect(tables.find((table) => table.name === 'linked')?.rowCount).toBe(3);
    expect(tables.find((table) => table.name === 'items')?.rowCount).toBe(5);
  });
});

describe('errors', () => {
  it('always carry a message a person can act on', async () => {
    const outcome = await host.dispatch('reports.import', { path: files });
    expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringContaining('is a folder') } });
    const missing = await host.dispatch('reports.import', { path: path.join(files, 'nope.sql') });
    expect(missing).toMatchObject({ ok: false, error: { message: expect.stringContaining('no such file') } });
  });
});

describe('the browser-mode server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ host, staticDir: tempDir(), maxUploadBytes: 1000 });
  });
  afterAll(async () => server?.close());

  /** A raw request, so Host and Origin can be anything (fetch fixes Host). */
  const request = (options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: options.method ?? 'POST',
          path: options.path,
          headers: options.headers,
        },
        (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  const json = { 'content-type': 'application/json' };

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const auth = { ...json, authorization: `Bearer ${server.token}` };
    expect(
      await request({
        path: '/api/workspace.info',
        headers: { ...auth, host: `evil.example:${server.port}` },
        body: '{}',
      }),
    ).toMatchObject({ status: 403, body: expect.stringContaining('not this server') });
    expect(
      await request({ path: '/', method: 'GET', headers: { host: `rebound.example:${server.port}` } }),
    ).toMatchObject({ status: 403 });
    expect(
      await request({ path: '/api/workspace.info', headers: { ...auth, origin: 'http://evil.example' }, body: '{}' }),
    ).toMatchObject({ status: 403, body: expect.stringContaining('not accepted') });
    expect(
      await request({
        path: '/api/workspace.info',
        headers: { ...auth, host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` },
        body: '{}',
      }),
    ).toMatchObject({ status: 200 });
  });

  it("takes the token only as a Bearer (or the UI's header), never bare, and refuses simple cross-site posts", async () => {
    expect(
      await request({ path: '/api/workspace.info', headers: { ...json, authorization: server.token! }, body: '{}' }),
    ).toMatchObject({ status: 401 });
    expect(
      await request({ path: `/api/workspace.info?token=${server.token}`, headers: json, body: '{}' }),
    ).toMatchObject({ status: 401 });
    expect(
      await request({
        path: '/api/workspace.info',
        headers: { 'content-type': 'text/plain', 'x-sift-token': server.token! },
        body: '{}',
      }),
    ).toMatchObject({ status: 415 });
    expect(
      await request({ path: '/api/workspace.info', headers: { ...json, 'x-sift-token': server.token! }, body: '{}' }),
    ).toMatchObject({ status: 200 });
  });

  it('limits uploads with a clear error and keeps nothing of a refused one', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    const big = await request({ path: '/api/upload?name=big.csv', headers: auth, body: Buffer.alloc(5000, 0x61) });
    expect(big.status).toBe(413);
    expect((JSON.parse(big.body) as CallOutcome).ok).toBe(false);
    expect(big.body).toContain('larger than this server accepts');
    const small = await request({ path: '/api/upload?name=small.csv', headers: auth, body: 'a\n1\n' });
    expect(small.status).toBe(200);
    const uploads = path.join(dir, 'uploads');
    const kept = fs.readdirSync(uploads).flatMap((folder) => fs.readdirSync(path.join(uploads, folder)));
    expect(kept).toEqual(['small.csv']);
    // Still serving.
    expect(await request({ path: '/api/workspace.info', headers: { ...json, ...auth }, body: '{}' })).toMatchObject({
      status: 200,
    });
  });
});
