/**
 * The release metrics' definitions (shared/releaseMetrics.ts, docs/release-gates.md "Metrics") on a small hand-made
 * log, in real DuckDB, and the same definitions over rows (shared/releaseMetricRows.ts): both must give the answers
 * worked out by hand below.
 *
 * The log, times in minutes after 2024-03-01 00:00 (m = model, h = human; v1/v2 the model_version):
 *   c1  report 5 · m:v1 remove spam 10 · h restore 60          flagged, reversed; removal 10 − 5 = 5 min = 300 s
 *   c2  m:v1 escalate hate 0 · h pass 30                       flagged, reversed; queue [0, 30)
 *   c3  m:v1 escalate spam 20 · h remove 120                   flagged, upheld; removal 120 − 20 = 6000 s; queue [20, 120)
 *   c4  m:v2 escalate nsfw 40                                  flagged (v2), waits for ever; queue [40, —)
 *   c5  report 15 · h remove 50                                removal 50 − 15 = 35 min = 2100 s
 *   c6  h remove 10                                            removed with no report or flag: no time to removal
 *   c7  m:v1 escalate spam 70 · h escalate 80 · h pass 210     flagged, reversed; a person's escalation is no decision:
 *                                                              queue [70, 210)
 *   c8  report 1 · h pass 5 · m:v1 remove spam 6               flagged, the pass came before the flag: not reversed;
 *                                                              removal from the report, 6 − 1 = 300 s
 *   c9  h remove 150 · report 180                              reported after the removal: no time to removal
 *
 * Overturn rate: flagged c1 c2 c3 c4 c7 c8 = 6, reversed c1 c2 c7 = 3 → 0.5; version v1 alone: 3 of 5 = 0.6; v2: 0 of 1.
 * Time to removal: delays 300, 300, 2100, 6000 s. python3 -c "import numpy; print(numpy.percentile([300,300,2100,6000],
 *   [50,95]))" prints [1200. 5415.]:
 *   p50 at position 1.5: 300 + 0.5·1800 = 1200; p95 at position 2.85: 2100 + 0.85·3900 = 5415.
 * Queue depth at the end of each hour (entered before t, not decided before t):
 *   01:00 → c3, c4 = 2 (c2 decided at 00:30); 02:00 → c3, c4, c7 = 3 (c3's decision at 02:00 is not before 02:00);
 *   03:00 → c4, c7 = 2; 04:00 → c4 = 1.
 * High reach, views_24h c1…c10 = 1000, 500, 500, 200, 100, 50, 20, 10, 5, NULL (n = 9 with views): fraction 0.3 →
 *   fewer than 2.7 items more viewed: c1 (0), c2 and c3 (1 each) → cutoff 500; fraction 0.1 → fewer than 0.9 → c1 → 1000;
 *   fraction 0 → none.
 * Spam pairs (score, label), escalate threshold 0.5: c1 (0.9, 0) c2 (0.6, 0) c3 (0.4, 0) c4 (0.8, 0) c5 (0.95, 1)
 *   c6 (0.2, 0) c7 (0.5, 0). All negatives c1 c2 c3 c4 c6 c7, scored ≥ 0.5: c1 c2 c4 c7 → FPR 4/6. High reach (c1–c3):
 *   c1, c2 of 3 → 2/3. Languages en = c1 c3 c5 c6, de = c2 c4 c7: en negatives c1 c3 c6, c1 flagged → 1/3; de 3/3.
 *   Hate pairs, escalate 0.7: c1 (0.7, 0) flagged (≥) → 1/1; c2 (0.1, 1) is a positive.
 * Appeals: a1 c1 overturned, a2 c3 upheld, a3 c5 undecided, a4 c1 overturned, a5 c2 upheld → 5 appeals, 4 decided,
 *   2 overturned → share 0.5. Removed items c1 c3 c5 c6 c8 c9 = 6, of which appealed c1 c3 c5 = 3 → appeal rate 0.5.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  falsePositiveRate,
  fprBySlice,
  highReachCutoff,
  highReachFpr,
  linearQuantile,
  overturnRate,
  queueDepthAt,
  type ActionRow,
  type ReportRow,
  timeToRemoval,
} from '../../shared/releaseMetricRows';
import {
  appealCountsSql,
  appealMetrics,
  falsePositiveCountsSql,
  highReachCutoffSql,
  overturnItemsSql,
  queueDepthSql,
  thresholdByCategorySql,
  timeToRemovalSql,
} from '../../shared/releaseMetrics';
import { wilsonInterval } from '../../shared/slices';
import type { Host } from '../../electron/host/host';
import { call, openTempHost } from './support';

const T0 = Date.UTC(2024, 2, 1);
const at = (minutes: number) => T0 + minutes * 60_000;
const ts = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

// [content, actor type, action, category, model version, minute]
const ACTIONS: [string, string, string, string | null, string | null, number][] = [
  ['c1', 'model', 'remove', 'spam', 'v1', 10],
  ['c1', 'human', 'restore', 'spam', null, 60],
  ['c2', 'model', 'escalate', 'hate_speech', 'v1', 0],
  ['c2', 'human', 'pass', null, null, 30],
  ['c3', 'model', 'escalate', 'spam', 'v1', 20],
  ['c3', 'human', 'remove', 'spam', null, 120],
  ['c4', 'model', 'escalate', 'nsfw', 'v2', 40],
  ['c5', 'human', 'remove', 'spam', null, 50],
  ['c6', 'human', 'remove', 'spam', null, 10],
  ['c7', 'model', 'escalate', 'spam', 'v1', 70],
  ['c7', 'human', 'escalate', 'spam', null, 80],
  ['c7', 'human', 'pass', null, null, 210],
  ['c8', 'human', 'pass', null, null, 5],
  ['c8', 'model', 'remove', 'spam', 'v1', 6],
  ['c9', 'human', 'remove', 'spam', null, 150],
];
const REPORTS: [string, number][] = [
  ['c1', 5],
  ['c5', 15],
  ['c8', 1],
  ['c9', 180],
];
const VIEWS = [1000, 500, 500, 200, 100, 50, 20, 10, 5, null];
const LANGUAGE = ['en', 'de', 'en', 'de', 'en', 'en', 'de'];
const SPAM: [number, 0 | 1][] = [
  [0.9, 0],
  [0.6, 0],
  [0.4, 0],
  [0.8, 0],
  [0.95, 1],
  [0.2, 0],
  [0.5, 0],
];
// [appeal, content, outcome, decided minute]
const APPEALS: [string, string, string | null, number | null][] = [
  ['a1', 'c1', 'overturned', 300],
  ['a2', 'c3', 'upheld', 400],
  ['a3', 'c5', null, null],
  ['a4', 'c1', 'overturned', 500],
  ['a5', 'c2', 'upheld', 600],
];

const actionRows: ActionRow[] = ACTIONS.map(([contentId, actorType, action, category, modelVersion, m]) => ({
  contentId,
  actorType,
  action,
  category,
  modelVersion,
  at: at(m),
}));
const reportRows: ReportRow[] = REPORTS.map(([contentId, m]) => ({ contentId, at: at(m) }));

let host: Host;
const rows = (sql: string, params?: Record<string, string | number>) =>
  host.workspace.withConnection(async (conn) => (await conn.runAndReadAll(sql, params)).getRowObjectsJson());
const literal = (value: string | number | null) =>
  value === null ? 'NULL' : typeof value === 'number' ? String(value) : `'${value}'`;
const values = (tuples: (string | number | null)[][]) =>
  tuples.map((tuple) => `(${tuple.map(literal).join(', ')})`).join(', ');

beforeAll(async () => {
  ({ host } = await openTempHost());
  await host.workspace.withConnection(build);
});
afterAll(async () => host?.close());

/** The log above as the canonical tables, with the spam and hate pairs as a model's scores and a labels table. */
async function build(conn: DuckDBConnection) {
  await conn.run(
    `CREATE TABLE moderation_actions AS SELECT * FROM (VALUES ${values(
      ACTIONS.map(([c, type, action, category, version, m], i) => [
        `a${i}`,
        c,
        type,
        action,
        category,
        version,
        ts(at(m)),
      ]),
    )}) t(action_id, content_id, actor_type, action, category, model_version, created_at)`,
  );
  await conn.run(`ALTER TABLE moderation_actions ALTER created_at TYPE TIMESTAMP`);
  await conn.run(
    `CREATE TABLE reports AS SELECT report_id, content_id, created_at::TIMESTAMP AS created_at FROM (VALUES ${values(
      REPORTS.map(([c, m], i) => [`r${i}`, c, ts(at(m))]),
    )}) t(report_id, content_id, created_at)`,
  );
  await conn.run(
    `CREATE TABLE content AS SELECT content_id, views_24h::INTEGER AS views_24h, language FROM (VALUES ${values(
      VIEWS.map((v, i) => [`c${i + 1}`, v, LANGUAGE[i] ?? null]),
    )}) t(content_id, views_24h, language)`,
  );
  await conn.run(
    `CREATE TABLE pairs AS SELECT category, content_id, score::DOUBLE AS score, label::INTEGER AS label FROM (VALUES ${values(
      [
        ...SPAM.map(([score, label], i) => ['spam', `c${i + 1}`, score, label]),
        ['hate_speech', 'c1', 0.7, 0],
        ['hate_speech', 'c2', 0.1, 1],
      ],
    )}) t(category, content_id, score, label)`,
  );
  await conn.run(
    `CREATE TABLE appeals AS SELECT appeal_id, content_id, NULL::VARCHAR AS action_id, TIMESTAMP '2024-03-01 04:00:00' AS created_at,
       decided_at::TIMESTAMP AS decided_at, outcome FROM (VALUES ${values(
         APPEALS.map(([a, c, outcome, m]) => [a, c, m === null ? null : ts(at(m)), outcome]),
       )}) t(appeal_id, content_id, decided_at, outcome)`,
  );
  await conn.run(
    `CREATE TABLE model_scores AS SELECT content_id, 'toy' AS model, 'v1' AS model_version, category, score,
       TIMESTAMP '2024-03-01 00:00:00' AS scored_at FROM pairs`,
  );
  await conn.run('CREATE TABLE toy_labels AS SELECT content_id, category, label FROM pairs');
}

