/**
 * Media clusters used as the text clusters are, against the real host and store: at most one item per media cluster
 * in a labeling batch, a media cluster kept in one split of a dataset version, and `sift media clusters`. The items'
 * hashes come from real image files (tests/unit/mediaDuplicatesFixture.ts) through media_files and media_hashes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perceptualHashOfImage } from '../../electron/host/media/imageHash';
import { originalPath, originalsDir } from '../../electron/host/media/mediaStore';
import type { Host } from '../../electron/host/host';
import { siftOk } from './cliFixture';
import { makeLabelingWorkspace, sessionCalls } from './labelingFixture';
import { type CopyKind, nearDuplicateImages } from './mediaDuplicatesFixture';
import { call, runJob, tempDir } from './support';

let host: Host;
let ws: string;
const { createSession, next, label } = sessionCalls(() => host);

/**
 * c03 carries picture 0; c06 a repost of it (smaller, watermarked, JPEG); c08 is a video whose second keyframe is a
 * crop of it (its first is picture 2); c10 carries picture 1, alone. Their texts have nothing in common.
 */
const MEDIA: Record<string, { kind: 'image' | 'video'; frames: [number, CopyKind][] }> = {
  c03: { kind: 'image', frames: [[0, 'original']] },
  c06: { kind: 'image', frames: [[0, 'reposted']] },
  c08: {
    kind: 'video',
    frames: [
      [2, 'original'],
      [0, 'cropped'],
    ],
  },
  c10: { kind: 'image', frames: [[1, 'original']] },
};
const CLUSTER = ['c03', 'c06', 'c08'];

beforeAll(async () => {
  ws = path.join(tempDir('sift-media-uses-'), 'ws');
  host = await makeLabelingWorkspace(ws);
  const files = tempDir('sift-media-uses-files-');
  const fileOf = new Map<string, string>();
  for await (const { family, kind, image } of nearDuplicateImages(3)) {
    const file = path.join(files, `${family}-${kind}`);
    fs.writeFileSync(file, image);
    fileOf.set(`${family}-${kind}`, file);
  }
  // Registered as mediacore registers (the bytes copied under their SHA-256), its hashes as preparing makes them.
  await host.workspace.withStore(async (conn) => {
    for (const [contentId, { kind, frames }] of Object.entries(MEDIA)) {
      const bytes = fs.readFileSync(fileOf.get(frames[0]!.join('-'))!);
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      const format = kind === 'image' ? 'png' : 'mp4';
      fs.mkdirSync(originalsDir(ws), { recursive: true });
      fs.writeFileSync(originalPath(ws, sha256, format), bytes);
      await conn.run(
        `INSERT INTO media_files VALUES ($contentId, 0, $sha256, $kind, $format, 320, 240, $frames, NULL, $bytes, 'x', 'ok', NULL, now())`,
        { contentId, sha256, kind, format, frames: kind === 'image' ? 0 : frames.length, bytes: bytes.length },
      );
      for (const [frame, copy] of frames.entries())
        await conn.run('INSERT INTO media_hashes VALUES ($sha256, $frame, $phash)', {
          sha256,
          frame,
          phash: await perceptualHashOfImage(fileOf.get(copy.join('-'))!),
        });
    }
  });
  // One post a day from 1 March: c01 first, c10 last.
  await host.workspace.withConnection((conn) =>
    conn.run(
      `UPDATE content SET created_at = TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (CAST(substr(content_id, 2) AS INTEGER) - 1) DAY`,
    ),
  );
}, 120_000);
afterAll(async () => host?.close());

