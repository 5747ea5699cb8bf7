/**
 * `sift score` with the fusion model makes image embeddings from items' media (docs/media.md): real image files
 * generated with sharp, registered in the store's media_files, the demo encoder the fusion manifest names. An item's
 * fused score changes once its embedding exists; an item that has image_emb is not encoded; a reposted file is
 * encoded once; a later run reads the store; an unreadable file is named and its item scored without an image.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { cacheDir, type MediaFileRow, originalPath, writeMediaRows } from '../../electron/host/media/mediaStore';
import { ImageEncoder } from '../../electron/host/models/imageEncoder';
import { loadEncoderPackage } from '../../electron/host/models/modelPackage';
import type { ScoreOutcome } from '../../shared/contract';
import { call, openTempHost, tempDir } from './support';

const exec = promisify(execFile);
const ENCODER = path.resolve('models/image-encoder-tiny');
const SHA = { red: 'a'.repeat(64), blue: 'b'.repeat(64), video: 'c'.repeat(64), broken: 'd'.repeat(64) };

async function score(host: Host): Promise<ScoreOutcome> {
  const { jobId } = await call(host, 'models.score', { model: 'text-fusion', sql: 'SELECT * FROM content' });
  const job = await host.jobs.wait(jobId);
  expect(job.error?.message).toBeUndefined();
  return job.result as ScoreOutcome;
}

async function scores(host: Host, runId: string): Promise<Record<string, number[]>> {
  const rows = await host.workspace.withConnection(
    async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT content_id, list(score ORDER BY category) FROM model_scores WHERE run_id = '${runId}' GROUP BY ALL`,
        )
      ).getRowsJson() as [string, number[]][],
  );
  return Object.fromEntries(rows.map(([id, values]) => [id, values.map(Number)]));
}

const storedEmbeddings = (host: Host) =>
  host.workspace.withStore(
    async (conn) =>
      (
        await conn.runAndReadAll('SELECT sha256, encoder, embedding FROM image_embeddings ORDER BY sha256')
      ).getRowsJson() as [string, string, number[]][],
  );

/** A picture of one colour with a lighter square in a corner, as a real file of `format`. */
async function picture(file: string, rgb: [number, number, number], format: 'png' | 'jpeg', size = 64) {
  const pixels = Buffer.alloc(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const corner = p % size < size / 2 && p < (size * size) / 2;
    rgb.forEach((value, c) => (pixels[p * 3 + c] = corner ? Math.min(255, value + 90) : value));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .toFormat(format)
    .toFile(file);
}

function mediaRow(contentId: string, sha256: string, kind: 'image' | 'video', format: MediaFileRow['format']) {
  return {
    contentId,
    position: 0,
    sha256,
    kind,
    format,
    width: 64,
    height: 64,
    frames: kind === 'video' ? 1 : 0,
    durationS: kind === 'video' ? 1 : null,
    bytes: 1,
    status: 'ok',
    error: null,
    sourcePath: `${contentId}.${format}`,
  } satisfies MediaFileRow;
}

describe('image embeddings from media in sift score', () => {
  let host: Host;
  let secondScores: Record<string, number[]> = {};
  beforeAll(async () => {
    ({ host } = await openTempHost());
    await host.workspace.withConnection((conn) =>
      conn.run(`
        CREATE TABLE users AS SELECT * FROM (VALUES ('u1', TIMESTAMP '2024-01-01 00:00:00')) t(user_id, created_at);
        CREATE TABLE content AS SELECT * FROM (VALUES
          ('a', 'u1', TIMESTAMP '2024-03-01 10:00:00', 'look at this', NULL::FLOAT[]),
          ('b', 'u1', TIMESTAMP '2024-03-01 11:00:00', 'look at this again', NULL::FLOAT[]),
          ('c', 'u1', TIMESTAMP '2024-03-01 12:00:00', 'mine has an embedding', [0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5]::FLOAT[]),
          ('d', 'u1', TIMESTAMP '2024-03-01 13:00:00', 'text only', NULL::FLOAT[]),
          ('v', 'u1', TIMESTAMP '2024-03-01 14:00:00', 'a clip', NULL::FLOAT[]),
          ('x', 'u1', TIMESTAMP '2024-03-01 15:00:00', 'a broken file', NULL::FLOAT[])
        ) t(content_id, user_id, created_at, text, image_emb);`),
    );
  });
  let closed = false; // the CLI test closes it, so the CLI can open the workspace
  afterAll(async () => {
    if (!closed) await host?.close();
  });

  it('a fused score changes once the item has an embedding of its media, made once per file and kept', async () => {
    const before = await score(host);
    const first = await scores(host, before.runId); // a re-run replaces these: read them now
    // No media registered: the encoder is not even loaded, and the outcome says nothing about images.
    expect(before.imageEmbeddings).toBeUndefined();

    const ws = host.workspace.dir;
    await picture(originalPath(ws, SHA.red, 'png'), [200, 30, 40], 'png');
    await picture(originalPath(ws, SHA.blue, 'jpeg'), [20, 40, 210], 'jpeg');
    // A video's picture is its first keyframe, as media.prepare leaves it in the file's cache folder.
    await picture(path.join(cacheDir(ws, SHA.video), 'keyframe-0.jpg'), [30, 200, 60], 'jpeg');
    fs.writeFileSync(originalPath(ws, SHA.broken, 'jpeg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]));
    await host.workspace.withStore((conn) =>
      writeMediaRows(
        conn,
        ['a', 'b', 'c', 'v', 'x'],
        [
          mediaRow('a', SHA.red, 'image', 'png'),
          mediaRow('b', SHA.red, 'image', 'png'), // the same file reposted
          mediaRow('c', SHA.blue, 'image', 'jpeg'),
          mediaRow('v', SHA.video, 'video', 'mp4'),
          mediaRow('x', SHA.broken, 'image', 'jpeg'),
        ],
      ),
    );

    const after = await score(host);
    expect(after.imageEmbeddings).toMatchObject({
      encoder: 'image-encoder-tiny',
      version: '2026.12.1',
      items: 3, // a, b (one file), v
      computed: 2, // the red picture once, the video's keyframe
      failed: 1,
    });
    expect(after.imageEmbeddings!.errors).toEqual([expect.stringContaining(`${SHA.broken}.jpg`) as unknown]);

    const second = await scores(host, after.runId);
    secondScores = second;
    for (const id of ['a', 'b', 'v']) expect(second[id], id).not.toEqual(first[id]);
    for (const id of ['c', 'd', 'x']) expect(second[id], id).toEqual(first[id]);

    // c has image_emb: its file was never encoded. The stored embedding is the encoder's output for the file.
    const stored = await storedEmbeddings(host);
    expect(stored.map(([sha]) => sha)).toEqual([SHA.red, SHA.video]);
    const encoder = await ImageEncoder.create(loadEncoderPackage(ENCODER), 'cpu');
    try {
      const [direct] = await encoder.encode([originalPath(host.workspace.dir, SHA.red, 'png')]);
      stored[0]![2].forEach((value, k) =>
        expect(value).toBeCloseTo((direct as { embedding: Float32Array }).embedding[k]!, 6),
      );
    } finally {
      await encoder.close();
    }
  });

  it('a later run reads the embeddings from the store and scores the same', async () => {
    const again = await score(host);
    expect(again.imageEmbeddings).toMatchObject({ items: 3, computed: 0, failed: 1 });
    expect(await scores(host, again.runId)).toEqual(secondScores);
    expect((await storedEmbeddings(host)).length).toBe(2);
  });

  it('sift score says, in one more line, what it made from media and which files it could not read', async () => {
    const dir = host.workspace.dir;
    await host.close();
    closed = true;
    const { stdout } = await exec(
      'node',
      ['bin/sift.mjs', 'score', '--model', 'text-fusion', '--sql', 'SELECT * FROM content', '--workspace', dir],
      { env: { ...process.env, SIFT_HOME: tempDir('sift-home-') } },
    );
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Scored 6 items with text-fusion 2026\.11\.1 on /);
    expect(lines.slice(1)).toEqual([
      "Image embeddings from media (image-encoder-tiny 2026.12.1 on cpu): 3 items, 0 files encoded now, the rest read from Sift's store; 1 files could not be encoded, their items scored without an image:",
      expect.stringContaining(`${SHA.broken}.jpg`) as unknown,
    ]);
  }, 120_000);

  it('a fusion model naming an encoder Sift cannot find is refused, naming its manifest and the encoder', async () => {
    const { host: other } = await openTempHost();
    try {
      const copy = path.join(tempDir('sift-fusion-copy-'), 'fusion');
      fs.cpSync(path.resolve('models/text-fusion'), copy, { recursive: true });
      const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'model.json'), 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(
        path.join(copy, 'model.json'),
        JSON.stringify({ ...manifest, imageEncoder: 'image-encoder-none' }),
      );
      await call(other, 'models.add', { path: copy });
      const { jobId } = await call(other, 'models.score', { model: 'text-fusion', sql: 'SELECT 1 AS content_id' });
      expect((await other.jobs.wait(jobId)).error?.message).toBe(
        `${path.join(copy, 'model.json')}: imageEncoder "image-encoder-none" is not a registered image encoder, nor a folder beside the model.`,
      );
    } finally {
      await other.close();
    }
  });
});
