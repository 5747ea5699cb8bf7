/**
 * The shipped report libraries run on the sample workspaces and return the numbers the sample generators
 * counted while making the data (ground_truth.json), not numbers computed by the same SQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import { METRIC_REPORTS, PLATFORM_REPORTS_DIR } from '../../sample-data/metricReports';

import { call, tempDir, writeTemp } from './support';

type Row = Record<string, unknown>;

async function openSample(kind: 'platform' | 'discourse'): Promise<Host> {
  const dir = path.join(tempDir(`sift-${kind}-`), 'ws');
  await (await createSampleWorkspace(dir, { kind })).close();
  return Host.open(dir, { remember: false });
}

async function runReport(host: Host, name: string, values: Record<string, string> = {}): Promise<Row[]> {
  const reports = await call(host, 'reports.list', {});
  const report = reports.find((r) => r.name === name);
  if (!report) throw new Error(`no report named ${name}: ${reports.map((r) => r.name).join(', ')}`);
  const result = await call(host, 'reports.run', {
    queryId: crypto.randomUUID(),
    id: report.id,
    values,
    pageSize: 5000,
  });
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column.name, row[i]])));
}

const num = (value: unknown) => Number(value);

describe('the Discourse report library', () => {
  let host: Host;
  let truth: {
    flags_by_type: Record<
      string,
      { flags: number; agreed: number; disagreed: number; ignored: number; pending: number; by_system: number }
    >;
    reviewables_by_type_status: Record<string, Record<string, number>>;
    moderators: Record<string, { handled: number; total_minutes: number }>;
    flaggers: Record<string, number>;
    user_history_actions: Record<string, number>;
    reviewed_by_hour: Record<string, number>;
    users_with_actions: Record<string, { actions: number; first_action_hours: number; counts: Record<string, number> }>;
    potentially_illegal_reviewables: number;
  };
  beforeAll(async () => {
    host = await openSample('discourse');
    truth = JSON.parse(fs.readFileSync('sample-data/discourse/ground_truth.json', 'utf8'));
  });
  afterAll(async () => host?.close());

  it('ships eleven reports, each with a description and defaults that run', async () => {
    const reports = await call(host, 'reports.list', {});
    expect(reports).toHaveLength(11);
    for (const report of reports) {
      expect(report.description.length, report.name).toBeGreaterThan(20);
      expect(report.folder).toBe('Library');
      expect((await runReport(host, report.name)).length, report.name).toBeGreaterThan(0);
    }
  });

  it('flag resolution percentages by flag type', async () => {
    const rows = await runReport(host, 'Flag resolution percentages by flag type');
    expect(rows).toHaveLength(Object.keys(truth.flags_by_type).length);
    for (const row of rows) {
      const expected = truth.flags_by_type[String(row.flag_type)]!;
      expect([row.flags, row.agreed, row.disagreed, row.ignored, row.pending].map(num)).toEqual([
        expected.flags,
        expected.agreed,
        expected.disagreed,
        expected.ignored,
        expected.pending,
      ]);
      expect(num(row.agreed_pct)).toBeCloseTo((100 * expected.agreed) / expected.flags, 1);
    }
  });

  it('reviewable resolution percentages', async () => {
    const rows = await runReport(host, 'Reviewable resolution percentages');
    for (const row of rows) {
      const expected = truth.reviewables_by_type_status[String(row.type)]!;
      const total = Object.values(expected).reduce((a, b) => a + b, 0);
      expect(num(row.reviewables)).toBe(total);
      expect(num(row.pending)).toBe(expected['0'] ?? 0);
      expect(num(row.approved)).toBe(expected['1'] ?? 0);
      expect(num(row.rejected)).toBe(expected['2'] ?? 0);
      expect(num(row.resolved_pct)).toBeCloseTo((100 * (total - (expected['0'] ?? 0))) / total, 1);
    }
  });

  it('moderator resolutions and KPIs', async () => {
    const rows = await runReport(host, 'Moderator resolutions and KPIs');
    expect(rows).toHaveLength(Object.keys(truth.moderators).length);
    for (const row of rows) {
      const expected = truth.moderators[String(row.moderator)]!;
      expect(num(row.handled_flags)).toBe(expected.handled);
      expect(num(row.avg_resolution_minutes)).toBeCloseTo(expected.total_minutes / expected.handled, 1);
    }
  });

  it('who is flagging, with a parameter that changes the answer', async () => {
    const rows = await runReport(host, 'Who is flagging');
    expect(rows.map((row) => [row.flagger, num(row.flags)])).toEqual(
      Object.entries(truth.flaggers)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .map(([name, n]) => [name, n]),
    );
    const frequent = await runReport(host, 'Who is flagging', { min_flags: '3' });
    expect(frequent.length).toBe(Object.values(truth.flaggers).filter((n) => n >= 3).length);
  });

  it('all flag data, filtered by a nullable string parameter', async () => {
    const all = await runReport(host, 'All flag data');
    expect(all.length).toBe(
      Math.min(
        5000,
        Object.values(truth.flags_by_type).reduce((a, t) => a + t.flags, 0),
      ),
    );
    const spam = await runReport(host, 'All flag data', { flag_type: 'spam' });
    expect(spam.length).toBe(truth.flags_by_type.spam!.flags);
    expect(new Set(spam.map((row) => row.flag_type))).toEqual(new Set(['spam']));
  });

  it('flags submitted by type, user vs automated', async () => {
    const rows = await runReport(host, 'Flags submitted by type, user vs automated');
    for (const row of rows) {
      const expected = truth.flags_by_type[String(row.flag_type)]!;
      expect(num(row.automated_flags)).toBe(expected.by_system);
      expect(num(row.user_flags)).toBe(expected.flags - expected.by_system);
    }
  });

  it('moderation actions summary and individual actions', async () => {
    const summary = await runReport(host, 'Moderation actions summary');
    expect(Object.fromEntries(summary.map((row) => [row.action, num(row.actions)]))).toEqual(
      truth.user_history_actions,
    );
    const individual = await runReport(host, 'Individual moderation actions');
    expect(individual.length).toBe(Object.values(truth.user_history_actions).reduce((a, b) => a + b, 0));
    const oneModerator = await runReport(host, 'Individual moderation actions', { acting_user_id: '1' });
    expect(new Set(oneModerator.map((row) => row.staff))).toEqual(new Set(['mod_ana']));
  });

  it('moderation activity by hour and reason', async () => {
    const rows = await runReport(host, 'Moderation activity by hour and reason');
    const byHour: Record<string, number> = {};
    for (const row of rows)
      byHour[String(num(row.hour_utc))] = (byHour[String(num(row.hour_utc))] ?? 0) + num(row.reviewed);
    expect(byHour).toEqual(truth.reviewed_by_hour);
  });

  it('user cohort audit', async () => {
    const rows = await runReport(host, 'User cohort audit');
    expect(rows).toHaveLength(Object.keys(truth.users_with_actions).length);
    const users = (
      await call(host, 'query.run', {
        queryId: 'u',
        sql: 'SELECT username, id FROM users',
        pageSize: 5000,
      })
    ).rows;
    const idOf = new Map(users.map(([name, id]) => [String(name), String(id)]));
    for (const row of rows) {
      const expected = truth.users_with_actions[idOf.get(String(row.username))!]!;
      expect(num(row.actions)).toBe(expected.actions);
      expect(num(row.hours_to_first_action)).toBeCloseTo(expected.first_action_hours, 1);
      const top = Math.max(...Object.values(expected.counts));
      expect(expected.counts[String(row.most_common_action)]).toBe(top);
    }
  });

  it('potentially illegal flags (columns a real Discourse report reads: potentially_illegal, flag_level, silenced_till)', async () => {
    const rows = await runReport(host, 'Potentially illegal flags');
    expect(rows).toHaveLength(truth.potentially_illegal_reviewables);
    expect(rows.every((row) => num(row.illegal_count) >= 1 && num(row.flag_level) === 0)).toBe(true);
  });

  it('runs every report in the library, each returning rows', async () => {
    const files = fs.readdirSync('sample-data/reports/discourse').filter((file) => file.endsWith('.sql'));
    const reports = await call(host, 'reports.list', {});
    expect(files.length).toBeGreaterThanOrEqual(11);
    for (const file of files) {
      const name = /-- name: (.+)/
        .exec(fs.readFileSync(path.join('sample-data/reports/discourse', file), 'utf8'))![1]!
        .trim();
      expect(
        reports.map((r) => r.name),
        file,
      ).toContain(name);
      expect((await runReport(host, name)).length, file).toBeGreaterThan(0);
    }
  });

  it('narrows a report with a date parameter', async () => {
    const january = await runReport(host, 'Flag resolution percentages by flag type', {
      start_date: '2024-01-01',
      end_date: '2024-01-31',
    });
    const everything = await runReport(host, 'Flag resolution percentages by flag type');
    const total = (rows: Row[]) => rows.reduce((sum, row) => sum + num(row.flags), 0);
    expect(total(january)).toBeGreaterThan(0);
    expect(total(january)).toBeLessThan(total(everything));
  });
});

describe('the platform report library', () => {
  let host: Host;
  let truth: {
    reports_by_reason: Record<string, number>;
    reports_by_reporter: Record<string, number>;
    actions_by_type: Record<string, number>;
    actions_by_hour: Record<string, number>;
    moderators: Record<string, { handled: number; total_minutes: number }>;
    users_with_actions: Record<string, { actions: number; first_action_hours: number }>;
    appeals: { appeals: number; decided: number; overturned: number; appealed_items: number; removed_items: number };
  };
  beforeAll(async () => {
    host = await openSample('platform');
    truth = JSON.parse(fs.readFileSync('sample-data/platform/ground_truth.json', 'utf8'));
  });
  afterAll(async () => host?.close());

  it('ships its reports, each of which runs with its defaults', async () => {
    const reports = await call(host, 'reports.list', {});
    expect(reports.length).toBe(14);
    for (const report of reports) expect((await runReport(host, report.name)).length, report.name).toBeGreaterThan(0);
  });

  it("ships the trust-and-safety metric reports written from shared/releaseMetrics.ts's definitions", () => {
    for (const [file, text] of Object.entries(METRIC_REPORTS))
      expect(fs.readFileSync(path.join(PLATFORM_REPORTS_DIR, file), 'utf8'), file).toBe(text);
  });

  it('appeals, counted as the generator made them', async () => {
    const [row] = await runReport(host, 'Appeals');
    const expected = truth.appeals;
    expect([row!.appeals, row!.decided, row!.overturned, row!.removed_items, row!.appealed_items].map(num)).toEqual([
      expected.appeals,
      expected.decided,
      expected.overturned,
      expected.removed_items,
      expected.appealed_items,
    ]);
    expect(num(row!.overturned_pct)).toBeCloseTo((100 * expected.overturned) / expected.decided, 1);
  });

  it('overturn rate, time to removal and queue depth agree with eval.metrics', async () => {
    const metrics = await call(host, 'eval.metrics', { model: 'text-distil', version: '2024.03.0' });
    const overturn = (await runReport(host, 'Overturn rate by model version')).filter(
      (row) => row.model_version === '2024.03.0',
    );
    expect(overturn.reduce((sum, row) => sum + num(row.flagged), 0)).toBe(metrics.overturn!.flagged);
    expect(overturn.reduce((sum, row) => sum + num(row.reversed), 0)).toBe(metrics.overturn!.reversed);
    const [all] = await runReport(host, 'Time to removal, median and p95');
    expect([all!.category, num(all!.removals)]).toEqual(['(all)', metrics.timeToRemoval!.removals]);
    expect(num(all!.p95_minutes)).toBeCloseTo(metrics.timeToRemoval!.p95Seconds! / 60, 1);
    const queue = await runReport(host, 'Review queue depth over time');
    expect(queue.map((row) => num(row.depth))).toEqual(metrics.queueDepth!.points.map((point) => point.depth));
  });

  it('report resolution by reason counts every report', async () => {
    const rows = await runReport(host, 'Report resolution percentages by reason');
    expect(Object.fromEntries(rows.map((row) => [row.reason, num(row.reports)]))).toEqual(truth.reports_by_reason);
    for (const row of rows) expect(num(row.enforced) + num(row.passed) + num(row.unreviewed)).toBe(num(row.reports));
  });

  it('moderator KPIs', async () => {
    const rows = await runReport(host, 'Moderator resolutions and KPIs');
    for (const row of rows) {
      const expected = truth.moderators[String(row.moderator)]!;
      expect(num(row.handled)).toBe(expected.handled);
      expect(num(row.avg_resolution_minutes)).toBeCloseTo(expected.total_minutes / expected.handled, 1);
    }
  });

  it('who is reporting', async () => {
    const rows = await runReport(host, 'Who is reporting');
    expect(rows.length).toBe(Object.keys(truth.reports_by_reporter).length);
    for (const row of rows.slice(0, 20))
      expect(num(row.reports)).toBe(truth.reports_by_reporter[String(row.reporter_id)]);
  });

  it('moderation actions summary, individual actions, activity by hour', async () => {
    const summary = await runReport(host, 'Moderation actions summary');
    expect(Object.fromEntries(summary.map((row) => [`${row.actor_type}:${row.action}`, num(row.actions)]))).toEqual(
      truth.actions_by_type,
    );
    const total = Object.values(truth.actions_by_type).reduce((a, b) => a + b, 0);
    const human = await runReport(host, 'Individual moderation actions', { actor_type: 'human' });
    expect(human.length).toBe(
      Object.entries(truth.actions_by_type)
        .filter(([key]) => key.startsWith('human:'))
        .reduce((a, [, n]) => a + n, 0),
    );
    const hourly = await runReport(host, 'Moderation activity by hour and reason');
    const byHour: Record<string, number> = {};
    for (const row of hourly)
      byHour[String(num(row.hour_utc))] = (byHour[String(num(row.hour_utc))] ?? 0) + num(row.actions);
    expect(byHour).toEqual(truth.actions_by_hour);
    expect(Object.values(byHour).reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('flags by type, user vs automated, and the cohort audit', async () => {
    const flags = await runReport(host, 'Flags submitted by type, user vs automated');
    const automated = flags.reduce((sum, row) => sum + num(row.automated_flags), 0);
    expect(automated).toBe(
      (truth.actions_by_type['model:remove'] ?? 0) + (truth.actions_by_type['model:escalate'] ?? 0),
    );
    const users = flags.reduce((sum, row) => sum + num(row.user_reports), 0);
    expect(users).toBe(Object.values(truth.reports_by_reason).reduce((a, b) => a + b, 0));
    const cohort = await runReport(host, 'User cohort audit', { min_actions: '1' });
    expect(cohort.length).toBe(Math.min(5000, Object.keys(truth.users_with_actions).length));
    for (const row of cohort.slice(0, 50)) {
      const expected = truth.users_with_actions[String(row.user_id)]!;
      expect(num(row.actions)).toBe(expected.actions);
      expect(num(row.hours_to_first_action)).toBeCloseTo(expected.first_action_hours, 1);
    }
  });

  it('all report data with a string_list parameter', async () => {
    const rows = await runReport(host, 'All report data', { reasons: 'hate,nudity' });
    expect(rows.length).toBe(truth.reports_by_reason.hate! + truth.reports_by_reason.nudity!);
  });
});

describe('saving, running and moving reports', () => {
  let host: Host;
  beforeAll(async () => {
    host = await openSample('platform');
  });
  afterAll(async () => host?.close());

  it('names the parameter when a value is bad or a type is unknown', async () => {
    const report = (await call(host, 'reports.list', {})).find((r) => r.name === 'Who is reporting')!;
    const bad = await host.dispatch('reports.run', { queryId: 'x', id: report.id, values: { min_reports: 'lots' } });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'Parameter :min_reports (int): "lots" is not an integer.' },
    });
    const unknown = await host.dispatch('reports.save', {
      name: 'Broken',
      sql: '-- [params]\n-- money :amount = 5\nSELECT :amount',
    });
    expect(unknown).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('Parameter :amount (line 2) has unknown type "money"') },
    });
  });

  it('remembers the last values a saved report ran with', async () => {
    const saved = await call(host, 'reports.save', {
      name: 'Reports on a day',
      folder: 'Mine',
      sql: '-- [params]\n-- date :day = 2024-03-10\nSELECT count(*) AS n FROM reports WHERE created_at::DATE = :day',
    });
    const result = await call(host, 'reports.run', {
      queryId: 'd',
      id: saved.id,
      values: { day: '2024-03-11' },
    });
    expect(Number(result.rows[0]![0])).toBeGreaterThan(0);
    expect((await call(host, 'reports.get', { id: saved.id })).lastValues).toEqual({ day: '2024-03-11' });
  });

  it('pins a report to the Monitor view and takes it off again; an unknown id is named', async () => {
    const report = (await call(host, 'reports.list', {})).find((r) => r.name === 'Who is reporting')!;
    expect(report.pinned).toBe(false);
    expect((await call(host, 'reports.setPinned', { id: report.id, pinned: true })).pinned).toBe(true);
    expect((await call(host, 'reports.list', {})).filter((r) => r.pinned).map((r) => r.name)).toEqual([
      'Who is reporting',
    ]);
    expect((await call(host, 'reports.setPinned', { id: report.id, pinned: false })).pinned).toBe(false);
    expect(await host.dispatch('reports.setPinned', { id: 9999, pinned: true })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'id: no report with id 9999.' },
    });
  });

  it('round-trips through a Data Explorer .dcquery.json and a plain .sql file', async () => {
    const original = await call(host, 'reports.save', {
      name: 'Spam reports since',
      description: 'Spam reports after a time',
      sql: "-- [params]\n-- datetime :since = 2024-03-10 12:00\n-- null int_list :ids\nSELECT count(*) FROM reports WHERE reason = 'spam' AND created_at >= :since",
    });
    const dir = tempDir();
    const exported = await call(host, 'reports.export', {
      id: original.id,
      format: 'dcquery',
      path: path.join(dir, 'spam.dcquery.json'),
    });
    const json = JSON.parse(fs.readFileSync(exported.path, 'utf8')) as {
      query: { name: string; sql: string; param_info: unknown[] };
    };
    expect(json.query).toMatchObject({ name: 'Spam reports since', sql: original.sql });
    expect(json.query.param_info).toEqual([
      { identifier: 'since', type: 'datetime', default: '2024-03-10 12:00', nullable: false },
      { identifier: 'ids', type: 'int_list', default: null, nullable: true },
    ]);
    const [imported] = await call(host, 'reports.import', { path: exported.path });
    expect(imported).toMatchObject({
      name: 'Spam reports since',
      description: 'Spam reports after a time',
      sql: original.sql,
      folder: 'Imported',
    });
    const sqlFile = await call(host, 'reports.export', {
      id: original.id,
      format: 'sql',
      path: path.join(dir, 'spam.sql'),
    });
    const [fromSql] = await call(host, 'reports.import', { path: sqlFile.path });
    expect(fromSql!.name).toBe('Spam reports since');
    const a = await call(host, 'reports.run', { queryId: 'a', id: imported!.id, values: {} });
    const b = await call(host, 'reports.run', { queryId: 'b', id: fromSql!.id, values: {} });
    expect(a.rows).toEqual(b.rows);
  });

  it('imports a Data Explorer export written by Discourse, and rejects a broken one by name', async () => {
    const file = writeTemp(
      tempDir(),
      'flags.dcquery.json',
      JSON.stringify({
        query: {
          id: 12,
          sql: '-- [params]\n-- int :n = 3\nSELECT :n AS n',
          name: 'Three',
          description: 'from Discourse',
          param_info: [],
          created_at: '2024-01-01T00:00:00Z',
          last_run_at: null,
          hidden: false,
          user_id: 1,
        },
      }),
    );
    const [report] = await call(host, 'reports.import', { path: file });
    expect((await call(host, 'reports.run', { queryId: 'n', id: report!.id, values: {} })).rows).toEqual([[3]]);
    const broken = writeTemp(tempDir(), 'broken.dcquery.json', '{"query": {"name": "x"}}');
    expect(await host.dispatch('reports.import', { path: broken })).toMatchObject({
      ok: false,
      error: { message: 'broken.dcquery.json: query 1 has no "sql" text.' },
    });
  });
});