describe('media clusters', () => {
  it('joins an image, its repost and a video through one keyframe, and nothing else', async () => {
    expect(await call(host, 'media.clusters', {})).toEqual([{ cluster: 1, contentIds: CLUSTER }]);
  });

  it('puts at most one item of a media cluster in a labeling batch, the others kept for later', async () => {
    const session = await createSession({
      pool: `SELECT content_id FROM content WHERE content_id IN ('c03', 'c05', 'c06', 'c08', 'c10')`,
      strategy: 'random',
      batchSize: 3,
    });
    const first = await next(session.id);
    expect(first.items).toHaveLength(3);
    expect(first.items.filter((item) => CLUSTER.includes(item.contentId))).toHaveLength(1);
    expect(first.deferredDuplicates).toBeGreaterThanOrEqual(1);
    for (const item of first.items) await label(session.id, item.contentId, 0);
    // The pool has no distinct item left: the cluster's other copies come next rather than never.
    const second = await next(session.id);
    expect(second.items.map((item) => item.contentId).every((id) => CLUSTER.includes(id))).toBe(true);
    expect(second.items).toHaveLength(2);
  });

  it('keeps a media cluster in the split of its earliest item (no leakage through a reposted image)', async () => {
    const session = await createSession({ name: 'split', pool: 'SELECT content_id FROM content', batchSize: 10 });
    const batch = await next(session.id, 'bo');
    for (const item of batch.items) await label(session.id, item.contentId, 0);
    const out = tempDir('sift-media-uses-out-');
    const manifest = await runJob(host, 'datasets.export', {
      name: 'media-split',
      out,
      sessions: [session.id],
      cutDate: '2024-03-06T00:00:00Z',
      valDays: 2,
    });
    const splitOf = await host.workspace.withConnection(async (conn) => {
      const rows = await conn.runAndReadAll(
        `SELECT content_id, split FROM (${['train', 'validation', 'test']
          .map(
            (split) =>
              `SELECT content_id, '${split}' AS split FROM read_parquet('${path.join(manifest.dir!, `${split}.parquet`)}')`,
          )
          .join(' UNION ALL ')}) ORDER BY 1`,
      );
      return new Map(rows.getRowsJson().map(([id, split]) => [String(id), String(split)]));
    });
    // By time c06 would be validation (6 March) and c08 test (8 March); c03, posted 3 March, takes them to train.
    expect(CLUSTER.map((id) => splitOf.get(id))).toEqual(['train', 'train', 'train']);
    expect(splitOf.get('c10')).toBe('test');
    expect(manifest.splits.nearDuplicatesMoved).toBeGreaterThanOrEqual(2);
  });
});

describe('the spike drill', () => {
  it('shows the same picture posted in many items of the window, with its accounts and times', async () => {
    await host.workspace.withConnection((conn) =>
      conn.run(
        `CREATE OR REPLACE TABLE reports AS SELECT 'r' || content_id AS report_id, content_id, 'spam' AS reason,
           TIMESTAMP '2024-03-10 12:00:00' AS created_at, 'reporter1' AS reporter_id
         FROM content WHERE content_id IN ('c03', 'c05', 'c06', 'c08', 'c10')`,
      ),
    );
    const drill = await runJob(host, 'spike.drill', {
      source: 'reports',
      by: 'reason',
      series: 'spam',
      start: '2024-03-10T00:00:00.000Z',
      end: '2024-03-11T00:00:00.000Z',
    });
    expect(drill.items).toBe(5);
    expect(drill.clusters).toEqual([]); // their texts have nothing in common
    // c03 is u1's (account of 1 January), c06 and c08 u2's (20 February: not new in the week before 10 March).
    expect(drill.mediaClusters).toEqual([
      {
        size: 3,
        authors: 2,
        newAccounts: 0,
        firstAt: '2024-03-03T10:00:00.000Z',
        lastAt: '2024-03-08T10:00:00.000Z',
        contentIds: CLUSTER,
      },
    ]);
  });
});

describe('sift media clusters', () => {
  it('prints exactly [{"cluster": id, "content_ids": [...]}] with --json, and a readable list without', async () => {
    await host.close();
    const json = await siftOk('media', 'clusters', '--json', '--workspace', ws);
    expect(json.stdout).toBe('[{"cluster":1,"content_ids":["c03","c06","c08"]}]\n');
    const text = await siftOk('media', 'clusters', '--workspace', ws);
    expect(text.stdout).toBe('1 media clusters, 3 items:\n  cluster 1 (3 items): c03, c06, c08\n');
  });
});
