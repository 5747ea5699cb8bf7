/**
 * The time backtest (`sessions.backtest`, `sift backtest`): a small hand-made labelled log in real DuckDB where the
 * spam after the cut speaks a vocabulary the spam before it never used, dressed in the everyday words the ham before
 * it used (a new campaign), and the ham after it is about a new season's topics: the recipe trained before the cut
 * ranks the new spam below the new ham, so out-of-time average precision falls well below the cross-validated
 * in-sample one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { BACKTEST_FOLDS, backtestFigures, parseCut } from '../../shared/backtest';
import type { BacktestOutcome } from '../../shared/contract';
import { averagePrecision, rocAuc } from '../../shared/rankingMetrics';
import { sift } from './cliFixture';
import { call, jobOutcomeOf, runJob, tempDir } from './support';

const OLD_SPAM = ['buy', 'cheap', 'followers', 'now', 'promo', 'shop', 'discount', 'likes', 'deal', 'boost'];
const NEW_SPAM = ['crypto', 'giveaway', 'wallet', 'bitcoin', 'double', 'airdrop', 'token', 'claim', 'eth', 'mint'];
const HAM = ['weather', 'lisbon', 'bakery', 'football', 'museum', 'garden', 'concert', 'river', 'library', 'coffee'];
const NEW_HAM = [
  'election',
  'ballot',
  'snow',
  'skiing',
  'holiday',
  'parade',
  'candidate',
  'debate',
  'winter',
  'market',
];

/** A text of five words of a vocabulary, chosen by the item's number (the same text every run). */
const textOf = (words: string[], n: number) =>
  Array.from({ length: 5 }, (_, k) => words[(n * 7 + k * 3 + ((n * k) % 5)) % words.length]).join(' ');

interface Post {
  id: string;
  text: string;
  day: number;
  spam: 0 | 1;
}

/** 40 posts on March 1–10 (12 spam), 40 on March 11–20 (12 spam in new words with old ham words, ham on new topics). */
const POSTS: Post[] = Array.from({ length: 80 }, (_, i) => {
  const after = i >= 40;
  const spam = i % 40 < 12 ? 1 : 0;
  return {
    id: `c${String(i).padStart(3, '0')}`,
    text: !after
      ? textOf(spam ? OLD_SPAM : HAM, i)
      : spam
        ? `${textOf(NEW_SPAM, i).split(' ').slice(0, 3).join(' ')} ${textOf(HAM, i).split(' ').slice(0, 2).join(' ')}`
        : textOf(NEW_HAM, i),
    day: (after ? 11 : 1) + (i % 10),
    spam,
  };
});

let dir: string;
let host: Host;
let sessionId: string;
let first: BacktestOutcome;

beforeAll(async () => {
  dir = tempDir('sift-backtest-');
  host = await Host.open(dir, { create: true, remember: false });
  await host.workspace.withConnection(async (conn) => {
    await conn.run(`CREATE TABLE users AS SELECT 'u1' AS user_id, TIMESTAMP '2024-01-01 00:00:00' AS created_at`);
    const rows = POSTS.map(
      (post) =>
        `('${post.id}', 'u1', '${post.text}', TIMESTAMP '2024-03-${String(post.day).padStart(2, '0')} 12:00:00', 100, 'post', 'en', 'text')`,
    );
    await conn.run(
      `CREATE TABLE content AS SELECT * FROM (VALUES ${rows.join(', ')}) t(content_id, user_id, text, created_at, views_24h, surface, language, content_type)`,
    );
  });
  const session = await runJob(host, 'sessions.create', {
    name: 'Backtest',
    pool: 'SELECT content_id FROM content',
    model: 'text-distil',
    strategy: 'entropy',
    batchSize: 10,
  });
  sessionId = session.id;
  await call(host, 'labels.recordMany', {
    sessionId,
    annotator: 'ana',
    actions: POSTS.map((post) => ({
      kind: 'label' as const,
      contentId: post.id,
      labels: [
        { category: 'spam', value: post.spam },
        { category: 'hate_speech', value: 0 as const },
      ],
    })),
  });
  first = await runJob(host, 'sessions.backtest', { sessionId, cut: '2024-03-11' });
}, 120_000);

