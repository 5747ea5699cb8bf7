import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { ImportOutcome } from '../../shared/contract';
import { call, importedRows, importFile, openTempHost, tableNames, tempDir, writeParquet, writeTemp } from './support';

let host: Host;
let files: string;

beforeAll(async () => {
  ({ host } = await openTempHost());
  files = tempDir('sift-files-');
});
afterAll(async () => host.close());

describe('good files', () => {
  it('imports a CSV with sniffed types and records where it came from', async () => {
    const file = writeTemp(
      files,
      'Reports 2024.csv',
      'report_id,content_id,reason,created_at,weight\n1,c1,spam,2024-03-01 10:00:00,0.5\n2,c2,"hate, targeted",2024-03-01 11:30:00,1.25\n',
    );
    const job = await importFile(host, file);
    expect(job.status).toBe('done');
    const outcome = job.result as ImportOutcome;
    expect(outcome).toMatchObject({ table: 'reports_2024', rows: 2, linked: false, format: 'csv' });
    const tables = await host.workspace.listTables();
    const table = tables.find((t) => t.name === 'reports_2024')!;
    expect(table.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'report_id:BIGINT',
      'content_id:VARCHAR',
      'reason:VARCHAR',
      'created_at:TIMESTAMP',
      'weight:DOUBLE',
    ]);
    expect(table.source?.path).toBe(file);
    const result = await call(host, 'query.run', {
      queryId: 'q',
      sql: 'SELECT reason FROM reports_2024 ORDER BY report_id',
    });
    expect(result.rows).toEqual([['spam'], ['hate, targeted']]);
  });

  it('sniffs tab and semicolon delimiters', async () => {
    const tsv = writeTemp(files, 'users.tsv', 'user_id\tusername\n1\talice\n2\tbob\n');
    const semi = writeTemp(files, 'semi.csv', 'a;b;c\n1;2;3\n4;5;6\n');
    expect((await importFile(host, tsv)).result).toMatchObject({ table: 'users', rows: 2 });
    expect((await importFile(host, semi)).result).toMatchObject({ table: 'semi', rows: 2 });
    const preview = await call(host, 'import.inspect', { path: semi });
    expect(preview.csv).toEqual({ delimiter: ';', header: true, encoding: 'utf-8' });
    expect(preview.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
  });

  it('reads UTF-16 (with BOM) and Latin-1 when asked', async () => {
    const utf16 = writeTemp(
      files,
      'utf16.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,city\nJosé,São Paulo\n', 'utf16le')]),
    );
    expect((await importFile(host, utf16)).status).toBe('done');
    const latin = writeTemp(files, 'latin.csv', Buffer.from('name,city\nJos\xe9,M\xfcnchen\n', 'latin1'));
    const refused = await importFile(host, latin);
    expect(refused.error?.code).toBe('IMPORT_BAD_ENCODING');
    const accepted = await importFile(host, latin, { encoding: 'latin-1' });
    expect(accepted.status).toBe('done');
    const result = await call(host, 'query.run', {
      queryId: 'q',
      sql: 'SELECT name, city FROM latin',
    });
    expect(result.rows).toEqual([['José', 'München']]);
  });

  it('imports Parquet by copy and by link', async () => {
    const file = path.join(files, 'scores.parquet');
    await writeParquet(file, "SELECT range AS id, 'c' || range AS content_id, range / 100.0 AS score FROM range(5000)");
    expect((await importFile(host, file)).result).toMatchObject({ table: 'scores', rows: 5000, format: 'parquet' });
    const linked = await importFile(host, file, { table: 'scores_linked', link: true });
    expect(linked.result).toMatchObject({ table: 'scores_linked', rows: 5000, linked: true });
    const table = (await host.workspace.listTables()).find((t) => t.name === 'scores_linked');
    expect(table).toMatchObject({ kind: 'view', rowCount: 5000 });
  });

  it('imports JSON arrays and NDJSON', async () => {
    const json = writeTemp(
      files,
      'actions.json',
      JSON.stringify([
        { action_id: 1, action: 'remove' },
        { action_id: 2, action: 'pass' },
      ]),
    );
    const ndjson = writeTemp(
      files,
      'events.ndjson',
      '{"id":1,"kind":"label"}\n{"id":2,"kind":"skip"}\n{"id":3,"kind":"undo"}\n',
    );
    expect((await importFile(host, json)).result).toMatchObject({ table: 'actions', rows: 2, format: 'json' });
    expect((await importFile(host, ndjson)).result).toMatchObject({ table: 'events', rows: 3, format: 'json' });
  });

  it('refuses to overwrite a table unless asked, and replaces it atomically when asked', async () => {
    const first = writeTemp(files, 'dupe.csv', 'x\n1\n');
    await importFile(host, first);
    const again = await importFile(host, first);
    // Worded for the app's dialog (which offers the table name and Replace), not as a command-line flag.
    expect(again.error).toMatchObject({
      code: 'IMPORT_TABLE_EXISTS',
      message: expect.stringContaining('already exists; choose another table name, or replace it.'),
    });
    expect(again.error?.message).not.toContain('--table');
    expect(again.error?.message).toContain('dupe');
    const replacement = writeTemp(files, 'dupe2.csv', 'x\n1\n2\n3\n');
    expect((await importFile(host, replacement, { table: 'dupe', replace: true })).result).toMatchObject({ rows: 3 });
    const ragged = writeTemp(files, 'dupe3.csv', 'x,y\n1,2\n3\n');
    expect((await importFile(host, ragged, { table: 'dupe', replace: true })).status).toBe('failed');
    const rows = await call(host, 'query.run', { queryId: 'q', sql: 'SELECT * FROM dupe' });
    expect(rows.rowCount).toBe(3); // the failed replace left the previous table as it was
  });

  it('never imports over a table Sift owns', async () => {
    const file = writeTemp(files, 'label_events.csv', 'a\n1\n');
    const job = await importFile(host, file);
    expect(job.error?.message).toMatch(/Sift's own table/);
  });
});