describe('overturn rate', () => {
  it('is the share of model-flagged items a person later passed or restored, per version or over all', async () => {
    const count = async (version?: string) => {
      const [row] = await rows(
        `SELECT count(*)::INTEGER AS flagged, count(*) FILTER (WHERE reversed)::INTEGER AS reversed FROM (${overturnItemsSql(version ? '$version' : undefined)})`,
        version ? { version } : undefined,
      );
      return row;
    };
    expect(await count()).toEqual({ flagged: 6, reversed: 3 });
    expect(await count('v1')).toEqual({ flagged: 5, reversed: 3 });
    expect(await count('v2')).toEqual({ flagged: 1, reversed: 0 });
    expect(overturnRate(actionRows)).toEqual({
      flagged: 6,
      reversed: 3,
      rate: expect.objectContaining({ value: 0.5 }),
    });
    expect(overturnRate(actionRows, 'v1').rate.value).toBe(0.6);
    expect(overturnRate(actionRows, 'v1').rate.interval).toEqual(wilsonInterval(3, 5));
    expect(overturnRate(actionRows, 'v2').rate.value).toBe(0);
  });
});

describe('time to removal', () => {
  it('runs from the earlier of the first report and the first model flag to the first remove; p50 and p95 linear', async () => {
    const [row] = await rows(timeToRemovalSql());
    expect(row!.removals).toBe('4');
    expect(row!.p50_seconds).toBeCloseTo(1200, 9);
    expect(row!.p95_seconds).toBeCloseTo(5415, 9);
    const rowsAnswer = timeToRemoval(actionRows, reportRows);
    expect(rowsAnswer.removals).toBe(4);
    expect(rowsAnswer.p50Seconds).toBeCloseTo(1200, 9);
    expect(rowsAnswer.p95Seconds).toBeCloseTo(5415, 9);
    // Without a reports table only model flags start the clock: c1 10 → 10 is 0 s, c3 6000 s, c8 6 → 6 is 0 s.
    const [flagsOnly] = await rows(timeToRemovalSql(false));
    expect([flagsOnly!.removals, flagsOnly!.p50_seconds]).toEqual(['3', 0]);
    expect(flagsOnly!.p95_seconds).toBeCloseTo(5400, 9); // numpy.percentile([0, 0, 6000], 95) = 5400
    expect(linearQuantile([], 0.5)).toBeNull();
  });
});

