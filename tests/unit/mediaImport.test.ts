/**
 * Importing content with a media column (issue 26): files registered by what the decoder finds and copied into the
 * workspace; a path outside the allowed folders, a symbolic link out, an SVG, a bomb or a file of garbage fails the
 * whole import, naming the row and the path, with nothing left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { ImportOutcome } from '../../shared/contract';
import { sift } from './cliFixture';
import { makeMediaFixture, type MediaFixture } from './mediaFixture';
import { call, importFile, openTempHost, tableNames, writeTemp } from './support';

let host: Host;
let fixture: MediaFixture;

beforeAll(async () => {
  ({ host } = await openTempHost());
  fixture = await makeMediaFixture();
}, 60_000);
afterAll(async () => host?.close());

const originals = () => {
  const dir = path.join(host.workspace.dir, '.sift', 'media', 'originals');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
};

describe('sift import --media-column', () => {
  it('registers each row’s files by the format the decoder finds and copies them, content-addressed', async () => {
    const csv = writeTemp(
      fixture.dir,
      'posts.csv',
      [
        'content_id,text,media',
        'p1,one,media/a.jpg',
        'p2,two,"[""media/b.png"", ""media/clip.mp4""]"',
        'p3,three,media/really-a-jpeg.png',
        'p4,four,media/c.webp',
        'p5,five,media/d.gif',
        'p6,six,',
        `p7,seven,${path.join(fixture.dir, 'media', 'a.jpg')}`,
      ].join('\n') + '\n',
    );
    const job = await importFile(host, csv, { table: 'posts', mediaColumn: 'media' });
    expect(job.status, job.error?.message).toBe('done');
    expect((job.result as ImportOutcome).media).toEqual({ files: 7, items: 6 });
    const items = await call(host, 'media.forItems', { contentIds: ['p1', 'p2', 'p3', 'p6', 'p7'] });
    const brief = items.map((item) => item.media.map((m) => `${m.kind}:${m.format}:${m.width}x${m.height}`));
    expect(brief).toEqual([
      ['image:jpeg:320x240'],
      ['image:png:200x300', 'video:mp4:160x120'],
      ['image:jpeg:100x100'],
      [],
      ['image:jpeg:320x240'],
    ]);
    const video = items[1]!.media[1]!;
    expect(video.frames).toBeGreaterThan(0);
    expect(video.durationS).toBeCloseTo(3, 0);
    // The same bytes twice (p1 and p7) are one original; the JPEG named .png is stored as .jpg.
    expect(items[0]!.media[0]!.sha256).toBe(items[4]!.media[0]!.sha256);
    expect(originals()).toContain(`${items[2]!.media[0]!.sha256}.jpg`);
    expect(originals()).toHaveLength(6);
  });

  const refusals: [string, (dir: string, outside: string) => string, RegExp][] = [
    ['a path with .. out of the folder', (_dir, outside) => `../${path.basename(outside)}/secret.jpg`, /leads outside/],
    ['a path with .. to a file that may not exist', () => '../elsewhere/x.jpg', /leads outside/],
    ['an absolute path elsewhere', (_dir, outside) => path.join(outside, 'secret.jpg'), /leads outside the folders/],
    ['a symbolic link out', () => 'media/link-out.jpg', /leads outside the folders/],
    ['an SVG under a picture’s name', () => 'media/drawing.jpg', /SVG/],
    ['a decompression bomb', () => 'media/bomb.png', /8000×7000 pixels .*50-megapixel limit/],
    ['a file of garbage', () => 'media/garbage.jpg', /not a picture or video Sift can read/],
    ['a missing file', () => 'media/nope.jpg', /no such file/],
  ];
  it.each(refusals)('refuses %s, naming the row and the path; nothing is imported', async (_what, given, message) => {
    const before = originals();
    const bad = given(fixture.dir, fixture.outside);
    const csv = writeTemp(fixture.dir, 'bad.csv', `content_id,media\nb1,media/c.webp\nb2,${bad}\n`);
    const job = await importFile(host, csv, { table: 'bad_posts', mediaColumn: 'media' });
    expect(job.status).toBe('failed');
    expect(job.error!.message).toContain(`row 2 (content_id b2): ${bad}`);
    expect(job.error!.message).toMatch(message);
    expect(await tableNames(host)).not.toContain('bad_posts');
    expect((await call(host, 'media.forItems', { contentIds: ['b1', 'b2'] })).every((i) => i.media.length === 0)).toBe(
      true,
    );
    expect(originals()).toEqual(before);
  });

  it('refuses a media column the file lacks, naming it', async () => {
    const csv = writeTemp(fixture.dir, 'nomedia.csv', 'content_id,text\nn1,hello\n');
    const job = await importFile(host, csv, { table: 'nomedia', mediaColumn: 'pictures' });
    expect(job.error?.message).toMatch(/has no column "pictures"/);
  });

  it('on the command line: sift import FILE --table content --media-column COLUMN', async () => {
    const csv = writeTemp(fixture.dir, 'cli.csv', 'content_id,text,image_path\nq1,hi,media/a.jpg\n');
    const workspace = path.join(fixture.outside, 'ws');
    const run = await sift(
      'import',
      csv,
      '--table',
      'content',
      '--media-column',
      'image_path',
      '--workspace',
      workspace,
    );
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.stdout).toContain('Registered 1 media files for 1 items');
    const bad = writeTemp(fixture.dir, 'cli-bad.csv', 'content_id,image_path\nq2,media/link-out.jpg\n');
    const refused = await sift(
      'import',
      bad,
      '--table',
      'more',
      '--media-column',
      'image_path',
      '--workspace',
      workspace,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('row 1 (content_id q2): media/link-out.jpg');
  });
});