afterAll(async () => {
  await host?.close();
});

describe('the time backtest of a session', () => {
  it('trains before the cut and judges after it: a new spam vocabulary drops out-of-time AP far below in-sample', () => {
    expect(first).toMatchObject({
      sessionId,
      model: 'text-distil',
      cutInput: '2024-03-11',
      cut: '2024-03-11T00:00:00.000Z',
      trainItems: 40,
      trainLabeled: 40,
      testLabeled: 40,
      undated: 0,
    });
    const spam = first.categories.find((c) => c.category === 'spam')!;
    expect(spam).toMatchObject({
      nTrain: 40,
      nTest: 40,
      inSample: { n: 40, positives: 12 },
      outOfTime: { n: 40, positives: 12 },
    });
    expect(spam.reason).toBeUndefined();
    // Cross-validated in time, the old vocabulary is learned; the new one is not.
    expect(spam.inSample.averagePrecision!).toBeGreaterThan(0.9);
    expect(spam.outOfTime.averagePrecision!).toBeLessThan(0.6);
    expect(spam.drop.averagePrecision!).toBeGreaterThan(0.3);
    expect(spam.drop.averagePrecision).toBeCloseTo(spam.inSample.averagePrecision! - spam.outOfTime.averagePrecision!);
    expect(spam.drop.rocAuc!).toBeGreaterThan(0.2);
    expect(spam.threshold).toBe(0.5);
    expect(spam.inSample.recall! - spam.outOfTime.recall!).toBe(spam.drop.recall);
  });

  it('names why a figure is undefined, and lists every model category', () => {
    expect(first.categories.map((c) => c.category)).toEqual(['hate_speech', 'nsfw', 'spam', 'misinformation', 'csam']);
    const hate = first.categories.find((c) => c.category === 'hate_speech')!;
    expect(hate).toMatchObject({
      nTrain: 40,
      inSample: { averagePrecision: null, rocAuc: null, recall: null },
      drop: { averagePrecision: null, rocAuc: null, recall: null },
      reason: 'no item on either side of the cut is labeled positive',
    });
    expect(first.categories.find((c) => c.category === 'nsfw')!.reason).toBe(
      'no item on either side of the cut carries a label for nsfw',
    );
  });

  it('is deterministic: the same labels and cut give the same figures, and it saves no model version', async () => {
    const again = await runJob(host, 'sessions.backtest', { sessionId, cut: '2024-03-11' });
    expect({ ...again, durationMs: 0 }).toEqual({ ...first, durationMs: 0 });
    const models = await call(host, 'models.list', {});
    expect(models.filter((m) => m.name === 'text-distil').map((m) => m.version)).toEqual([
      expect.not.stringContaining('-al'),
    ]);
  }, 60_000);

  it('is a job: cancelled, it ends cancelled and saves nothing', async () => {
    const started = await call(host, 'sessions.backtest', { sessionId, cut: '2024-03-11' });
    await call(host, 'jobs.cancel', { jobId: started.jobId });
    expect((await host.jobs.wait(started.jobId)).status).toBe('cancelled');
  });

  it('refuses what it cannot judge, naming it: an unknown session, a cut with no labels on one side, a bad date', async () => {
    const failed = async (input: { sessionId: string; cut: string }) => {
      const outcome = await jobOutcomeOf(host, 'sessions.backtest', input);
      return outcome.ok ? null : outcome.error;
    };
    expect(await failed({ sessionId: 'no-such-session', cut: '2024-03-11' })).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no labeling session no-such-session'),
    });
    expect(await failed({ sessionId, cut: '2024-03-01' })).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/at 2024-03-01T00:00:00.000Z: no labeled content was created before it/),
    });
    expect(await failed({ sessionId, cut: '2024-04-01T00:00:00Z' })).toMatchObject({
      message: expect.stringContaining('no labeled content was created at or after it'),
    });
    expect(await failed({ sessionId, cut: '2024-02-30' })).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('cut: "2024-02-30" is not a date'),
    });
  });
});

