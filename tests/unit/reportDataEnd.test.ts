/**
 * A report run whose date parameters lie after the workspace's data says where the data ends, instead of a bare
 * "0 row(s)" that reads as "nothing happened".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { QueryResult } from '../../shared/contract';
import { call, importFile, openTempHost, writeTemp } from './support';

let host: Host;

beforeAll(async () => {
  let dir: string;
  ({ host, dir } = await openTempHost());
  const content = writeTemp(dir, 'posts.csv', 'content_id,created_at\nc1,2024-03-01 08:00:00\nc2,2024-03-20 09:00:00\n');
  const reports = writeTemp(dir, 'flags.csv', 'report_id,content_id,created_at\nr1,c1,2024-03-31 23:30:00\nr2,c2,2024-03-15 10:00:00\n');
  expect((await importFile(host, content, { table: 'content' })).status).toBe('done');
  expect((await importFile(host, reports, { table: 'reports' })).status).toBe('done');
});
afterAll(async () => host?.close());

const REPORT = `-- [params]
-- date :start_date = 2024-03-01
-- datetime :since = 2024-03-01 00:00:00
-- string :content = %
SELECT * FROM reports WHERE created_at >= :start_date AND created_at >= :since AND content_id LIKE :content`;

const run = (values: Record<string, string>) => call<QueryResult>(host, 'reports.run', { queryId: crypto.randomUUID(), sql: REPORT, values });

describe('a report run past the data', () => {
  it('says the data ends on its last day, naming the date parameter after it', async () => {
    const result = await run({ start_date: '2024-04-02' });
    expect(result.rowCount).toBe(0);
    expect(result.pastDataEnd).toEqual({ dataEnds: '2024-03-31', params: ['start_date'] });
    expect(result.message).toBe('0 row(s). The data ends on 2024-03-31; :start_date (2024-04-02) is after it.');
  });

  it('compares a date-time parameter with the last moment, not the last day', async () => {
    const result = await run({ start_date: '2024-03-31', since: '2024-03-31 23:45:00' });
    expect(result.rowCount).toBe(0);
    expect(result.pastDataEnd).toEqual({ dataEnds: '2024-03-31', params: ['since'] });
    expect(result.message).toContain('The data ends on 2024-03-31; :since (2024-03-31 23:45:00) is after it.');
  });

  it('says nothing more when rows were found, or when the dates lie inside the data', async () => {
    const found = await run({ start_date: '2024-03-10' });
    expect(found.rowCount).toBe(2);
    expect(found.pastDataEnd).toBeUndefined();
    const none = await run({ start_date: '2024-03-10', content: 'nobody' });
    expect(none.rowCount).toBe(0);
    expect(none.pastDataEnd).toBeUndefined();
    expect(none.message).toBe('0 row(s).');
  });
});
