/**
 * A Discourse workspace maps its own data onto the canonical tables (content, reports, moderation_actions) as views,
 * so the spike view finds the incident the forum sample's generator injected — through the real `sift` command — and
 * its drill-down explains it; an import that completes the Discourse tables adds the views, and never over a name
 * the user already has.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import type { ImportOutcome } from '../../shared/contract';
import { sift } from './cliFixture';
import { call, importFile, tempDir, runJob } from './support';

const SAMPLE = 'sample-data/discourse';

interface SpamWave {
  kind: string;
  start: string;
  end: string;
  reason: string;
  domain: string;
  accounts: number[];
  posts: number;
  flags: number;
}

interface Truth {
  flags_by_type: Record<string, { flags: number }>;
  reviewables_by_type_status: Record<string, Record<string, number>>;
}

const HOUR = 3_600_000;
let forum: string;
let wave: SpamWave;

beforeAll(async () => {
  forum = path.join(tempDir('sift-discourse-'), 'forum');
  const created = await sift('sample', '--kind', 'discourse', '--workspace', forum);
  expect(created.code, created.stderr).toBe(0);
  wave = (JSON.parse(fs.readFileSync(path.join(forum, 'incidents.json'), 'utf8')) as SpamWave[]).find(
    (incident) => incident.kind === 'spam_wave',
  )!;
}, 180_000);

describe('the Discourse sample', () => {
  it('records the spam wave its generator injected', () => {
    expect(wave).toMatchObject({ reason: 'spam', domain: 'claim-drop.example' });
    expect(Date.parse(wave.end) - Date.parse(wave.start)).toBe(3 * HOUR);
    expect(wave.posts).toBeGreaterThanOrEqual(40);
    expect(wave.flags).toBeGreaterThan(wave.posts);
  });

  it('`sift spike --json` finds the spam wave as the strongest window, by far, with no SQL written', async () => {
    const out = await sift('spike', '--bucket', 'hour', '--json', '--workspace', forum);
    expect(out.code, out.stderr).toBe(0);
    const windows = JSON.parse(out.stdout) as { start: string; end: string; series: string; z: number }[];
    const top = windows[0]!;
    expect(top.series).toBe(wave.reason);
    expect(Date.parse(top.start)).toBeGreaterThanOrEqual(Date.parse(wave.start));
    expect(Date.parse(top.start)).toBeLessThan(Date.parse(wave.end));
    // Flags trail the posts by minutes, so the window may run a little past the wave.
    expect(Date.parse(top.end)).toBeLessThanOrEqual(Date.parse(wave.end) + 2 * HOUR);
    expect(top.z).toBeGreaterThan(3 * windows[1]!.z);
  });

  it("moderation actions spike on the wave's day too", async () => {
    const out = await sift('spike', '--source', 'actions', '--bucket', 'day', '--json', '--workspace', forum);
    expect(out.code, out.stderr).toBe(0);
    const top = (JSON.parse(out.stdout) as { start: string; series: string }[])[0]!;
    expect(top).toMatchObject({ series: 'spam', start: `${wave.start.slice(0, 10)}T00:00:00.000Z` });
  });
});

describe('the canonical views over a Discourse workspace', () => {
  let host: Host;
  const truth = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'ground_truth.json'), 'utf8')) as Truth;
  beforeAll(async () => {
    host = await Host.open(forum, { remember: false });
  });
  afterAll(async () => host?.close());

  const rows = async (sql: string) =>
    (await call(host, 'query.run', { queryId: crypto.randomUUID(), sql, pageSize: 1000 })).rows;
  const count = async (sql: string) => Number((await rows(sql))[0]![0]);

  it('are views Sift added: content, reports and moderation_actions', async () => {
    const kinds = Object.fromEntries((await host.workspace.listTables()).map((table) => [table.name, table.kind]));
    expect(kinds).toMatchObject({
      content: 'view',
      reports: 'view',
      moderation_actions: 'view',
      posts: 'table',
      post_actions: 'table',
    });
  });

  it('reports are the flags that reach staff, named by flag type; notify_user (a message to the author) is none', async () => {
    const byReason = Object.fromEntries(
      (await rows('SELECT reason, count(*) FROM reports GROUP BY 1')).map(([reason, n]) => [String(reason), Number(n)]),
    );
    const expected = Object.fromEntries(
      Object.entries(truth.flags_by_type)
        .filter(([type]) => type !== 'notify_user')
        .map(([type, stats]) => [type, stats.flags]),
    );
    expect(byReason).toEqual(expected);
    expect(truth.flags_by_type.notify_user!.flags).toBeGreaterThan(0); // the sample has some, and they are left out
    // Every report names a post that content holds, by the same text id.
    expect(
      await count('SELECT count(*) FROM reports r LEFT JOIN content c USING (content_id) WHERE c.content_id IS NULL'),
    ).toBe(0);
    expect(await count('SELECT count(*) FROM content')).toBe(await count('SELECT count(*) FROM posts'));
  });

  it('moderation actions are the resolved flagged-post reviewables: agreed is remove/hide/warn, disagreed and ignored pass', async () => {
    const statuses = truth.reviewables_by_type_status.ReviewableFlaggedPost!;
    const [[total, passes]] = (await rows(
      "SELECT count(*), count(*) FILTER (action = 'pass') FROM moderation_actions",
    )) as [[number, number]];
    expect(Number(total)).toBe((statuses['1'] ?? 0) + (statuses['2'] ?? 0) + (statuses['3'] ?? 0));
    expect(Number(passes)).toBe((statuses['2'] ?? 0) + (statuses['3'] ?? 0));
    // A removal is a deleted post; nothing pending is an action.
    expect(
      await count(
        "SELECT count(*) FROM moderation_actions m JOIN posts p ON p.id::VARCHAR = m.content_id WHERE m.action = 'remove' AND p.deleted_at IS NULL",
      ),
    ).toBe(0);
    expect(await count("SELECT count(*) FROM moderation_actions WHERE action = 'remove'")).toBeGreaterThan(0);
    expect(await rows('SELECT DISTINCT actor_type FROM moderation_actions')).toEqual([['human']]);
  });

  it('the drill-down into the wave finds its near-duplicate posts, their domain and the new accounts behind them', async () => {
    const overview = await call(host, 'spike.overview', {
      source: 'reports',
      by: 'reason',
      bucket: 'hour',
    });
    const top = overview.windows[0]!;
    const drill = await runJob(host, 'spike.drill', {
      source: 'reports',
      by: 'reason',
      series: top.series,
      start: top.start,
      end: top.end,
    });
    const cluster = drill.clusters[0]!;
    expect(cluster.samples.join(' ')).toContain(wave.domain);
    expect(cluster.size).toBeGreaterThan(wave.posts * 0.6);
    // Account ages come from Discourse's own users table (keyed by id): the wave's accounts were made that morning.
    expect(cluster.newAccounts).toBeGreaterThan(wave.accounts.length / 2);
    expect(drill.terms.map((term) => term.term)).toContain('airdrop');
  });
});

describe('importing a Discourse export', () => {
  const parts = ['users', 'post_action_types', 'posts', 'post_actions', 'reviewable_scores', 'reviewables'];

  it('adds the canonical views with the import that completes the flag lifecycle (posts, post_actions, reviewables), not before', async () => {
    const host = await Host.open(path.join(tempDir('sift-discourse-import-'), 'ws'), { create: true, remember: false });
    try {
      for (const part of parts) {
        const job = await importFile(host, path.resolve(SAMPLE, `${part}.parquet`));
        expect(job.status, job.error?.message).toBe('done');
        const views = (job.result as ImportOutcome).canonicalViews;
        expect(views, part).toEqual(part === 'reviewables' ? ['content', 'reports', 'moderation_actions'] : undefined);
      }
      const overview = await call(host, 'spike.overview', {
        source: 'reports',
        by: 'reason',
        bucket: 'hour',
      });
      expect(overview.windows[0]).toMatchObject({ series: 'spam', start: wave.start });
    } finally {
      await host.close();
    }
  });

  it("never replaces a table of the user's own under a canonical name", async () => {
    const host = await Host.open(path.join(tempDir('sift-discourse-own-'), 'ws'), { create: true, remember: false });
    try {
      await host.workspace.withConnection((conn) =>
        conn.run(
          "CREATE TABLE reports AS SELECT 'r1' AS report_id, 'x' AS content_id, 'u' AS reporter_id, 'mine' AS reason, TIMESTAMP '2024-01-01' AS created_at",
        ),
      );
      let added: string[] | undefined;
      for (const part of parts)
        added =
          ((await importFile(host, path.resolve(SAMPLE, `${part}.parquet`))).result as ImportOutcome).canonicalViews ??
          added;
      expect(added).toEqual(['content', 'moderation_actions']);
      const kinds = Object.fromEntries((await host.workspace.listTables()).map((table) => [table.name, table.kind]));
      expect(kinds.reports).toBe('table');
      expect((await call(host, 'query.run', { queryId: 'q', sql: 'SELECT reason FROM reports' })).rows).toEqual([
        ['mine'],
      ]);
    } finally {
      await host.close();
    }
  });
});