describe('bad files leave the workspace unchanged and name the file and the problem', () => {
  const cases: { name: string; make(dir: string): Promise<string> | string; code: string; message: RegExp }[] = [
    {
      name: 'empty file',
      make: (dir) => writeTemp(dir, 'empty.csv', ''),
      code: 'IMPORT_EMPTY',
      message: /^empty\.csv: the file is empty/,
    },
    {
      name: 'blank lines only',
      make: (dir) => writeTemp(dir, 'blank.csv', '\n\n  \n'),
      code: 'IMPORT_EMPTY',
      message: /^blank\.csv: the file is empty/,
    },
    {
      name: 'header without rows',
      make: (dir) => writeTemp(dir, 'header.csv', 'a,b,c\n'),
      code: 'IMPORT_EMPTY',
      message: /^header\.csv: the file has a header but no rows/,
    },
    {
      name: 'truncated Parquet',
      make: async (dir) => {
        const whole = path.join(dir, 'whole.parquet');
        await writeParquet(whole, 'SELECT range AS id, md5(range::VARCHAR) AS h FROM range(20000)');
        const bytes = fs.readFileSync(whole);
        return writeTemp(dir, 'truncated.parquet', bytes.subarray(0, Math.floor(bytes.length / 2)));
      },
      code: 'IMPORT_BAD_PARQUET',
      message: /^truncated\.parquet: not a readable Parquet file — it is truncated/,
    },
    {
      name: 'ragged CSV row (near the top)',
      make: (dir) => writeTemp(dir, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n'),
      code: 'IMPORT_BAD_CSV',
      message: /^ragged\.csv line 3: row has 2 fields, expected 3/,
    },
    {
      name: 'ragged CSV row past the first megabyte',
      make: (dir) => {
        const rows = Array.from({ length: 80_000 }, (_, i) => `${i},name ${i},${i % 7}`).join('\n');
        return writeTemp(dir, 'late-ragged.csv', `id,name,group\n${rows}\n80000,oops\n`);
      },
      code: 'IMPORT_BAD_CSV',
      message: /^late-ragged\.csv line 80002: row has 2 fields, expected 3/,
    },
    {
      name: 'invalid UTF-8',
      make: (dir) =>
        writeTemp(
          dir,
          'badutf8.csv',
          Buffer.concat([Buffer.from('id,text\n1,ok\n2,caf'), Buffer.from([0xe9, 0x20, 0x6e]), Buffer.from('\n')]),
        ),
      code: 'IMPORT_BAD_ENCODING',
      message: /^badutf8\.csv line 3: the file is not valid UTF-8/,
    },
    {
      name: 'binary garbage',
      make: (dir) => {
        let seed = 7;
        const bytes = Buffer.alloc(4096, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0xff));
        return writeTemp(dir, 'garbage.csv', bytes);
      },
      code: 'IMPORT_BINARY',
      message: /^garbage\.csv: this is a binary file/,
    },
    {
      name: 'a 10 MB single field',
      make: (dir) => writeTemp(dir, 'hugefield.csv', `id,text\n1,"${'x'.repeat(10 * 1024 * 1024)}"\n`),
      code: 'IMPORT_LINE_TOO_LONG',
      message: /^hugefield\.csv line \d+: a row is longer than the 2,000,000-byte line limit/,
    },
    {
      name: 'malformed JSON',
      make: (dir) => writeTemp(dir, 'broken.json', '[{"a": 1}, {"a": '),
      code: 'IMPORT_BAD_JSON',
      message: /^broken\.json: not valid JSON/,
    },
    {
      name: 'missing file',
      make: (dir) => path.join(dir, 'nope.csv'),
      code: 'IMPORT_NOT_FOUND',
      message: /nope\.csv: no such file/,
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const dir = tempDir('sift-bad-');
      const file = await testCase.make(dir);
      const tablesBefore = await tableNames(host);
      const importsBefore = await importedRows(host);
      const job = await importFile(host, file);
      expect(job.status).toBe('failed');
      expect(job.error?.code).toBe(testCase.code);
      expect(job.error?.message).toMatch(testCase.message);
      expect(job.error!.message.length).toBeLessThan(400); // never echoes a 10 MB line back
      expect(await tableNames(host)).toEqual(tablesBefore);
      expect(await importedRows(host)).toBe(importsBefore);
      // The preview (first rows only) reports the same problem before any import, unless it lies past the sample:
      // a bad row as a problem beside the preview (the import's options decide), anything else as a refusal.
      if (!/header without rows|past the first megabyte/.test(testCase.name)) {
        const inspected = await host.dispatch('import.inspect', { path: file });
        if (testCase.code === 'IMPORT_BAD_CSV')
          expect(inspected).toMatchObject({ ok: true, value: { problem: expect.stringMatching(testCase.message) } });
        else expect(inspected.ok).toBe(false);
      }
    });
  }

  it("reads an export that escapes quotes with a backslash, as DuckDB's sniffer says", async () => {
    const file = writeTemp(
      tempDir('sift-escape-'),
      'escaped.csv',
      'id,text,n\n1,"he said \\"hi\\", ok",3\n2,plain,4\n',
    );
    const preview = await call(host, 'import.inspect', { path: file });
    expect(preview.problem).toBeUndefined();
    expect((await importFile(host, file)).status).toBe('done');
    const rows = await call(host, 'query.run', {
      queryId: 'esc',
      sql: 'SELECT id, text, n FROM escaped ORDER BY id',
    });
    expect(rows.rows).toEqual([
      ['1', 'he said "hi", ok', '3'],
      ['2', 'plain', '4'],
    ]);
  });

  it('sets bad rows aside into <table>__rejects with line, raw text and reason when asked, and says how many', async () => {
    const dir = tempDir('sift-rejects-');
    const file = writeTemp(
      dir,
      'flaky.csv',
      'id,reason,created_at\n1,spam,2024-01-01\n2,spam\n3,hate,2024-01-02\n4,hate,2024-01-03,extra\n',
    );
    const job = await importFile(host, file, { skipBadRows: true });
    expect(job.status).toBe('done');
    expect(job.result).toMatchObject({ table: 'flaky', rows: 2, rejected: 2, rejectsTable: 'flaky__rejects' });
    const rejects = await call(host, 'query.run', {
      queryId: 'rej',
      sql: 'SELECT line, raw, reason FROM flaky__rejects ORDER BY line',
    });
    expect(rejects.rows).toEqual([
      ['3', '2,spam', expect.stringContaining('Expected Number of Columns: 3 Found: 2')],
      ['5', '4,hate,2024-01-03,extra', expect.stringContaining('Expected Number of Columns: 3 Found: 4')],
    ]);
    // A clean file with the option: nothing set aside, no rejects table.
    const clean = writeTemp(dir, 'clean.csv', 'id,reason\n1,spam\n');
    expect((await importFile(host, clean, { skipBadRows: true })).result).toMatchObject({ rows: 1, rejected: 0 });
    expect(await tableNames(host)).not.toContain('clean__rejects');
    // Only CSV, and only a copy: a linked file is read as it is.
    expect(
      (await importFile(host, file, { skipBadRows: true, link: true, table: 'flaky_link' })).error?.message,
    ).toMatch(/import a copy/);
  });

  it('a cancelled import leaves no table behind', async () => {
    const dir = tempDir('sift-big-');
    const file = path.join(dir, 'big.csv');
    const stream = fs.createWriteStream(file);
    stream.write('id,text,score\n');
    for (let block = 0; block < 60; block++) {
      const lines: string[] = [];
      for (let i = 0; i < 50_000; i++)
        lines.push(
          `${block * 50_000 + i},"some moderately long text for row ${i} of block ${block}",${(i % 1000) / 1000}`,
        );
      stream.write(`${lines.join('\n')}\n`);
    }
    await new Promise((resolve) => stream.end(resolve));
    const before = await tableNames(host);
    const { jobId } = await call(host, 'import.start', { path: file });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await call(host, 'jobs.cancel', { jobId });
    const job = await host.jobs.wait(jobId);
    expect(job.status).toBe('cancelled');
    expect(await tableNames(host)).toEqual(before);
  });
});
