/**
 * Labeled datasets as versioned folders, against the real host: settled labels only, time splits with
 * near-duplicates kept together, the manifest and dataset card, checksums and verify, immutability, determinism.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { DatasetManifest, SessionSummary } from '../../shared/contract';
import { makeLabelingWorkspace } from './labelingFixture';
import { call, tempDir } from './support';

let host: Host;
let session: SessionSummary;
let out: string;

beforeAll(async () => {
  host = await makeLabelingWorkspace(path.join(tempDir('sift-dataset-'), 'ws'));
  // One post a day from 1 March: c01 first, c10 last. The spam copies are c01, c02, c04 and c09.
  await host.workspace.withConnection((conn) =>
    conn.run(
      `UPDATE content SET created_at = TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (CAST(substr(content_id, 2) AS INTEGER) - 1) DAY`,
    ),
  );
  session = await call(host, 'sessions.create', {
    name: 'to export',
    pool: 'SELECT content_id FROM content',
    model: 'text-distil',
    version: 't1',
    strategy: 'random',
    batchSize: 10,
  });
  const label = (contentId: string, spam: 0 | 1, annotator: string) =>
    call(host, 'labels.record', {
      sessionId: session.id,
      annotator,
      action: {
        kind: 'label',
        contentId,
        labels: [
          { category: 'spam', value: spam },
          { category: 'hate_speech', value: 0 },
        ],
      },
    });
  for (const id of ['c01', 'c02', 'c03', 'c04', 'c05', 'c06', 'c07', 'c08', 'c09'])
    await label(id, id === 'c01' || id === 'c02' || id === 'c04' || id === 'c09' ? 1 : 0, 'ana');
  await label('c05', 1, 'bo'); // contested: ana said 0
  out = tempDir('sift-datasets-out-');
}, 60_000);
afterAll(async () => host?.close());

const exportVersion = (extra: Record<string, unknown> = {}) =>
  call(host, 'datasets.export', {
    name: 'spam-audit',
    out,
    sessions: [session.id],
    cutDate: '2024-03-06T00:00:00Z',
    valDays: 2,
    ...extra,
  });

describe('a dataset version', () => {
  it('holds settled labels only, split by time, with near-duplicates kept in the split of their earliest copy', async () => {
    const manifest = await exportVersion();
    expect(manifest).toMatchObject({
      name: 'spam-audit',
      version: 1,
      parentVersion: null,
      policyVersion: 'v1',
      annotators: ['ana', 'bo'],
      contestedItemsLeftOut: 1,
    });
    expect(manifest.dir).toBe(path.join(out, 'spam-audit', 'v1'));
    // Before 6 March: c01–c05 less the contested c05; 6–7 March: c06, c07; after: c08, c09 — but c09 is a copy of the
    // spam c01 posted first, so it goes to train with it.
    expect(manifest.rows).toEqual({ train: 5, validation: 2, test: 1 });
    expect(manifest.splits.nearDuplicatesMoved).toBe(1);
    expect(manifest.sessions).toEqual([
      expect.objectContaining({ id: session.id, strategy: 'random', model: 'text-distil', modelVersion: 't1' }),
    ]);
    expect(manifest.labelSchema.columns).toEqual([
      'content_id',
      'text',
      'surface',
      'language',
      'content_type',
      'created_at',
      'account_age_days',
      'prior_violations_30d',
      'posting_rate',
      'hate_speech',
      'nsfw',
      'spam',
      'misinformation',
    ]);
    expect(manifest.tool.version).toBe(
      (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }).version,
    );
    for (const file of manifest.files) {
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(fs.statSync(path.join(manifest.dir!, file.path)).size).toBe(file.bytes);
    }
    const card = fs.readFileSync(path.join(manifest.dir!, 'README.md'), 'utf8');
    expect(
      card.startsWith(
        '---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: train.parquet\n',
      ),
    ).toBe(true);
    const train = await host.workspace.withResults(async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT content_id, spam FROM read_parquet('${path.join(manifest.dir!, 'train.parquet')}') ORDER BY 1`,
        )
      ).getRowsJson(),
    );
    expect(train).toEqual([
      ['c01', 1],
      ['c02', 1],
      ['c03', 0],
      ['c04', 1],
      ['c09', 1],
    ]);
  });

  it('is never rewritten: a second export is a new version with the same data checksums, and the first is untouched', async () => {
    const first = path.join(out, 'spam-audit', 'v1');
    const before = Object.fromEntries(
      fs.readdirSync(first).map((file) => [file, fs.readFileSync(path.join(first, file)).toString('base64')]),
    );
    const second = await exportVersion({ formats: ['parquet', 'jsonl'] });
    expect(second).toMatchObject({ version: 2, parentVersion: 1 });
    const v1 = JSON.parse(fs.readFileSync(path.join(first, 'manifest.json'), 'utf8')) as DatasetManifest;
    for (const file of v1.files) expect(second.files.find((f) => f.path === file.path)!.sha256).toBe(file.sha256);
    expect(second.files.map((file) => file.path)).toContain('test.jsonl');
    expect(
      Object.fromEntries(
        fs.readdirSync(first).map((file) => [file, fs.readFileSync(path.join(first, file)).toString('base64')]),
      ),
    ).toEqual(before);
    expect(fs.readdirSync(path.join(out, 'spam-audit')).sort()).toEqual(['v1', 'v2']);
  });

  it('verifies its checksums and names a file that changed or went missing', async () => {
    const dir = path.join(out, 'spam-audit', 'v2');
    expect(await call(host, 'datasets.verify', { dir })).toMatchObject({
      ok: true,
      problems: [],
      files: 6,
    });
    fs.appendFileSync(path.join(dir, 'test.jsonl'), '{"content_id":"forged"}\n');
    fs.rmSync(path.join(dir, 'validation.parquet'));
    const broken = await call(host, 'datasets.verify', { dir });
    expect(broken.ok).toBe(false);
    expect(broken.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^test\.jsonl: \d+ bytes, the manifest says \d+/),
        'validation.parquet: missing',
      ]),
    );
  });

  it('refuses what it cannot write honestly, and writes nothing', async () => {
    const own = await host.dispatch('datasets.export', {
      name: 'x',
      out: path.join(host.workspace.dir, '.sift'),
      sessions: [session.id],
    });
    expect(own).toMatchObject({ ok: false, error: { message: expect.stringContaining("workspace's own files") } });
    const bad = await host.dispatch('datasets.export', { name: '../escape', out, sessions: [session.id] });
    expect(bad).toMatchObject({ ok: false, error: { message: expect.stringContaining('name:') } });
    expect(fs.readdirSync(out)).toEqual(['spam-audit']);
    expect(fs.readdirSync(path.join(out, 'spam-audit')).sort()).toEqual(['v1', 'v2']);
  });

  it('diffs two versions: an item relabeled, per category and split', async () => {
    await call(host, 'labels.record', {
      sessionId: session.id,
      annotator: 'ana',
      action: {
        kind: 'label',
        contentId: 'c03',
        labels: [
          { category: 'spam', value: 1 },
          { category: 'hate_speech', value: 0 },
        ],
      },
    });
    const third = await exportVersion();
    expect(third.version).toBe(3);
    const diff = await call(host, 'datasets.diff', {
      from: path.join(out, 'spam-audit', 'v1'),
      to: third.dir!,
    });
    expect(diff).toMatchObject({ added: 0, removed: 0, relabeled: 1, moved: 0, perSplit: { train: { relabeled: 1 } } });
    expect(diff.perCategory.spam).toEqual({ relabeled: 1, toPositive: 1, toNegative: 0 });
    expect(diff.perCategory.hate_speech).toEqual({ relabeled: 0, toPositive: 0, toNegative: 0 });
  });
});

describe('features in a dataset', () => {
  it("are the point-in-time ones: a violation after a post does not count for it, only for the author's later posts", async () => {
    await host.workspace.withConnection((conn) =>
      conn.run(
        `CREATE TABLE moderation_actions AS SELECT 'a1' AS action_id, 'c03' AS content_id, user_id AS target_user_id, 'remove' AS action, 'spam' AS category, TIMESTAMP '2024-03-03 12:00:00' AS created_at FROM content WHERE content_id = 'c03'`,
      ),
    );
    const manifest = await exportVersion();
    expect(manifest.features).toMatchObject({ view: 'content_features', asOf: 'upload', available: true });
    expect(manifest.features.columns.map((column) => column.name)).toEqual([
      'account_age_days',
      'prior_violations_30d',
      'posting_rate',
    ]);
    const rows = await host.workspace.withResults(async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT content_id, created_at, account_age_days, prior_violations_30d FROM read_parquet([${manifest.files
            .filter((f) => f.format === 'parquet')
            .map((f) => `'${path.join(manifest.dir!, f.path)}'`)
            .join(', ')}]) ORDER BY content_id`,
        )
      ).getRowObjectsJson(),
    );
    const author = await host.workspace.withConnection(
      async (conn) =>
        new Map(
          (await conn.runAndReadAll('SELECT content_id, user_id FROM content'))
            .getRowsJson()
            .map(([id, user]) => [String(id), String(user)]),
        ),
    );
    const target = author.get('c03');
    for (const row of rows) {
      const sameAuthorAfter =
        author.get(String(row.content_id)) === target && String(row.created_at) > '2024-03-03T12:00:00';
      expect(Number(row.prior_violations_30d), String(row.content_id)).toBe(sameAuthorAfter ? 1 : 0);
      expect(Number(row.account_age_days)).toBeGreaterThan(0);
    }
    expect(rows.some((row) => Number(row.prior_violations_30d) === 1)).toBe(true);
    expect(fs.readFileSync(path.join(manifest.dir!, 'README.md'), 'utf8')).toContain("as of each item's upload");
  });
});
