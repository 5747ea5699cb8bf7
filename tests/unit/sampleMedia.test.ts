/**
 * The committed sample's media (sample-data/sampleMedia.ts): the `media` column points at real files in the sample
 * folder, the campaign's accounts all post its promo banner or a near-duplicate of it, the media stay small, and
 * ffmpeg writes the videos bit-exactly. Real files, real DuckDB, real ffmpeg.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { drawScene } from '../../sample-data/mediaScenes';
import { encodeVideo } from '../../sample-data/sampleVideos';
import { perceptualHashOfImage } from '../../electron/host/media/imageHash';
import { mediaOfItems, originalsDir } from '../../electron/host/media/mediaStore';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import { MEDIA_CLUSTER_THRESHOLD as NEAR } from '../../shared/mediaClusters';
import { hammingDistance } from '../../shared/perceptualHash';
import { tempDir } from './support';

const SAMPLE = path.resolve('sample-data/platform');

interface Group {
  kind: 'campaign' | 'repost';
  source: string;
  files: Record<string, string>;
  content_ids: string[];
}

async function mediaRows(): Promise<{ contentId: string; contentType: string; media: string; campaign: boolean }[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(
      `SELECT content_id, content_type, media, text LIKE '%boostfans.example%' FROM '${SAMPLE}/content.parquet'
       WHERE media IS NOT NULL ORDER BY content_id`,
    );
    return reader.getRowsJson().map(([contentId, contentType, media, campaign]) => ({
      contentId: String(contentId),
      contentType: String(contentType),
      media: String(media),
      campaign: campaign === true,
    }));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('the sample media', () => {
  it('gives image, video and campaign items real files in the sample folder, and stays small', async () => {
    const rows = await mediaRows();
    const types = new Set(rows.map((row) => (row.campaign ? 'campaign' : row.contentType)));
    expect([...types].sort()).toEqual(['campaign', 'image', 'video']);
    expect(rows.filter((row) => row.contentType === 'image').length).toBeGreaterThan(300);
    for (const row of rows) {
      expect(row.media, row.contentId).toMatch(/^media\/[a-z0-9_]+\.(jpg|png|webp|gif|webm|mp4)$/);
      expect(fs.existsSync(path.join(SAMPLE, row.media)), row.media).toBe(true);
    }
    for (const row of rows.filter((row) => row.contentType === 'video'))
      expect(row.media, row.contentId).toMatch(/\.(webm|mp4)$/);
    const files = fs.readdirSync(path.join(SAMPLE, 'media'));
    const bytes = files.reduce((sum, file) => sum + fs.statSync(path.join(SAMPLE, 'media', file)).size, 0);
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
    // Every file is used by some item (the ground-truth file aside), and every image decodes as what it says.
    const used = new Set(rows.map((row) => row.media.slice('media/'.length)));
    expect(files.filter((file) => !used.has(file))).toEqual(['ground_truth.json']);
    const formats = { jpg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif' } as Record<string, string>;
    for (const file of files.filter((name) => /\.(jpg|png|webp|gif)$/.test(name)).slice(0, 60))
      expect((await sharp(path.join(SAMPLE, 'media', file)).metadata()).format).toBe(formats[file.split('.').pop()!]);
  });

  it('has every campaign account post the promo banner or a near-duplicate of it, as its ground truth says', async () => {
    const rows = await mediaRows();
    const truth = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'media', 'ground_truth.json'), 'utf8')) as {
      near_duplicate_groups: Group[];
    };
    const campaign = truth.near_duplicate_groups.find((group) => group.kind === 'campaign')!;
    const campaignRows = rows.filter((row) => row.campaign);
    expect(campaign.content_ids.sort()).toEqual(campaignRows.map((row) => row.contentId));
    expect(campaignRows.filter((row) => row.media === campaign.source).length).toBeGreaterThan(campaignRows.length / 2);
    expect(Object.keys(campaign.files).length).toBeGreaterThanOrEqual(5);
    // Each group's items show one of its files; its copies hash close to the source (pHash, shared/perceptualHash).
    const byId = new Map(rows.map((row) => [row.contentId, row.media]));
    for (const group of truth.near_duplicate_groups)
      for (const contentId of group.content_ids) expect(Object.keys(group.files)).toContain(byId.get(contentId));
    // pHash (as preparing media hashes) puts each copy near its source and every other picture far from it: the
    // sample's near-duplicates are exactly the ones its ground truth lists.
    const groupOf = new Map<string, string>();
    for (const group of truth.near_duplicate_groups)
      for (const file of Object.keys(group.files)) groupOf.set(file, group.source);
    const images = fs
      .readdirSync(path.join(SAMPLE, 'media'))
      .filter((name) => /\.(jpg|png|webp|gif)$/.test(name))
      .map((name) => `media/${name}`);
    const hashes = new Map<string, string>();
    for (const file of images) hashes.set(file, await perceptualHashOfImage(path.join(SAMPLE, file)));
    for (const [file, source] of groupOf)
      if (hashes.has(file))
        expect(hammingDistance(hashes.get(file)!, hashes.get(source)!), file).toBeLessThanOrEqual(NEAR);
    const lookalikes: string[] = [];
    for (let i = 0; i < images.length; i++)
      for (let j = i + 1; j < images.length; j++) {
        const [a, b] = [images[i]!, images[j]!];
        const distance = hammingDistance(hashes.get(a)!, hashes.get(b)!);
        if ((groupOf.get(a) === undefined || groupOf.get(a) !== groupOf.get(b)) && distance <= NEAR)
          lookalikes.push(`${a} ${b}: ${distance} bits`);
      }
    expect(lookalikes).toEqual([]);
    expect(truth.near_duplicate_groups.filter((group) => group.kind === 'repost').length).toBeGreaterThan(10);
  });

  it('is registered when the sample workspace is made: one registry row per item, one original per distinct file', async () => {
    const rows = await mediaRows();
    const workspace = await createSampleWorkspace(path.join(tempDir('sift-sample-media-'), 'ws'));
    try {
      const registered = await mediaOfItems(workspace);
      expect(registered.map((file) => file.contentId)).toEqual(rows.map((row) => row.contentId));
      expect(new Set(registered.map((file) => file.status))).toEqual(new Set(['ok']));
      // Two items reposting one picture with the same edit carry equal bytes: one original.
      const contents = new Set(
        [...new Set(rows.map((row) => row.media))].map((file) =>
          createHash('sha256')
            .update(fs.readFileSync(path.join(SAMPLE, file)))
            .digest('hex'),
        ),
      );
      const distinct = contents.size;
      expect(fs.readdirSync(originalsDir(workspace.dir)).length).toBe(distinct);
      const byId = new Map(registered.map((file) => [file.contentId, file]));
      for (const row of rows.filter((row) => row.contentType === 'video'))
        expect(byId.get(row.contentId)).toMatchObject({ kind: 'video', durationS: 2 });
      // The campaign's exact reposts are one file; its near-duplicates are files of their own.
      const campaign = rows.filter((row) => row.campaign);
      const banner = campaign.filter((row) => row.media === 'media/campaign_banner.jpg');
      expect(new Set(banner.map((row) => byId.get(row.contentId)!.sha256)).size).toBe(1);
      expect(new Set(campaign.map((row) => byId.get(row.contentId)!.sha256)).size).toBe(
        new Set(campaign.map((row) => row.media)).size,
      );
    } finally {
      await workspace.close();
    }
  }, 120_000);

  it('encodes a video bit-exactly: the same scene twice gives the same bytes', async () => {
    const dir = tempDir('sift-sample-video-');
    for (const format of ['webm', 'mp4'] as const) {
      await encodeVideo(drawScene(7, 'none'), format, path.join(dir, `a.${format}`));
      await encodeVideo(drawScene(7, 'none'), format, path.join(dir, `b.${format}`));
      const [a, b] = [`a.${format}`, `b.${format}`].map((file) => fs.readFileSync(path.join(dir, file)));
      expect(a!.length).toBeGreaterThan(1000);
      expect(a!.equals(b!), format).toBe(true);
    }
  }, 60_000);
});
