/**
 * Account features as of the moment of upload (DESIGN.md's point-in-time rule), defined once in shared/features.ts:
 * hand-made rows where later information must not count, scoring the canonical content table with the fusion model
 * (the feature view joined automatically), and the skew test — the batch view and the single-item "try it" path give
 * the same features and the same scores on the same items.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { accountFeaturesAsOf } from '../../electron/host/models/scoring';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import type { InputOf, ScoreOutcome } from '../../shared/contract';
import { call, openTempHost, tempDir } from './support';

const exec = promisify(execFile);

async function rows(host: Host, sql: string): Promise<Record<string, unknown>[]> {
  return host.workspace.withConnection(async (conn) => (await conn.runAndReadAll(sql)).getRowObjectsJson());
}

async function scoreJob(host: Host, input: InputOf<'models.score'>) {
  const { jobId } = await call(host, 'models.score', input);
  return host.jobs.wait(jobId);
}

describe('account features on hand-made rows', () => {
  let host: Host;
  let dir: string;

  beforeAll(async () => {
    ({ host, dir } = await openTempHost());
    await host.workspace.withConnection((conn) =>
      conn.run(`
        CREATE TABLE users AS SELECT * FROM (VALUES
          ('u1', TIMESTAMP '2024-01-01 00:00:00'),
          ('u2', TIMESTAMP '2024-03-11 00:00:00')) t(user_id, created_at);
        CREATE TABLE content AS SELECT * FROM (VALUES
          ('p0', 'u1', TIMESTAMP '2024-03-09 11:00:00', 'first post'),
          ('p1', 'u1', TIMESTAMP '2024-03-10 12:00:00', 'GET 10k real followers now'),
          ('p2', 'u1', TIMESTAMP '2024-03-10 20:00:00', 'another one'),
          ('p3', 'u1', TIMESTAMP '2024-03-12 12:00:00', 'and again'),
          ('q1', 'u2', TIMESTAMP '2024-03-10 00:00:00', 'posted before the account existed (clock skew in an export)'),
          ('x1', 'ghost', TIMESTAMP '2024-03-10 00:00:00', 'an author missing from users')) t(content_id, user_id, created_at, text);
        CREATE TABLE moderation_actions AS SELECT * FROM (VALUES
          ('a1', 'u1', 'warn',    TIMESTAMP '2024-02-01 00:00:00'),
          ('a2', 'u1', 'pass',    TIMESTAMP '2024-03-10 10:00:00'),
          ('a3', 'u1', 'remove',  TIMESTAMP '2024-03-10 15:00:00'),
          ('a4', 'u1', 'suspend', TIMESTAMP '2024-03-12 12:00:00'),
          ('a5', 'u2', 'Remove',  TIMESTAMP '2024-03-09 00:00:00')) t(action_id, target_user_id, action, created_at);`),
    );
  });
  afterAll(async () => host?.close());

  it('counts only what happened before each upload: an account violation after the post does not count', async () => {
    const features = await rows(
      host,
      `SELECT content_id, round(account_age_days, 4) AS age, prior_violations_30d::INT AS prior, posting_rate::INT AS rate FROM content_features ORDER BY content_id`,
    );
    expect(features).toEqual([
      // 24 h before p0 holds nothing; the warn of 2024-02-01 is 37 days earlier (outside the 30 days).
      { content_id: 'p0', age: 68.4583, prior: 0, rate: 0 },
      // p0 is 25 h earlier (outside 24 h); 'pass' is not a violation; the remove at 15:00 comes after p1.
      { content_id: 'p1', age: 69.5, prior: 0, rate: 0 },
      // The remove at 15:00 now counts, and so does p1 (8 h earlier).
      { content_id: 'p2', age: 69.8333, prior: 1, rate: 1 },
      // The suspend at the very moment of p3 is not before it; p2 is 40 h earlier.
      { content_id: 'p3', age: 71.5, prior: 1, rate: 0 },
      // An account created after the post's time has age 0, not a negative age; its violation is counted whatever its case.
      { content_id: 'q1', age: 0, prior: 1, rate: 0 },
      // No such account: no age, which scoring reports instead of guessing.
      { content_id: 'x1', age: null, prior: 0, rate: 0 },
    ]);
  });

  it('the single-item path computes the same values as of any moment', async () => {
    expect(await accountFeaturesAsOf(host.workspace, 'u1', '2024-03-10T20:00:00')).toEqual({
      account_age_days: 69 + 20 / 24,
      prior_violations_30d: 1,
      posting_rate: 1,
    });
    // An explicit zone is read as UTC, the data's clock.
    expect(await accountFeaturesAsOf(host.workspace, 'u1', '2024-03-10T22:00:00+02:00')).toEqual({
      account_age_days: 69 + 20 / 24,
      prior_violations_30d: 1,
      posting_rate: 1,
    });
    await expect(accountFeaturesAsOf(host.workspace, 'ghost', '2024-03-10T00:00:00')).rejects.toThrow(
      'asOf.userId: no account "ghost" in users.',
    );
  });

  it('scores SELECT * FROM content with the fusion model, joining the features by content_id', async () => {
    const refused = await scoreJob(host, { model: 'text-fusion', sql: 'SELECT * FROM content' });
    // The author missing from users has no account age: the item is named, nothing is written.
    expect(refused.error?.message).toBe(
      'content x1: account_age_days is missing or not a number; text-fusion needs it.',
    );
    const job = await scoreJob(host, { model: 'text-fusion', sql: `SELECT * FROM content WHERE user_id <> 'ghost'` });
    expect(job.status).toBe('done');
    expect((job.result as ScoreOutcome).items).toBe(5);
    const scored = await rows(
      host,
      `SELECT content_id, category, score FROM model_scores WHERE model = 'text-fusion' ORDER BY content_id, category`,
    );
    expect(scored).toHaveLength(25);
    // The same item scored with the features typed by hand (as of its upload) gets the same scores.
    const p2 = await call(host, 'models.try', {
      model: 'text-fusion',
      text: 'another one',
      account: { account_age_days: 69 + 20 / 24, prior_violations_30d: 1, posting_rate: 1 },
    });
    for (const row of scored.filter((r) => r.content_id === 'p2'))
      expect(p2.scores[String(row.category)]).toBeCloseTo(Number(row.score), 6);
    // A column the query returns wins over the view: the user may override a feature.
    const overridden = await scoreJob(host, {
      model: 'text-fusion',
      sql: `SELECT content_id, text, 500 AS prior_violations_30d FROM content WHERE content_id = 'p2'`,
    });
    expect(overridden.status).toBe('done');
    const after = await rows(
      host,
      `SELECT category, score FROM model_scores WHERE model = 'text-fusion' AND content_id = 'p2' ORDER BY category`,
    );
    expect(after.map((r) => Number(r.score))).not.toEqual(
      scored.filter((r) => r.content_id === 'p2').map((r) => Number(r.score)),
    );
  });

  it("without users, says which tables the feature view needs; content_features is listed as Sift's", async () => {
    expect((await host.workspace.listTables()).find((table) => table.name === 'content_features')).toMatchObject({
      protected: true,
    });
    await host.workspace.withConnection((conn) => conn.run('ALTER TABLE users RENAME TO accounts'));
    const missing = await scoreJob(host, { model: 'text-fusion', sql: 'SELECT content_id, text FROM content' });
    expect(missing.error?.message).toContain(
      'sql: text-fusion reads account_age_days, prior_violations_30d, posting_rate from content_features, which needs the canonical tables content',
    );
    expect(missing.error?.message).toContain('users');
    const tried = await host.dispatch('models.try', {
      model: 'text-fusion',
      text: 'x',
      asOf: { userId: 'u1', at: '2024-03-10T00:00:00Z' },
    });
    expect(tried).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('asOf: account features need the canonical tables content and users') },
    });
    await host.workspace.withConnection((conn) => conn.run('ALTER TABLE accounts RENAME TO users'));
    expect(dir).toBeTruthy();
  });
});

describe('the skew test: batch scoring and the single-item path agree on the sample', () => {
  let host: Host;
  let workspaceDir: string;

  beforeAll(async () => {
    workspaceDir = path.join(tempDir('sift-skew-'), 'ws');
    await (await createSampleWorkspace(workspaceDir, { kind: 'platform' })).close();
    host = await Host.open(workspaceDir, { remember: false });
  }, 120_000);
  afterAll(async () => host?.close());

  it('gives the same feature values and the same scores for 60 items, with and without images', async () => {
    // Items spread over the two weeks, with prior violations and recent posts among them.
    const pick = `SELECT content_id FROM content_features WHERE hash(content_id) % 500 = 0 OR (prior_violations_30d > 0 AND posting_rate > 0 AND hash(content_id) % 7 = 0) ORDER BY content_id LIMIT 60`;
    const batch = await scoreJob(host, {
      model: 'text-fusion',
      sql: `SELECT content_id, text, image_emb FROM content WHERE content_id IN (${pick})`,
    });
    expect(batch.status).toBe('done');
    expect((batch.result as ScoreOutcome).items).toBe(60);
    const items = await rows(
      host,
      `SELECT c.content_id, c.user_id, strftime(c.created_at, '%Y-%m-%dT%H:%M:%S.%f') AS at, c.text, c.image_emb, f.account_age_days, f.prior_violations_30d::INT AS prior, f.posting_rate::INT AS rate
       FROM content c JOIN content_features f USING (content_id) WHERE c.content_id IN (${pick}) ORDER BY c.content_id`,
    );
    expect(items.filter((item) => Number(item.prior) > 0).length).toBeGreaterThan(5);
    expect(items.filter((item) => Number(item.rate) > 0).length).toBeGreaterThan(5);
    expect(items.filter((item) => Array.isArray(item.image_emb)).length).toBeGreaterThan(3);
    const batchScores = await rows(
      host,
      `SELECT content_id, category, score FROM model_scores WHERE model = 'text-fusion' ORDER BY content_id, category`,
    );
    for (const item of items) {
      const single = await call(host, 'models.try', {
        model: 'text-fusion',
        text: String(item.text ?? ''),
        ...(Array.isArray(item.image_emb) ? { imageEmb: item.image_emb.map(Number) } : {}),
        asOf: { userId: String(item.user_id), at: String(item.at) },
      });
      expect(single.account, String(item.content_id)).toEqual({
        values: { account_age_days: item.account_age_days, prior_violations_30d: item.prior, posting_rate: item.rate },
        source: 'computed',
      });
      const itemScores = batchScores.filter((r) => r.content_id === item.content_id);
      expect(itemScores).toHaveLength(5);
      for (const row of itemScores) {
        expect(single.scores[String(row.category)], `${item.content_id} ${row.category}`).toBeCloseTo(
          Number(row.score),
          5,
        );
      }
    }
  }, 120_000);

  it('sift score --model text-fusion --sql "SELECT * FROM content" works on the canonical tables', async () => {
    await host.close(); // the CLI opens the workspace itself
    const cli = await exec(
      'node',
      [
        'bin/sift.mjs',
        'score',
        '--model',
        'text-fusion',
        '--sql',
        "SELECT * FROM content WHERE created_at >= TIMESTAMP '2024-03-14'",
        '--workspace',
        workspaceDir,
        '--json',
      ],
      {
        env: { ...process.env, SIFT_HOME: tempDir('sift-home-') },
        maxBuffer: 16 << 20,
      },
    ).catch((error: unknown) => error as { stdout: string; stderr: string });
    expect(cli.stderr).not.toContain('needs the column');
    const outcome = JSON.parse(cli.stdout) as ScoreOutcome;
    expect(outcome).toMatchObject({ model: 'text-fusion', version: '2026.11.1' });
    expect(outcome.items).toBeGreaterThan(1000);
    host = await Host.open(workspaceDir, { remember: false });
    const counted = await call(host, 'query.run', {
      queryId: 'q1',
      sql: `SELECT count(DISTINCT content_id) FROM model_scores WHERE model = 'text-fusion' AND run_id = '${outcome.runId}'`,
    });
    expect(Number(counted.rows[0]![0])).toBe(outcome.items);
  }, 120_000);
});