describe('queue depth', () => {
  it('counts, at the end of each hour, the escalated items with no human decision yet', async () => {
    const series = await rows(
      `SELECT strftime(ends_at, '%H:%M') AS ends_at, depth::INTEGER AS depth FROM (${queueDepthSql('hour')})`,
    );
    expect(series).toEqual([
      { ends_at: '01:00', depth: 2 },
      { ends_at: '02:00', depth: 3 },
      { ends_at: '03:00', depth: 2 },
      { ends_at: '04:00', depth: 1 },
    ]);
    expect([1, 2, 3, 4].map((hour) => queueDepthAt(actionRows, at(hour * 60)))).toEqual([2, 3, 2, 1]);
    const [day] = await rows(
      `SELECT strftime(ends_at, '%Y-%m-%d') AS ends_at, depth::INTEGER AS depth FROM (${queueDepthSql('day')})`,
    );
    expect(day).toEqual({ ends_at: '2024-03-02', depth: 1 });
  });
});

describe('false-positive rates at the escalate threshold', () => {
  it('takes the top fraction by views_24h, ties at the edge together', async () => {
    for (const [fraction, cutoff] of [
      [0.3, 500],
      [0.1, 1000],
      [0, null],
    ] as const) {
      const [row] = await rows(highReachCutoffSql('$fraction'), { fraction });
      expect(row!.cutoff, String(fraction)).toBe(cutoff);
      expect(highReachCutoff(VIEWS, fraction)).toBe(cutoff);
    }
  });

  it('over all negatives, high-reach ones and per slice value', async () => {
    const threshold = thresholdByCategorySql(
      { spam: { remove: 0.9, escalate: 0.5 }, hate_speech: { remove: 0.95, escalate: 0.7 } },
      'escalate',
      0.5,
    );
    const counts = (sql: string) =>
      rows(
        `SELECT * EXCLUDE (negatives, false_positives), negatives::INTEGER AS n, false_positives::INTEGER AS fp FROM (${sql})`,
      );
    expect(await counts(falsePositiveCountsSql('pairs', threshold))).toEqual([
      { category: 'hate_speech', n: 1, fp: 1 },
      { category: 'spam', n: 6, fp: 4 },
    ]);
    const highReach = `(SELECT p.* FROM pairs p JOIN content c USING (content_id) WHERE c.views_24h >= (${highReachCutoffSql('0.3')}))`;
    expect(await counts(falsePositiveCountsSql(highReach, threshold))).toEqual([
      { category: 'hate_speech', n: 1, fp: 1 },
      { category: 'spam', n: 3, fp: 2 },
    ]);
    const withLanguage = '(SELECT p.*, c.language FROM pairs p JOIN content c USING (content_id))';
    expect(await counts(falsePositiveCountsSql(withLanguage, threshold, 'language'))).toEqual(
      [
        { category: 'hate_speech', slice: 'en', n: 1, fp: 1 },
        { category: 'hate_speech', slice: 'de', n: 0, fp: 0 },
        { category: 'spam', slice: 'de', n: 3, fp: 3 },
        { category: 'spam', slice: 'en', n: 3, fp: 1 },
      ].sort((a, b) => a.category.localeCompare(b.category) || a.slice.localeCompare(b.slice)),
    );

    const spam = SPAM.map(([score, label], i) => ({ score, label, views: VIEWS[i]!, slice: LANGUAGE[i]! }));
    expect(falsePositiveRate(spam, 0.5)).toEqual({ value: 4 / 6, interval: wilsonInterval(4, 6), n: 6 });
    expect(highReachFpr(spam, 500, 0.5).value).toBe(2 / 3);
    expect(fprBySlice(spam, 0.5).map((s) => [s.value, s.fpr.value])).toEqual([
      ['de', 1],
      ['en', 1 / 3],
    ]);
  });
});

