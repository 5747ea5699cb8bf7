/**
 * Media in the labeling screen (issue 26, bench row 3): keypress → next item painted in Chromium, for image items
 * against text items of the same session in the same run (the random strategy interleaves them), target image p95 ≤
 * text p95 + 16 ms. The workspace is the sample with its content replaced by 60 image items (1200×900 JPEGs drawn
 * with sharp, registered by `sift import --media-column`, derivatives prepared) and 60 text items. An image item
 * counts as painted at the frame after its picture is in the DOM and loaded (shielded, as a reviewer sees it); a
 * text item at the frame after its text is, as bench/labeling.ts measures it.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type Browser, chromium } from '@playwright/test';
import { EngineClient } from '../electron/engine/engineClient.js';
import { Host } from '../electron/host/host.js';
import { rendererDist } from '../electron/host/projectPaths.js';
import { createSampleWorkspace } from '../electron/host/samples/sampleWorkspace.js';
import { startServer } from '../electron/server.js';
import type { SessionSummary } from '../shared/contract.js';
import { writeMediaItems } from '../tests/support/mediaItems.js';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const FRAME_MS = 1000 / 60;

/**
 * In the page: from a key going down to the frame after the next item is shown — its text in the DOM, and for an
 * image item its picture loaded too — then to just after that frame's paint (a message posted from the frame).
 */
const INSTRUMENT = `(() => {
  window.latencies = [];
  let pressedAt = 0;
  const current = () => document.querySelector('[data-testid=label-item]')?.getAttribute('data-content-id');
  let shown = current();
  const position = () => Number(document.querySelector('.label-strip li.current')?.textContent ?? 0);
  let at = position();
  window.addEventListener('keydown', () => (pressedAt = performance.now()), true);
  const check = () => {
    const now = current();
    if (!pressedAt || !now || now === shown) return;
    const image = window.imageIds.has(now);
    if (image) {
      const img = document.querySelector('[data-testid=media-image][data-content-id="' + now + '"]');
      if (!img || !img.complete || img.naturalWidth === 0) return;
    }
    const boundary = position() < at;
    shown = now;
    at = position();
    const start = pressedAt;
    pressedAt = 0;
    const dom = performance.now() - start;
    requestAnimationFrame(() => {
      const frame = performance.now() - start;
      const channel = new MessageChannel();
      channel.port1.onmessage = () =>
        window.latencies.push({ ms: performance.now() - start, frame, dom, boundary, image });
      channel.port2.postMessage(null);
    });
  };
  new MutationObserver(check).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-content-id', 'src'],
  });
  document.addEventListener('load', check, true);
})()`;

type Latency = { ms: number; frame: number; dom: number; boundary: boolean; image: boolean };

/** Labels the session's items by keyboard ("none of these", 0) as one annotator, returning each item's latency. */
async function labelAll(
  browser: Browser,
  url: string,
  sessionId: string,
  annotator: string,
  imageIds: string[],
): Promise<Latency[]> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    await page.addInitScript(
      (init) => {
        localStorage.setItem('sift-annotator', init.annotator);
        localStorage.setItem('sift-label-session', init.sessionId);
        sessionStorage.setItem('sift-view', 'label');
      },
      { sessionId, annotator },
    );
    await page.goto(url);
    await page.getByTestId('label-item').waitFor({ timeout: 60_000 });
    await page.evaluate(`window.imageIds = new Set(${JSON.stringify(imageIds)})`);
    await page.evaluate(INSTRUMENT);
    const finished = page.getByTestId('label-finished');
    for (let i = 0; i < 120; i++) {
      const before = (await page.evaluate('window.latencies.length')) as number;
      await page.keyboard.press('0');
      const waitUntil = performance.now() + 30_000;
      while (((await page.evaluate('window.latencies.length')) as number) <= before && !(await finished.isVisible())) {
        if (performance.now() > waitUntil) throw new Error(`item ${i + 1}: the next item was never painted`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (await finished.isVisible()) break;
    }
    return (await page.evaluate('window.latencies')) as Latency[];
  } finally {
    await page.close();
  }
}

function report(latencies: Latency[], title: string, log: (line: string) => void) {
  const pick = (image: boolean, key: 'ms' | 'frame' | 'dom') =>
    latencies
      .filter((l) => !l.boundary && l.image === image)
      .map((l) => l[key])
      .sort((a, b) => a - b);
  const line = (kind: string, image: boolean) => {
    const painted = pick(image, 'ms');
    return `    ${kind} (${painted.length}): in the DOM p95 ${percentile(pick(image, 'dom'), 95).toFixed(1)} ms, next frame p95 ${percentile(pick(image, 'frame'), 95).toFixed(1)} ms, painted p50 ${percentile(painted, 50).toFixed(1)} ms, p95 ${percentile(painted, 95).toFixed(1)} ms`;
  };
  const text95 = percentile(pick(false, 'ms'), 95);
  const image95 = percentile(pick(true, 'ms'), 95);
  const gap = image95 - text95;
  log(`  ${title}:`);
  log(line('text items', false));
  log(line('image items', true));
  log(
    `    image p95 − text p95 = ${gap.toFixed(1)} ms = ${(gap / FRAME_MS).toFixed(2)} of a 60 Hz frame; image/text ${(image95 / text95).toFixed(2)}× (target ≤ text + 16 ms) ${gap <= 16 ? '✓' : '✗'}`,
  );
}

export async function mediaPaintBenchmark(scratch: string, log: (line: string) => void): Promise<void> {
  log('## Media: keypress → next image item painted, against text items in the same session');
  const dir = path.join(scratch, 'media-workspace');
  await (await createSampleWorkspace(dir)).close();
  const items = await writeMediaItems(path.join(dir, 'incoming'), { images: 60, texts: 60, prefix: 'bm' });
  execFileSync(process.execPath, ['bin/sift.mjs', ...items.importArgs, '--workspace', dir], { stdio: 'ignore' });
  const host = await Host.open(dir, { remember: false });
  const sessions: SessionSummary[] = [];
  try {
    // Derivatives made ahead, as a workspace that imported its media has them: the bench measures the screen.
    const prepared = await host.runJob('media.prepare', {});
    log(`  ${prepared.files} media files, ${prepared.prepared + prepared.cached} prepared, ${prepared.failed} failed`);
    for (const name of ['shielded', 'plain'])
      sessions.push(
        await host.runJob('sessions.create', {
          name: `media bench ${name}`,
          pool: 'SELECT content_id FROM content',
          model: 'text-distil',
          version: '2024.03.0',
          strategy: 'random',
          batchSize: 40,
        }),
      );
    // The second reviewer turned the blur off (allowed: none of these items is sensitive).
    const plain = await host.dispatch('wellness.set', { annotator: 'bench-plain', change: { blurOff: true } });
    if (!plain.ok) throw new Error(plain.error.message);
  } finally {
    await host.close();
  }
  const engine = await EngineClient.start({ dir, fileAccess: { kind: 'confined', folders: [] } });
  const server = await startServer({ host: engine, staticDir: rendererDist() });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    log(`keypress → next item (Chromium without GPU, 1440×900, batches of 40, within a batch):`);
    const shielded = await labelAll(browser, server.url, sessions[0]!.id, 'bench-shielded', items.imageIds);
    report(shielded, 'pictures shielded (blurred and grey, the default)', log);
    const plain = await labelAll(browser, server.url, sessions[1]!.id, 'bench-plain', items.imageIds);
    report(plain, 'blur turned off by the reviewer', log);
  } finally {
    await browser.close();
    await server.close();
    await engine.close();
  }
}