describe('the cut and the figures', () => {
  it('reads a date as midnight UTC and a time without a zone as UTC; refuses days and times that do not exist', () => {
    expect(parseCut('2024-03-11')).toBe(Date.UTC(2024, 2, 11));
    expect(parseCut('2024-03-11T06:30')).toBe(Date.UTC(2024, 2, 11, 6, 30));
    expect(parseCut('2024-03-11T06:30:15.250Z')).toBe(Date.UTC(2024, 2, 11, 6, 30, 15, 250));
    expect(parseCut('2024-03-11T06:30:00+02:00')).toBe(Date.UTC(2024, 2, 11, 4, 30));
    for (const bad of ['2024-02-30', '2024-13-01', '2024-03-11T25:00', 'yesterday', '11/03/2024', ''])
      expect(parseCut(bad), bad).toBeNull();
    expect(BACKTEST_FOLDS).toBe(5);
  });

  it('computes AP and ROC AUC as scikit-learn does, and recall at the threshold (at or above counts)', () => {
    // sklearn: average_precision_score([1,0,1,1,0,0],[.9,.8,.7,.5,.4,.1]) = 0.8055555555555556,
    // roc_auc_score(...) = 0.7777777777777779 (/usr/bin/python3, sklearn.metrics); recall at 0.5: 3 of 3 positives at or above it.
    const labels = [1, 0, 1, 1, 0, 0];
    const scores = [0.9, 0.8, 0.7, 0.5, 0.4, 0.1];
    expect(backtestFigures(labels, scores, 0.5)).toEqual({
      n: 6,
      positives: 3,
      averagePrecision: averagePrecision(labels, scores),
      rocAuc: rocAuc(labels, scores),
      recall: 1,
    });
    expect(averagePrecision(labels, scores)).toBeCloseTo(0.8055555555555556, 12);
    expect(rocAuc(labels, scores)).toBeCloseTo(0.7777777777777779, 12);
    expect(backtestFigures(labels, scores, 0.75).recall).toBeCloseTo(1 / 3, 12);
  });
});

describe('sift backtest', () => {
  it('prints the JSON shape, exits 0; exits 2 naming what it cannot judge', async () => {
    await host.close();
    const ws = ['--workspace', dir];
    const json = await sift('backtest', '--session', sessionId, '--cut', '2024-03-11', '--json', ...ws);
    expect(json.code, json.stderr).toBe(0);
    const printed = JSON.parse(json.stdout) as BacktestOutcome;
    expect({ ...printed, durationMs: 0 }).toEqual({ ...first, durationMs: 0 });
    expect(Object.keys(printed.categories[0]!).sort()).toEqual(
      ['category', 'drop', 'inSample', 'nTest', 'nTrain', 'outOfTime', 'reason', 'threshold'].sort(),
    );
    const text = await sift('backtest', '--session', sessionId, '--cut', '2024-03-11', ...ws);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^spam +│ 40 \(12\+\) +│ 40 \(12\+\)/m);
    const unknown = await sift('backtest', '--session', 'nope', '--cut', '2024-03-11', ...ws);
    expect([unknown.code, unknown.stdout]).toEqual([2, '']);
    expect(unknown.stderr).toContain('sift: cannot judge: There is no labeling session nope');
    const empty = await sift('backtest', '--session', sessionId, '--cut', '2023-01-01', ...ws);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no labeled content was created before it');
    const badDate = await sift('backtest', '--session', sessionId, '--cut', '2024-02-30', ...ws);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--cut: "2024-02-30" is not a date');
  }, 120_000);
});
