/**
 * A dataset version carries its items' media (issue 26, item 7), on real files: images drawn with sharp and a video
 * made by ffmpeg, registered through mediacore's registry; copied once per distinct file into media/<sha256>.<ext>,
 * listed in the manifest, checked by verify (a flipped byte, a removed file, an added one caught by name), declared in
 * the card as an Image feature; purged and restricted (csam) bytes never copied, restriction following the bytes; the
 * versions holding a file listed, and one deleted whole.
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetCard } from '../../electron/host/datasets/datasetCard';
import type { Host } from '../../electron/host/host';
import { type MediaFileRow, originalPath, writeMediaRows } from '../../electron/host/media/mediaStore';
import type { DatasetManifest } from '../../shared/contract';
import type { MediaFormat, MediaKind } from '../../shared/media';
import { makeLabelingWorkspace } from './labelingFixture';
import { call, runJob, tempDir } from './support';

let host: Host;
let sessionId: string;
let out: string;
const files: Record<string, { sha256: string; format: MediaFormat; bytes: Buffer }> = {};

/** A small picture of one colour with a square of another, as raw pixels encoded by sharp. */
async function picture(format: 'png' | 'jpeg' | 'webp', colour: [number, number, number]): Promise<Buffer> {
  const size = 48;
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const inSquare = i % size > 8 && i % size < 24 && i / size > 8 && i / size < 24;
    pixels.set(inSquare ? [255 - colour[0], 255 - colour[1], 255 - colour[2]] : colour, i * 3);
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

/** Registers the files of items as mediacore's import does: the row in media_files, the bytes in originals/. */
async function register(entries: [contentId: string, names: string[], status?: 'ok' | 'purged'][]): Promise<void> {
  const rows: MediaFileRow[] = entries.flatMap(([contentId, names, status]) =>
    names.map((name, position) => {
      const file = files[name]!;
      const kind: MediaKind = file.format === 'mp4' ? 'video' : 'image';
      if (status !== 'purged') {
        fs.mkdirSync(path.dirname(originalPath(host.workspace.dir, file.sha256, file.format)), { recursive: true });
        fs.writeFileSync(originalPath(host.workspace.dir, file.sha256, file.format), file.bytes);
      }
      return {
        contentId,
        position,
        sha256: file.sha256,
        kind,
        format: file.format,
        width: 48,
        height: 48,
        frames: kind === 'video' ? 1 : 0,
        durationS: kind === 'video' ? 0.5 : null,
        bytes: file.bytes.length,
        status: status ?? 'ok',
        error: null,
        sourcePath: `/imported/${name}`,
      };
    }),
  );
  await host.workspace.withStore((conn) =>
    writeMediaRows(
      conn,
      entries.map(([id]) => id),
      rows,
    ),
  );
}

beforeAll(async () => {
  const dir = tempDir('sift-dataset-media-');
  host = await makeLabelingWorkspace(path.join(dir, 'ws'));
  await host.workspace.withConnection(async (conn) => {
    await conn.run(
      `UPDATE content SET created_at = TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (CAST(substr(content_id, 2) AS INTEGER) - 1) DAY`,
    );
    await conn.run('ALTER TABLE content ADD COLUMN image_emb FLOAT[]');
    await conn.run(`UPDATE content SET image_emb = [0.25, 0.5, 0.75] WHERE content_id = 'c04'`);
  });
  const video = path.join(dir, 'clip.mp4');
  execFileSync('/usr/bin/ffmpeg', [
    ...['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=48x48:rate=4:duration=0.5'],
    ...['-pix_fmt', 'yuv420p', video],
  ]);
  const made: [string, MediaFormat, Buffer][] = [
    ['red.png', 'png', await picture('png', [200, 30, 30])],
    ['green.jpg', 'jpeg', await picture('jpeg', [30, 200, 30])],
    ['blue.webp', 'webp', await picture('webp', [30, 30, 200])],
    ['grey.png', 'png', await picture('png', [90, 90, 90])],
    ['clip.mp4', 'mp4', fs.readFileSync(video)],
  ];
  for (const [name, format, bytes] of made)
    files[name] = { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), format, bytes };
  // c01 and c03 share one picture; c02 has two; c04's was purged (it keeps its hash and embedding); c06 a video.
  await register([
    ['c01', ['red.png']],
    ['c02', ['green.jpg', 'blue.webp']],
    ['c03', ['red.png']],
    ['c06', ['clip.mp4']],
  ]);
  await register([['c04', ['grey.png'], 'purged']]);
  // Embeddings Sift computed (electron/host/models/imageEmbeddings.ts): the latest encoder's for c02's first picture,
  // and an older encoder's for c01's, which a version must not mix in.
  await host.workspace.withStore((conn) =>
    conn.run(`INSERT INTO image_embeddings VALUES
      ('${files['green.jpg']!.sha256}', 'image-encoder-tiny', '1', 'h-new', [0.5, 0.25, 0.125], TIMESTAMP '2026-01-02'),
      ('${files['red.png']!.sha256}', 'older-encoder', '0', 'h-old', [9, 9, 9], TIMESTAMP '2026-01-01')`),
  );
  const session = await runJob(host, 'sessions.create', {
    name: 'media',
    pool: 'SELECT content_id FROM content',
    model: 'text-distil',
    version: 't1',
    strategy: 'random',
    batchSize: 10,
  });
  sessionId = session.id;
  for (const id of ['c01', 'c02', 'c03', 'c04', 'c05', 'c06', 'c07', 'c08'])
    await call(host, 'labels.record', {
      sessionId,
      annotator: 'ana',
      action: {
        kind: 'label',
        contentId: id,
        labels: [
          { category: 'spam', value: ['c01', 'c02', 'c04'].includes(id) ? 1 : 0 },
          { category: 'hate_speech', value: 0 },
        ],
      },
    });
  out = tempDir('sift-dataset-media-out-');
}, 120_000);
afterAll(async () => host?.close());