describe('appeals', () => {
  it('give the appeal rate of removed items and the overturned share of decided appeals', async () => {
    const [counts] = await rows(`SELECT * FROM (${appealCountsSql()})`);
    const n = (key: string) => Number(counts![key]);
    const metrics = appealMetrics({
      appeals: n('appeals'),
      decided: n('decided'),
      overturned: n('overturned'),
      removedItems: n('removed_items'),
      appealedItems: n('appealed_items'),
    });
    expect([metrics.appeals, metrics.decided, metrics.overturned]).toEqual([5, 4, 2]);
    expect(metrics.appealRate).toEqual({ value: 0.5, interval: wilsonInterval(3, 6), n: 6 });
    expect(metrics.overturnedShare.value).toBe(0.5);
  });
});

describe('eval.metrics', () => {
  it("gives a version's figures from the workspace's tables, at the thresholds in force", async () => {
    const metrics = await call(host, 'eval.metrics', {
      model: 'toy',
      labels: 'SELECT content_id, category, label FROM toy_labels',
      thresholds: { spam: { remove: 0.9, escalate: 0.5 }, hate_speech: { remove: 0.95, escalate: 0.7 } },
      highReachFraction: 0.3,
      bucket: 'hour',
    });
    expect(metrics.version).toBe('v1');
    expect(metrics.overturn).toEqual({
      flagged: 5,
      reversed: 3,
      rate: { value: 0.6, interval: wilsonInterval(3, 5), n: 5 },
    });
    expect(metrics.timeToRemoval!.removals).toBe(4);
    expect(metrics.timeToRemoval!.p95Seconds).toBeCloseTo(5415, 9);
    expect(metrics.queueDepth).toEqual({
      bucket: 'hour',
      points: [
        { at: '2024-03-01 01:00:00', depth: 2 },
        { at: '2024-03-01 02:00:00', depth: 3 },
        { at: '2024-03-01 03:00:00', depth: 2 },
        { at: '2024-03-01 04:00:00', depth: 1 },
      ],
      peak: 3,
      last: 1,
    });
    expect(metrics.highReach!.cutoff).toBe(500);
    expect(metrics.highReach!.categories.map((c) => [c.category, c.escalate, c.fpr.value, c.fpr.n])).toEqual([
      ['hate_speech', 0.7, 1, 1],
      ['spam', 0.5, 2 / 3, 3],
    ]);
    expect(metrics.appeals).toMatchObject({ appeals: 5, decided: 4, overturned: 2, appealRate: { value: 0.5 } });
  });

  it('leaves out, as null, what the workspace has no table for', async () => {
    const { host: bare } = await openTempHost();
    try {
      await bare.workspace.withConnection(async (conn) => {
        await conn.run(
          "CREATE TABLE model_scores AS SELECT 'c1' AS content_id, 'toy' AS model, 'v1' AS model_version, 'spam' AS category, 0.5 AS score, TIMESTAMP '2024-03-01' AS scored_at",
        );
      });
      const metrics = await call(bare, 'eval.metrics', {
        model: 'toy',
        labels: "SELECT 'c1' AS content_id, 'spam' AS category, 0 AS label",
      });
      expect(metrics).toMatchObject({
        overturn: null,
        timeToRemoval: null,
        queueDepth: null,
        highReach: null,
        appeals: null,
      });
    } finally {
      await bare.close();
    }
  });
});
