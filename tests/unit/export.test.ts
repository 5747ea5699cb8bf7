import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { ExportOutcome } from '../../shared/contract';
import { call, openTempHost, tempDir } from './support';

let host: Host;
let resultId: string;
const SQL = 'SELECT range AS id, \'text, with "quotes"\' || range AS body, range / 4.0 AS score FROM range(1000)';

beforeAll(async () => {
  ({ host } = await openTempHost());
  resultId = (await call(host, 'query.run', { queryId: 'x', sql: SQL })).resultId!;
});
afterAll(async () => host.close());

async function readBack(file: string, reader: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const rows = (
    await conn.runAndReadAll(`SELECT count(*), min(id), max(id), max(body) FROM ${reader}('${file}')`)
  ).getRowsJson();
  conn.closeSync();
  instance.closeSync();
  return rows;
}

async function exportTo(format: 'csv' | 'parquet' | 'json', target?: string) {
  const { jobId } = await call(host, 'query.export', { resultId, format, path: target });
  return host.jobs.wait(jobId);
}

describe('exporting a result', () => {
  for (const [format, reader] of [
    ['csv', 'read_csv'],
    ['parquet', 'read_parquet'],
    ['json', 'read_json'],
  ] as const) {
    it(`writes ${format} that reads back identically`, async () => {
      const target = path.join(tempDir(), `out.${format}`);
      const job = await exportTo(format, target);
      expect(job.status).toBe('done');
      expect(job.result).toMatchObject({ path: target, rows: 1000, format });
      expect((job.result as ExportOutcome).bytes).toBe(fs.statSync(target).size);
      expect(await readBack(target, reader)).toEqual([['1000', '0', '999', 'text, with "quotes"999']]);
    });
  }

  it('writes JSON as one array of row objects', async () => {
    const target = path.join(tempDir(), 'rows.json');
    await exportTo('json', target);
    const rows = JSON.parse(fs.readFileSync(target, 'utf8')) as { id: number; body: string; score: number }[];
    expect(rows).toHaveLength(1000);
    expect(rows[3]).toEqual({ id: 3, body: 'text, with "quotes"3', score: 0.75 });
  });

  it('defaults to the workspace exports folder', async () => {
    const job = await exportTo('csv');
    expect(path.dirname((job.result as ExportOutcome).path)).toBe(path.join(host.workspace.dir, 'exports'));
  });

  it('fails cleanly for a folder that does not exist, leaving nothing behind', async () => {
    const target = path.join(tempDir(), 'missing', 'out.csv');
    const job = await exportTo('csv', target);
    expect(job.status).toBe('failed');
    expect(job.error?.message).toContain('does not exist');
    expect(fs.existsSync(path.dirname(target))).toBe(false);
  });

  it('a cancelled export leaves no file, not even a partial one', async () => {
    const big = await call(host, 'query.run', {
      queryId: 'big',
      sql: "SELECT range AS id, repeat('x', 200) || range AS body FROM range(6000000)",
      pageSize: 0,
    });
    const dir = tempDir();
    const { jobId } = await call(host, 'query.export', {
      resultId: big.resultId!,
      format: 'csv',
      path: path.join(dir, 'big.csv'),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await call(host, 'jobs.cancel', { jobId });
    const job = await host.jobs.wait(jobId);
    expect(job.status).toBe('cancelled');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
