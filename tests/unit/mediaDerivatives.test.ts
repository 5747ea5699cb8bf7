/**
 * Derivatives of registered media (issue 26): media.prepare makes thumbnails, display and shielded renditions,
 * a video's keyframes and webm rendition, and the perceptual hashes, cached in the workspace; a truncated file gets
 * a placeholder and an error naming it; media.get serves base64 (made on demand when not cached); an annotator
 * gets media of her own batches only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { makeMediaFixture, type MediaFixture } from './mediaFixture';
import { call, importFile, openTempHost, runJob, writeTemp } from './support';

let host: Host;
let fixture: MediaFixture;
let cache: string;

beforeAll(async () => {
  ({ host } = await openTempHost());
  fixture = await makeMediaFixture();
  cache = path.join(host.workspace.dir, '.sift', 'media', 'cache');
  const csv = writeTemp(
    fixture.dir,
    'posts.csv',
    'content_id,media\np1,media/a.jpg\np2,"[""media/b.png"", ""media/clip.mp4""]"\np3,media/truncated.jpg\np4,media/d.gif\n',
  );
  const job = await importFile(host, csv, { table: 'posts', mediaColumn: 'media' });
  expect(job.status, job.error?.message).toBe('done');
}, 120_000);
afterAll(async () => host?.close());

const fileOf = async (contentId: string, position = 0) =>
  (await call(host, 'media.forItems', { contentIds: [contentId] }))[0]!.media[position]!;

describe('media derivatives', () => {
  it('media.prepare makes every derivative and hash, cached; a truncated file is named, the rest go on', async () => {
    const result = await runJob(host, 'media.prepare', {});
    expect(result).toMatchObject({ files: 5, prepared: 4, cached: 0, failed: 1 });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^truncated\.jpg: the file is truncated/);
    const picture = await fileOf('p1');
    expect(fs.readdirSync(path.join(cache, picture.sha256)).sort()).toEqual([
      'display.jpg',
      'shielded.jpg',
      'thumb.jpg',
    ]);
    const video = await fileOf('p2', 1);
    expect(video.kind).toBe('video');
    const keyframes = Array.from({ length: video.frames }, (_, i) => `keyframe-${i}.jpg`);
    expect(fs.readdirSync(path.join(cache, video.sha256)).sort()).toEqual(
      ['display.jpg', 'shielded.jpg', 'thumb.jpg', 'video.webm', ...keyframes].sort(),
    );
    const hashes = await host.workspace.withStore(async (conn) =>
      (await conn.runAndReadAll('SELECT sha256, frame, phash FROM media_hashes ORDER BY sha256, frame')).getRowsJson(),
    );
    expect(hashes.filter(([sha]) => sha === video.sha256).map(([, frame]) => Number(frame))).toEqual(
      keyframes.map((_, i) => i),
    );
    expect(hashes.filter(([sha]) => sha === picture.sha256)).toHaveLength(1);
    expect(hashes.every(([, , phash]) => /^[0-9a-f]{16}$/.test(String(phash)))).toBe(true);
    const truncated = await fileOf('p3');
    expect(truncated.status).toBe('error');
    expect(truncated.error).toMatch(/truncated\.jpg/);

    const again = await runJob(host, 'media.prepare', {});
    expect(again).toMatchObject({ files: 5, prepared: 0, cached: 4, failed: 1 });
  });

  it('media.get serves derivatives as base64, never the original; a bad file answers a placeholder naming it', async () => {
    const thumb = await call(host, 'media.get', { contentId: 'p1', rendition: 'thumb' });
    expect(thumb).toMatchObject({ status: 'ok', mime: 'image/jpeg', width: 256, height: 192, shielded: false });
    const original = fs.readFileSync(path.join(fixture.dir, 'media', 'a.jpg')).toString('base64');
    const display = await call(host, 'media.get', { contentId: 'p1', rendition: 'display' });
    expect(display).toMatchObject({ status: 'ok', width: 320, height: 240 });
    expect(display.status === 'ok' && display.dataBase64).not.toBe(original);
    const keyframe = await call(host, 'media.get', { contentId: 'p2', position: 1, rendition: 'keyframe', frame: 1 });
    expect(keyframe).toMatchObject({ status: 'ok', mime: 'image/jpeg', width: 160, height: 120 });
    const video = await call(host, 'media.get', { contentId: 'p2', position: 1, rendition: 'video' });
    expect(video).toMatchObject({ status: 'ok', mime: 'video/webm' });
    expect(Buffer.from(video.status === 'ok' ? video.dataBase64 : '', 'base64').subarray(0, 4)).toEqual(
      Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), // EBML: a webm file
    );
    const bad = await call(host, 'media.get', { contentId: 'p3', rendition: 'display' });
    expect(bad).toMatchObject({ status: 'placeholder' });
    expect(bad.status === 'placeholder' && bad.reason).toMatch(/truncated\.jpg: the file is truncated/);
    const none = await call(host, 'media.get', { contentId: 'p1', position: 3, rendition: 'thumb' });
    expect(none.status).toBe('placeholder');
  });

  it('media.get makes a derivative on demand when it is not cached', async () => {
    const picture = await fileOf('p4');
    fs.rmSync(path.join(cache, picture.sha256), { recursive: true, force: true });
    const thumb = await call(host, 'media.get', { contentId: 'p4', rendition: 'thumb' });
    expect(thumb).toMatchObject({ status: 'ok', width: 120, height: 90 });
    expect(fs.existsSync(path.join(cache, picture.sha256, 'thumb.jpg'))).toBe(true);
  });

  it("an annotator's token gets media of her own batches only", async () => {
    const refused = await host.dispatch(
      'media.get',
      { contentId: 'p1', rendition: 'thumb' },
      { role: 'annotator', annotator: 'ana' },
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(!refused.ok && refused.error.message).toMatch(/p1 is not in a batch of ana's/);
    const listing = await host.dispatch(
      'media.forItems',
      { contentIds: ['p2'] },
      { role: 'annotator', annotator: 'ana' },
    );
    expect(listing.ok).toBe(false);
  });

  it('media.prepare reports progress and can be cancelled', async () => {
    fs.rmSync(cache, { recursive: true, force: true });
    const { jobId } = await call(host, 'media.prepare', {});
    await new Promise<void>((resolve) => {
      const stop = host.onEvent((event) => {
        if (event.channel === 'job' && event.event.type === 'progress' && event.event.job.id === jobId) {
          stop();
          resolve();
        }
      });
    });
    await call(host, 'jobs.cancel', { jobId });
    expect((await host.jobs.wait(jobId)).status).toBe('cancelled');
  });
});