const exportVersion = () =>
  runJob(host, 'datasets.export', {
    name: 'with-media',
    out,
    sessions: [sessionId],
    cutDate: '2024-03-06T00:00:00Z',
    valDays: 2,
    formats: ['parquet', 'jsonl'],
  });

const sha = (name: string) => files[name]!.sha256;
const mediaPath = (name: string) => `media/${sha(name)}.${name.endsWith('.jpg') ? 'jpg' : name.split('.').pop()}`;

describe('a dataset version with media', () => {
  let manifest: DatasetManifest;
  beforeAll(async () => {
    manifest = await exportVersion();
  }, 60_000);

  it('copies each distinct file once into media/, lists each with its SHA-256 and size, and never the purged bytes', () => {
    const expected = ['red.png', 'green.jpg', 'blue.webp', 'clip.mp4'].map(mediaPath).sort();
    expect(manifest.media!.files.map((file) => file.path)).toEqual(expected);
    for (const file of manifest.media!.files) {
      const onDisk = fs.readFileSync(path.join(manifest.dir!, file.path));
      expect(crypto.createHash('sha256').update(onDisk).digest('hex')).toBe(file.sha256);
      expect(onDisk.length).toBe(file.bytes);
    }
    expect(fs.readdirSync(path.join(manifest.dir!, 'media')).sort()).toEqual(expected.map((p) => path.basename(p)));
    expect(manifest.media!.withheld).toEqual({ restricted: 0, purged: 1, error: 0 });
    expect(manifest.media!.columns).toEqual([
      { name: 'image', list: true },
      { name: 'video', list: false },
    ]);
    expect(manifest.labelSchema.columns.slice(-4)).toEqual(['image', 'video', 'media_sha256', 'image_emb']);
  });

  it('gives each row its media as paths relative to the version, and a purged file only its hash and embedding', async () => {
    const splits = ['train', 'validation', 'test'].map((split) => `'${path.join(manifest.dir!, `${split}.parquet`)}'`);
    const rows = await host.workspace.withResults(async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT content_id, image, video, media_sha256, image_emb FROM read_parquet([${splits.join(', ')}]) ORDER BY 1`,
        )
      ).getRowsJson(),
    );
    const byId = Object.fromEntries(rows.map((row) => [row[0], row.slice(1)]));
    expect(byId.c01).toEqual([[mediaPath('red.png')], null, [sha('red.png')], null]);
    expect(byId.c02).toEqual([
      [mediaPath('green.jpg'), mediaPath('blue.webp')],
      null,
      [sha('green.jpg'), sha('blue.webp')],
      [0.5, 0.25, 0.125],
    ]);
    expect(manifest.media!.embeddingEncoder).toEqual({ name: 'image-encoder-tiny', version: '1' });
    expect(byId.c03![0]).toEqual([mediaPath('red.png')]); // the same file as c01's: one copy
    expect(byId.c04).toEqual([null, null, [sha('grey.png')], [0.25, 0.5, 0.75]]);
    expect(byId.c06).toEqual([null, mediaPath('clip.mp4'), [sha('clip.mp4')], null]);
    expect(byId.c05).toEqual([null, null, null, null]);
    // The JSONL rows name the same paths.
    const jsonl = fs.readFileSync(path.join(manifest.dir!, 'train.jsonl'), 'utf8');
    expect(jsonl).toContain(JSON.stringify(mediaPath('green.jpg')));
  });

  it('declares the image column as an Image feature in the card (a list: sequence of image)', () => {
    const card = fs.readFileSync(path.join(manifest.dir!, 'README.md'), 'utf8');
    const header = card.slice(0, card.indexOf('\n---\n') + 1);
    expect(header).toContain('dataset_info:\n  features:\n  - name: content_id\n    dtype: string\n');
    expect(header).toContain('  - name: image\n    sequence: image\n  - name: video\n    dtype: string\n');
    expect(header).toContain(
      '  - name: media_sha256\n    sequence: string\n  - name: image_emb\n    sequence: float32\n',
    );
    expect(header).toContain('  - name: spam\n    dtype: int32\n');
    expect(header).toContain('  - name: account_age_days\n    dtype: float64\n');
    // Every row column is declared, in order (datasets casts the Parquet files to the features listed).
    const declared = [...header.matchAll(/^ {2}- name: (\S+)$/gm)].map((match) => match[1]);
    expect(declared).toEqual(manifest.labelSchema.columns);
    // One image per item: a plain Image feature.
    const single = datasetCard({
      ...manifest,
      media: { ...manifest.media!, columns: [{ name: 'image', list: false }] },
      labelSchema: { ...manifest.labelSchema, columns: ['content_id', 'image', 'media_sha256', 'image_emb'] },
    });
    expect(single).toContain('  - name: image\n    dtype: image\n');
  });

  it('verifies, then names a media file with a byte flipped, one removed, and one added', async () => {
    const verify = () => call(host, 'datasets.verify', { dir: manifest.dir! });
    expect(await verify()).toMatchObject({ ok: true, scope: 'record', files: 6 + 4, problems: [] });
    const red = path.join(manifest.dir!, mediaPath('red.png'));
    const original = fs.readFileSync(red);
    const flipped = Buffer.from(original);
    flipped[flipped.length >> 1]! ^= 0x01;
    fs.writeFileSync(red, flipped);
    expect((await verify()).problems).toEqual([`${mediaPath('red.png')}: its SHA-256 differs from the manifest's`]);
    fs.rmSync(red);
    expect((await verify()).problems).toEqual([`${mediaPath('red.png')}: missing`]);
    fs.writeFileSync(red, original);
    fs.writeFileSync(path.join(manifest.dir!, 'media', 'extra.png'), original);
    expect((await verify()).problems).toEqual(['media/extra.png: a file the manifest does not list']);
    fs.rmSync(path.join(manifest.dir!, 'media', 'extra.png'));
    expect((await verify()).ok).toBe(true);
  });

  it('sift dataset verify exits 1 naming the changed media file', async () => {
    const blue = path.join(manifest.dir!, mediaPath('blue.webp'));
    const original = fs.readFileSync(blue);
    fs.writeFileSync(blue, Buffer.concat([original.subarray(0, -1), Buffer.from([original.at(-1)! ^ 0xff])]));
    try {
      const child = spawn(
        'node',
        ['bin/sift.mjs', 'dataset', 'verify', manifest.dir!, '--workspace', host.workspace.dir],
        { env: { ...process.env, SIFT_HOME: tempDir('sift-home-') }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code).toBe(1);
      expect(stderr).toContain(`${mediaPath('blue.webp')}: its SHA-256 differs from the manifest's`);
    } finally {
      fs.writeFileSync(blue, original);
    }
  }, 120_000);

  it('after a csam label: lists the versions holding its bytes, withholds them from a new one, deletes the old whole', async () => {
    expect(await call(host, 'datasets.holdingMedia', { sha256s: [sha('grey.png')] })).toEqual([]); // purged: no bytes
    // c03 becomes restricted: its picture is also c01's, and restriction follows the bytes.
    await call(host, 'labels.record', {
      sessionId,
      annotator: 'ana',
      action: { kind: 'label', contentId: 'c03', labels: [{ category: 'nsfw', value: 1, leaf: 'csam' }] },
    });
    const holding = await call(host, 'datasets.holdingMedia', { contentIds: ['c03'] });
    expect(holding).toEqual([
      {
        dir: manifest.dir,
        name: 'with-media',
        version: 1,
        createdAt: manifest.createdAt,
        sha256s: [sha('red.png')],
        onDisk: true,
      },
    ]);
    const second = await exportVersion();
    expect(second.media!.files.map((file) => file.path)).toEqual(
      ['green.jpg', 'blue.webp', 'clip.mp4'].map(mediaPath).sort(),
    );
    expect(second.media!.withheld).toEqual({ restricted: 2, purged: 1, error: 0 });
    expect(fs.existsSync(path.join(second.dir!, mediaPath('red.png')))).toBe(false);
    const rows = await host.workspace.withResults(async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT content_id, image, media_sha256 FROM read_parquet('${path.join(second.dir!, 'train.parquet')}') WHERE content_id IN ('c01', 'c03') ORDER BY 1`,
        )
      ).getRowsJson(),
    );
    expect(rows).toEqual([
      ['c01', null, [sha('red.png')]],
      ['c03', null, [sha('red.png')]],
    ]);
    expect((await call(host, 'datasets.holdingMedia', { contentIds: ['c03'] })).map((v) => v.version)).toEqual([1]);
    expect(await call(host, 'datasets.delete', { dir: manifest.dir! })).toEqual({ dir: manifest.dir, deleted: true });
    expect(fs.readdirSync(path.join(out, 'with-media'))).toEqual(['v2']);
    expect(await call(host, 'datasets.holdingMedia', { contentIds: ['c03'] })).toEqual([]);
    expect(await call(host, 'datasets.delete', { dir: manifest.dir! })).toEqual({ dir: manifest.dir, deleted: false });
    await expect(call(host, 'datasets.delete', { dir: out })).rejects.toThrow(/not a dataset version this workspace/);
  }, 60_000);

  it('publishes nothing when an original is missing, naming it', async () => {
    const green = originalPath(host.workspace.dir, sha('green.jpg'), 'jpeg');
    fs.renameSync(green, `${green}.away`);
    try {
      await expect(exportVersion()).rejects.toThrow(`${green}: the registered original of media ${sha('green.jpg')}`);
      expect(fs.readdirSync(path.join(out, 'with-media'))).toEqual(['v2']); // no v3, no staging left behind
    } finally {
      fs.renameSync(`${green}.away`, green);
    }
  }, 60_000);
});
