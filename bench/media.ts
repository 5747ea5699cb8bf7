/**
 * Media row 1 (issue 26): thumbnails of 10,000 1-megapixel JPEGs through Sift's thumbnail path (derivatives.ts
 * makeThumbnail: decode with the pixel limit and truncation check, orientation, resize, flatten, JPEG, atomic write)
 * against sharp's own resize of the same files at the same concurrency, in the same run; then a trivial call's p99
 * (workspace.info through Host.dispatch on this process's loop) while media.prepare makes every derivative and hash
 * of those files, against the same call idle, interleaved. BENCH_MEDIA_FILES changes the count.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Host } from '../electron/host/host.js';
import { makeThumbnail } from '../electron/host/media/derivatives.js';
import { originalsDir } from '../electron/host/media/mediaStore.js';
import { registerMedia } from '../electron/host/media/registration.js';
import { valueOf } from '../shared/jobRuns.js';
import { THUMB_MAX_PX } from '../shared/media.js';

const FILES = Number(process.env.BENCH_MEDIA_FILES ?? 10_000);
/** The files made at once, by both sides: media.prepare's own concurrency. */
const CONCURRENCY = 2;

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? NaN;

/** Runs `work` over `items`, `CONCURRENCY` at a time; answers the elapsed ms. */
async function pooled<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return performance.now() - started;
}

/** 1000×1000 JPEGs: 16 drawn pictures, each file made distinct (own SHA-256) by bytes after its end marker. */
async function makeJpegs(dir: string): Promise<string[]> {
  const bases: Buffer[] = [];
  for (let seed = 0; seed < 16; seed++) {
    const pixels = Buffer.alloc(1000 * 1000 * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * (seed + 3) + ((i / 3000) | 0) * seed * 7) & 0xff;
    bases.push(
      await sharp(pixels, { raw: { width: 1000, height: 1000, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }
  const files: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const file = path.join(dir, `p${i}.jpg`);
    fs.writeFileSync(file, Buffer.concat([bases[i % bases.length]!, Buffer.from(`sift-bench-${i}`)]));
    files.push(file);
  }
  return files;
}

export async function mediaBenchmark(scratch: string, log: (line: string) => void): Promise<void> {
  log(`## Media: thumbnails of ${FILES.toLocaleString('en-US')} 1-megapixel JPEGs (concurrency ${CONCURRENCY})`);
  const source = path.join(scratch, 'media-source');
  fs.mkdirSync(source, { recursive: true });
  const files = await makeJpegs(source);
  const host = await Host.open(path.join(scratch, 'media-ws'), { create: true, remember: false });
  try {
    let started = performance.now();
    const refs = files.map((file, i) => ({ contentId: `m${i}`, row: i + 1, paths: [path.basename(file)] }));
    await registerMedia(host.workspace, refs, source);
    log(`registered (probed, hashed, copied) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const originals = fs
      .readdirSync(originalsDir(host.workspace.dir))
      .map((name) => path.join(originalsDir(host.workspace.dir), name));
    const out = path.join(scratch, 'media-thumbs');
    fs.mkdirSync(path.join(out, 'sharp'), { recursive: true });
    fs.mkdirSync(path.join(out, 'sift'), { recursive: true });
    // Interleaved in chunks of 250 files, so the machine's load weighs on both alike; a warm-up first.
    const sharpOwn = (file: string) =>
      sharp(file)
        .resize(THUMB_MAX_PX, THUMB_MAX_PX, { fit: 'inside' })
        .jpeg({ quality: 80 })
        .toFile(path.join(out, 'sharp', path.basename(file)))
        .then(() => undefined);
    const sift = (file: string) => makeThumbnail(file, path.join(out, 'sift', path.basename(file)));
    await pooled(originals.slice(0, 50), sharpOwn);
    await pooled(originals.slice(0, 50), sift);
    let sharpMs = 0;
    let siftMs = 0;
    for (let from = 0; from < originals.length; from += 250) {
      const chunk = originals.slice(from, from + 250);
      sharpMs += await pooled(chunk, sharpOwn);
      siftMs += await pooled(chunk, sift);
    }
    const perSecond = (ms: number) => Math.round(originals.length / (ms / 1000)).toLocaleString('en-US');
    log(
      `Sift's thumbnails ${perSecond(siftMs)}/s vs sharp's own resize ${perSecond(sharpMs)}/s on the same files: ratio ${(sharpMs / siftMs).toFixed(2)}× (target ≥ 0.8×)`,
    );

    // The serving loop while media.prepare makes every derivative and hash, against idle windows between.
    const trivial = async (until: () => boolean) => {
      const times: number[] = [];
      while (!until()) {
        const begun = performance.now();
        valueOf(await host.dispatch('workspace.info', {}));
        times.push(performance.now() - begun);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return times;
    };
    const forMs = (ms: number) => {
      const end = performance.now() + ms;
      return () => performance.now() >= end;
    };
    await trivial(forMs(500)); // warm
    const idle = await trivial(forMs(3000));
    started = performance.now();
    const { jobId } = valueOf(await host.dispatch('media.prepare', {})) as { jobId: string };
    let finished = false;
    const job = host.jobs.wait(jobId).then((summary) => {
      finished = true;
      return summary;
    });
    const busy = await trivial(() => finished);
    const summary = await job;
    const prepareMs = performance.now() - started;
    idle.push(...(await trivial(forMs(3000))));
    log(
      `media.prepare (thumb, display, shielded, pHash) ${perSecond(prepareMs)} files/s (${summary.status}); trivial call (workspace.info) p99 ${p99(busy).toFixed(1)} ms over ${busy.length} calls meanwhile vs idle ${p99(idle).toFixed(1)} ms over ${idle.length}: ratio ${(p99(busy) / p99(idle)).toFixed(2)}× (target ≤ 1.5×)`,
    );
  } finally {
    await host.close();
  }
}
