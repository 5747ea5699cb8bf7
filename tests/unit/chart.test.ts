/** Charting any result: the chart the column types suggest, and the host's aggregation to what is drawn. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { type ChartSpec, chooseChart, HISTOGRAM_BINS, MAX_CATEGORIES } from '../../shared/chart';

import { call, openTempHost } from './support';

const col = (name: string, type: string) => ({ name, type });

describe('the chart a result suggests', () => {
  it('draws time on x as a line, split by a category', () => {
    expect(chooseChart([col('hour', 'TIMESTAMP'), col('reason', 'VARCHAR'), col('reports', 'BIGINT')])).toEqual({
      type: 'line',
      x: 'hour',
      y: 'reports',
      series: 'reason',
      aggregate: 'sum',
    });
  });
  it('a category and a measure as bars; two categories and a measure as a heatmap', () => {
    expect(chooseChart([col('action', 'VARCHAR'), col('n', 'BIGINT')])).toMatchObject({
      type: 'bar',
      x: 'action',
      y: 'n',
    });
    expect(
      chooseChart([col('actor_type', 'VARCHAR'), col('action', 'VARCHAR'), col('actions', 'BIGINT')]),
    ).toMatchObject({ type: 'heatmap', x: 'actor_type', y: 'actions', series: 'action' });
  });
  it('an hour number is an axis, not a measure (hour × category → heatmap)', () => {
    expect(
      chooseChart([col('hour_utc', 'BIGINT'), col('category', 'VARCHAR'), col('actions', 'BIGINT')]),
    ).toMatchObject({ type: 'heatmap', x: 'hour_utc', y: 'actions', series: 'category' });
  });
  it('one measure alone as a histogram, two as a scatter, a category alone as counted bars', () => {
    expect(chooseChart([col('score', 'DOUBLE')])).toMatchObject({
      type: 'histogram',
      x: 'score',
      y: null,
      aggregate: 'count',
    });
    expect(
      chooseChart([col('content_id', 'VARCHAR'), col('score_a', 'DOUBLE'), col('score_b', 'FLOAT')]),
    ).toMatchObject({ type: 'bar', x: 'content_id', y: 'score_a' });
    expect(chooseChart([col('score_a', 'DOUBLE'), col('score_b', 'FLOAT')])).toMatchObject({
      type: 'scatter',
      x: 'score_a',
      y: 'score_b',
    });
    expect(chooseChart([col('language', 'VARCHAR')])).toMatchObject({
      type: 'bar',
      x: 'language',
      y: null,
      aggregate: 'count',
    });
  });
  it('passes over id columns and a timestamp deep in a wide row; nothing to draw is null', () => {
    expect(chooseChart([col('user_id', 'VARCHAR'), col('surface', 'VARCHAR'), col('n', 'INTEGER')])).toMatchObject({
      type: 'bar',
      x: 'surface',
    });
    expect(
      chooseChart([
        col('actor_type', 'VARCHAR'),
        col('action', 'VARCHAR'),
        col('actions', 'BIGINT'),
        col('first_at', 'TIMESTAMP'),
      ]),
    ).toMatchObject({ type: 'heatmap' });
    expect(chooseChart([])).toBeNull();
  });
});

describe('the host aggregates a result to what the chart draws', () => {
  let host: Host;
  beforeAll(async () => {
    ({ host } = await openTempHost());
  });
  afterAll(async () => host?.close());

  const chart = async (sql: string, spec: ChartSpec) => {
    const result = await call(host, 'query.run', { queryId: crypto.randomUUID(), sql, pageSize: 10 });
    return call(host, 'query.chart', { resultId: result.resultId!, spec });
  };

  it('bars of a million rows: 40 categories by total, the rest folded into (other), the sums intact', async () => {
    const data = await chart('SELECT (range % 100)::VARCHAR AS bucket, range % 7 AS n FROM range(1000000)', {
      type: 'bar',
      x: 'bucket',
      y: 'n',
      series: null,
      aggregate: 'sum',
    });
    expect(data.x).toHaveLength(MAX_CATEGORIES + 1);
    expect(data.x.at(-1)).toBe('(other)');
    expect(data.omitted.x).toBe(100 - MAX_CATEGORIES);
    // Every row's n is summed somewhere: sum over range(1e6) of (range % 7).
    const expected = Array.from({ length: 7 }, (_, k) => k).reduce(
      (sum, k) => sum + k * Math.ceil((1_000_000 - k) / 7),
      0,
    );
    expect(data.series[0]!.y.reduce((a, b) => a! + b!, 0)).toBe(expected);
    expect(data.rows).toBe(1_000_000);
  });

  it('a line over time with one series per category, and a histogram in fixed bins', async () => {
    const line = await chart(
      "SELECT TIMESTAMP '2024-03-01' + INTERVAL (range % 24) HOUR AS hour, CASE WHEN range % 3 = 0 THEN 'spam' ELSE 'abuse' END AS reason, 1 AS reports FROM range(2400)",
      { type: 'line', x: 'hour', y: 'reports', series: 'reason', aggregate: 'sum' },
    );
    expect(line.x).toHaveLength(24);
    expect(line.x[0]).toBe('2024-03-01T00:00:00');
    expect(line.series.map((series) => series.name).sort()).toEqual(['abuse', 'spam']);
    expect(line.series.find((series) => series.name === 'spam')!.y.reduce((a, b) => a! + b!, 0)).toBe(800);
    const histogram = await chart('SELECT range / 1000.0 AS score FROM range(1001)', {
      type: 'histogram',
      x: 'score',
      y: null,
      series: null,
      aggregate: 'count',
    });
    expect(histogram.x).toHaveLength(HISTOGRAM_BINS);
    expect(histogram.binWidth).toBeCloseTo(1 / HISTOGRAM_BINS, 9);
    expect(histogram.series[0]!.y.reduce((a, b) => a! + b!, 0)).toBe(1001);
  });

  it('refuses a spec the result cannot draw, naming the field', async () => {
    const result = await call(host, 'query.run', {
      queryId: crypto.randomUUID(),
      sql: "SELECT 'a' AS label, 2 AS n",
    });
    expect(
      await host.dispatch('query.chart', { resultId: result.resultId, spec: { type: 'bar', x: 'nope', y: null } }),
    ).toMatchObject({ ok: false, error: { message: 'spec.x: the result has no column "nope".' } });
    expect(
      await host.dispatch('query.chart', {
        resultId: result.resultId,
        spec: { type: 'bar', x: 'n', y: 'label', aggregate: 'sum' },
      }),
    ).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('spec.y: "label" is VARCHAR, not a number') },
    });
    expect(
      await host.dispatch('query.chart', { resultId: result.resultId, spec: { type: 'pie', x: 'label' } }),
    ).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('a report keeps its chart, and a shipped .sql file can declare one', async () => {
    const saved = await call(host, 'reports.save', { name: 'By label', sql: "SELECT 'a' AS label, 2 AS n" });
    expect(saved.chart).toBeNull();
    const charted = await call(host, 'reports.setChart', {
      id: saved.id,
      chart: { type: 'bar', x: 'label', y: 'n', series: null, aggregate: 'sum' },
    });
    expect((await call(host, 'reports.get', { id: charted.id })).chart).toEqual({
      type: 'bar',
      x: 'label',
      y: 'n',
      series: null,
      aggregate: 'sum',
    });
    const shipped = (await import('../../electron/host/reports/reports')).reportFromSqlFile(
      'sample-data/reports/platform/06-moderation-actions-summary.sql',
    );
    expect(shipped.chart).toMatchObject({ type: 'stacked_bar', x: 'action', series: 'actor_type' });
  });
});
