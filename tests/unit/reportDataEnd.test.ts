/**
 * A report run whose date parameters lie after the workspace's data says where the data ends, instead of a bare
 * "0 row(s)" that reads as "nothing happened".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';

import { call, importFile, openTempHost, writeTemp } from './support';

let host: Host;

beforeAll(async () => {
  let dir: string;
  ({ host, dir } = await openTempHost());
  const content = writeTemp(
    dir,
    'posts.csv',
    'content_id,created_at\nc1,2024-03-01 08:00:00\nc2,2024-03-20 09:00:00\n',
  );
  const reports = writeTemp(
    dir,
    'flags.csv',
    'report_id,content_id,created_at\nr1,c1,2024-03-31 23:30:00\nr2,c2,2024-03-15 10:00:00\n',
  );
  expect((await importFile(host, content, { table: 'content' })).status).toBe('done');
  expect((await importFile(host, reports, { table: 'reports' })).status).toBe('done');
});
afterAll(async () => host?.close());

const REPORT = `-- [params]
-- date :start_date = 2024-03-01
-- datetime :since = 2024-03-01 00:00:00
-- string :content = %
SELECT * FROM reports WHERE created_at >= :start_date AND created_at >= :since AND content_id LIKE :content`;

const run = (values: Record<string, string>) =>
  call(host, 'reports.run', { queryId: crypto.randomUUID(), sql: REPORT, values });

describe('a report run past the data', () => {
  it('says the data ends on its last day, naming the date parameters after it', async () => {
    const result = await run({ start_date: '2024-04-02', since: '2024-04-02 00:00:00' });
    expect(result.rowCount).toBe(0);
    expect(result.pastDataEnd).toEqual({ dataEnds: '2024-03-31', params: ['start_date', 'since'] });
    expect(result.message).toBe(
      '0 row(s). The data ends on 2024-03-31; :start_date (2024-04-02) and :since (2024-04-02 00:00:00) are after it.',
    );
    const single = await call(host, 'reports.run', {
      queryId: crypto.randomUUID(),
      sql: '-- [params]\n-- date :day\nSELECT * FROM reports WHERE created_at::DATE = :day',
      values: { day: '2024-05-01' },
    });
    expect(single.message).toBe('0 row(s). The data ends on 2024-03-31; :day (2024-05-01) is after it.');
  });

  it('compares a date-time parameter with the last moment, not the last day', async () => {
    const after = await run({ start_date: '2024-04-01', since: '2024-03-31 23:45:00' });
    expect(after.pastDataEnd).toEqual({ dataEnds: '2024-03-31', params: ['start_date', 'since'] });
    // 23:00 on the last day is inside the data (its last report is at 23:30): the empty result has another cause.
    const inside = await run({ start_date: '2024-04-01', since: '2024-03-31 23:00:00' });
    expect(inside.rowCount).toBe(0);
    expect(inside.pastDataEnd).toBeUndefined();
  });

  it('says nothing more when rows were found, or when the dates lie inside the data (or only some of them past it)', async () => {
    const found = await run({ start_date: '2024-03-10' });
    expect(found.rowCount).toBe(2);
    expect(found.pastDataEnd).toBeUndefined();
    const none = await run({ start_date: '2024-03-10', content: 'nobody' });
    expect(none.rowCount).toBe(0);
    expect(none.pastDataEnd).toBeUndefined();
    expect(none.message).toBe('0 row(s).');
    const endOnlyPast = await call(host, 'reports.run', {
      queryId: crypto.randomUUID(),
      sql: "-- [params]\n-- date :from = 2024-03-01\n-- date :to = 2024-03-02\nSELECT * FROM reports WHERE created_at >= :from AND created_at < :to AND content_id = 'nobody'",
      values: { from: '2024-03-20', to: '2024-04-20' },
    });
    expect(endOnlyPast.rowCount).toBe(0);
    expect(endOnlyPast.pastDataEnd).toBeUndefined();
  });
});
