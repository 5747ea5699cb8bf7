/**
 * A result answers with its first page while the rest streams into the results store; pages past what is
 * stored, sorts and exports wait for the rows they need. Asserted by content and by the order of events, not time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';

import type { HostEvent, QueryStoredEvent } from '../../shared/jobs';
import { call, openTempHost } from './support';

let host: Host;
let dir: string;
const events: QueryStoredEvent[] = [];

beforeAll(async () => {
  ({ host, dir } = await openTempHost());
  host.onEvent((event: HostEvent) => {
    if (event.channel === 'query') events.push(event.event);
  });
});
afterAll(async () => host?.close());

const storedEvents = (resultId: string) => events.filter((event) => event.resultId === resultId);
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('a large result', () => {
  it('answers with the first page, then streams the rest in, and a far page waits for its rows', async () => {
    const result = await call(host, 'query.run', {
      queryId: 's1',
      sql: 'SELECT range AS n, range * 2 AS twice FROM range(3000000)',
      pageSize: 200,
    });
    // How far the storing got by the answer depends on the machine; what the answer says must agree with itself.
    // (That the answer does not wait for the whole result is judged below, by a read that can never finish.)
    expect(result.rowCount).toBeGreaterThanOrEqual(200);
    expect(result.complete).toBe(result.rowCount === 3_000_000);
    expect(result.rows[0]).toEqual(['0', '0']);
    expect(result.rows[199]).toEqual(['199', '398']);
    const last = await call(host, 'query.page', {
      resultId: result.resultId!,
      offset: 2_999_998,
      limit: 10,
    });
    expect(last.rows).toEqual([
      ['2999998', '5999996'],
      ['2999999', '5999998'],
    ]);
    expect(last.rowCount).toBe(3_000_000);
    const seen = storedEvents(result.resultId!);
    expect(seen.at(-1)).toEqual({ resultId: result.resultId, rowCount: 3_000_000, complete: true });
    // Counts only grow, and the events before the last say "not yet".
    expect(seen.map((event) => event.rowCount)).toEqual([...seen.map((event) => event.rowCount)].sort((a, b) => a - b));
    expect(seen.slice(0, -1).every((event) => !event.complete)).toBe(true);
  });

  it('sorts and exports only complete results', async () => {
    const result = await call(host, 'query.run', {
      queryId: 's2',
      sql: 'SELECT range AS n FROM range(1500000)',
      pageSize: 50,
    });
    const sorted = await call(host, 'query.page', {
      resultId: result.resultId!,
      offset: 0,
      limit: 2,
      sort: { column: 'n', direction: 'desc' },
    });
    expect(sorted.rows).toEqual([['1499999'], ['1499998']]);
    const second = await call(host, 'query.run', {
      queryId: 's3',
      sql: 'SELECT range AS n FROM range(1200000)',
      pageSize: 50,
    });
    const { jobId } = await call(host, 'query.export', {
      resultId: second.resultId!,
      format: 'csv',
      path: path.join(dir, 'all.csv'),
    });
    expect((await host.jobs.wait(jobId)).status).toBe('done');
    expect(fs.readFileSync(path.join(dir, 'all.csv'), 'utf8').trim().split('\n')).toHaveLength(1_200_001);
  });

  it("answers before the whole result is stored: a read that fails after the first page still answers, and reports the failure with DuckDB's own message; pages past it fail with it", async () => {
    const result = await call(host, 'query.run', {
      queryId: 's4',
      sql: "SELECT CASE WHEN range < 900000 THEN range ELSE error('row 900000 is broken') END AS n FROM range(1000000)",
      pageSize: 100,
    });
    // This read can never be wholly stored, so an answer with its first page is one that did not wait for the end.
    expect(result.complete).toBe(false);
    expect(result.rows).toHaveLength(100);
    expect(result.rows[99]).toEqual(['99']);
    const far = await host.dispatch('query.page', { resultId: result.resultId, offset: 950_000, limit: 10 });
    expect(far).toMatchObject({ ok: false, error: { message: expect.stringContaining('row 900000 is broken') } });
    await until(() => storedEvents(result.resultId!).some((event) => event.error));
    expect(storedEvents(result.resultId!).at(-1)).toMatchObject({
      complete: false,
      error: { message: expect.stringContaining('row 900000 is broken') },
    });
  });

  it('fails the call when the read fails before its first page', async () => {
    const outcome = await host.dispatch('query.run', {
      queryId: 's4b',
      sql: "SELECT error('broken from the start') AS n FROM range(10)",
    });
    expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringContaining('broken from the start') } });
  });

  it('stops streaming when cancelled or closed, and the host keeps answering', async () => {
    // A read of 10^15 rows never finishes by itself, so only the cancel or the close can have stopped it.
    const endless = 'SELECT range AS n FROM range(1000000000000000)';
    const cancelled = await call(host, 'query.run', { queryId: 's5', sql: endless, pageSize: 10 });
    expect(cancelled.complete).toBe(false);
    expect(await call(host, 'query.cancel', { queryId: 's5' })).toEqual({ cancelled: true });
    await until(() => storedEvents(cancelled.resultId!).some((event) => event.error));
    expect(storedEvents(cancelled.resultId!).at(-1)).toMatchObject({ complete: false, error: { code: 'CANCELLED' } });

    const closed = await call(host, 'query.run', { queryId: 's6', sql: endless, pageSize: 10 });
    expect(closed.complete).toBe(false);
    expect(await call(host, 'query.close', { resultId: closed.resultId! })).toEqual({ closed: true });
    expect(await host.dispatch('query.page', { resultId: closed.resultId, offset: 0, limit: 1 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    await until(() => storedEvents(closed.resultId!).some((event) => event.error));
    expect(storedEvents(closed.resultId!).at(-1)).toMatchObject({ complete: false });
    expect(await call(host, 'query.run', { queryId: 's7', sql: 'SELECT 42 AS answer' })).toMatchObject({
      complete: true,
      rows: [[42]],
    });
  });
});
