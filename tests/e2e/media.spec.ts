/**
 * Media where content is shown (issue 26, item 2): the sample's content replaced by generated image items, a video
 * and a JPEG cut short (tests/support/mediaItems.ts), registered by `sift import --media-column`. The labeling
 * screen fits a picture to its panel, zooms it by keys and Ctrl+wheel, steps a video's keyframes by keyboard and
 * plays it, and shows why a file has no picture; a grid over content shows thumbnails in its media column. Each view
 * is shielded (blurred, grey) until revealed. Screenshots at 1440×900 and 1024×700 (test-results/media-*.png).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type MediaItems, writeMediaItems } from '../support/mediaItems';
import { SCROLLBARS_SHOWN } from './support/chromium';
import { MediaPanel } from './support/mediaPanel';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

test.use(SCROLLBARS_SHOWN);

let sift: SiftServer;
let items: MediaItems;

test.beforeAll(async () => {
  sift = await startSift({
    beforeServe: async (workspace, env) => {
      items = await writeMediaItems(path.join(workspace, 'incoming'), {
        images: 5,
        videos: 1,
        texts: 1,
        truncated: true,
        prefix: 'e',
      });
      const imported = spawnSync('node', ['bin/sift.mjs', ...items.importArgs, '--workspace', workspace], {
        env,
        encoding: 'utf8',
      });
      if (imported.status !== 0) throw new Error(`sift import failed: ${imported.stderr}`);
    },
  });
});
test.afterAll(async () => sift?.stop());

/** Shows the batch item with this content id (its button in the batch strip). */
async function showItem(page: Page, contentId: string): Promise<void> {
  await page.locator(`[data-testid=label-strip] li[title^="${contentId}:"] button`).click();
  await expect(page.getByTestId('label-item')).toHaveAttribute('data-content-id', contentId);
}

test('the labeling screen fits a picture, zooms it by keys and Ctrl+wheel, steps and plays a video by keyboard, and says why a file shows nothing', async ({
  page,
}) => {
  test.setTimeout(300_000); // derivatives are made on demand: a video's keyframes and webm by ffmpeg
  await page.setViewportSize({ width: 1440, height: 900 });
  const bench = new Workbench(page);
  const media = new MediaPanel(page);
  await bench.open(sift.url);
  await bench.openView('label');
  await bench.setAnnotator('ana');
  await page.getByTestId('session-pool').fill('SELECT content_id FROM content');
  await bench.createSession({ name: 'Pictures', batch: 10, strategy: 'random' });

  // A picture, fitted: inside the stage, touching two of its sides, shielded until revealed.
  const picture = items.imageIds[0]!;
  await showItem(page, picture);
  await expect(media.panel).toHaveAttribute('data-kind', 'image');
  await media.pictureLoaded();
  await expect(media.panel).toHaveAttribute('data-zoom', 'fit');
  await expect(media.shield).toHaveAttribute('data-shielded', 'true');
  const fitted = await media.boxes();
  expect(fitted.image.width).toBeLessThanOrEqual(fitted.stage.width + 1);
  expect(fitted.image.height).toBeLessThanOrEqual(fitted.stage.height + 1);
  expect(
    Math.abs(fitted.image.width - fitted.stage.width) < 2 || Math.abs(fitted.image.height - fitted.stage.height) < 2,
  ).toBe(true);
  expect(fitted.scrolls).toBe(false);
  await page.screenshot({ path: 'test-results/media-label-picture-1440.png' });
  await page.keyboard.down('Space');
  await expect(media.shield).toHaveAttribute('data-shielded', 'false');
  await page.screenshot({ path: 'test-results/media-label-revealed-1440.png' });
  await page.keyboard.up('Space');
  await expect(media.shield).toHaveAttribute('data-shielded', 'true');

  // Zoom by keys: + twice, past the stage (it scrolls), Home fits again.
  await bench.press('+', '+', '+', '+');
  await expect(media.panel).not.toHaveAttribute('data-zoom', 'fit');
  await expect.poll(async () => (await media.boxes()).scrolls).toBe(true);
  const zoomed = await media.boxes();
  expect(zoomed.image.width).toBeGreaterThan(fitted.image.width * 2);
  await bench.press('-');
  expect((await media.boxes()).image.width).toBeLessThan(zoomed.image.width);
  await bench.press('Home');
  await expect(media.panel).toHaveAttribute('data-zoom', 'fit');
  await expect(media.scale).toContainText('fit');

  // Ctrl+wheel zooms about the pointer once the picture is revealed (a click reveals; a second click shields).
  await media.shield.click();
  await expect(media.shield).toHaveAttribute('data-shielded', 'false');
  await media.ctrlWheel(-400);
  await expect(media.panel).not.toHaveAttribute('data-zoom', 'fit');
  await expect.poll(async () => (await media.boxes()).scrolls).toBe(true);
  await page.screenshot({ path: 'test-results/media-label-zoomed-1440.png' });
  await media.ctrlWheel(600);
  await bench.press('Home');
  await media.shield.click();
  await expect(media.shield).toHaveAttribute('data-shielded', 'true');

  // At 1024×700 the picture still fits its (smaller) panel.
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect
    .poll(async () => {
      const small = await media.boxes();
      return small.image.width <= small.stage.width + 1 && small.image.height <= small.stage.height + 1;
    })
    .toBe(true);
  await page.screenshot({ path: 'test-results/media-label-picture-1024.png' });
  await page.setViewportSize({ width: 1440, height: 900 });

  // A video: its keyframes in a strip, stepped by . and , ; Shift+Space plays its webm rendition and back.
  await showItem(page, items.videoIds[0]!);
  await expect(media.panel).toHaveAttribute('data-kind', 'video');
  const frames = await media.keyframes.count();
  expect(frames).toBeGreaterThan(2);
  await media.pictureLoaded();
  await expect(media.frame).toContainText(`keyframe 1 of ${frames}`);
  await bench.press('.', '.');
  await expect(media.panel).toHaveAttribute('data-frame', '2');
  await expect(media.keyframes.nth(2)).toHaveAttribute('aria-current', 'true');
  await expect(media.image).toBeVisible();
  await bench.press(',');
  await expect(media.panel).toHaveAttribute('data-frame', '1');
  await expect(media.keyframes.nth(1)).toHaveAttribute('aria-current', 'true');
  await page.screenshot({ path: 'test-results/media-label-video-1440.png' });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: 'test-results/media-label-video-1024.png' });
  await page.setViewportSize({ width: 1440, height: 900 });
  await bench.press('Shift+Space');
  await expect(media.video).toBeVisible({ timeout: 90_000 });
  await expect(media.video).toHaveAttribute('src', /^blob:/);
  expect(await media.video.evaluate((video: HTMLVideoElement) => video.muted)).toBe(true);
  await bench.press('Shift+Space');
  await expect(media.video).toHaveCount(0);
  await expect(media.image).toBeVisible();

  // A JPEG cut short: a placeholder that says why, never a broken picture.
  await showItem(page, items.truncatedId!);
  await expect(media.placeholder).toBeVisible();
  await expect(media.placeholder).toContainText('Media not shown');
  expect(((await media.placeholder.textContent()) ?? '').length).toBeGreaterThan('Media not shown'.length + 5);
  await expect(media.image).toHaveCount(0);
  await expect(media.shield).toHaveCount(0); // its words are not media: readable, never blurred
  await page.screenshot({ path: 'test-results/media-label-placeholder-1440.png' });

  // A text item shows no media panel at all.
  await showItem(page, items.textIds[0]!);
  await expect(media.panel).toHaveCount(0);
});

test('a grid over content shows a thumbnail in each cell of its media column, shielded', async ({ page }) => {
  test.setTimeout(240_000);
  const bench = new Workbench(page);
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await bench.open(sift.url);
    await bench.openView('explore');
    await bench.runQuery('SELECT content_id, media, content_type, text FROM content ORDER BY content_id');
    const thumbs = page.getByTestId('media-thumb');
    // The five pictures and the video have thumbnails; the text item's NULL cell has none.
    await expect(thumbs).toHaveCount(items.imageIds.length + items.videoIds.length, { timeout: 90_000 });
    for (const thumb of await thumbs.all()) {
      await expect(thumb.getByTestId('shield')).toHaveAttribute('data-shielded', 'true');
      expect(await thumb.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(
        true,
      );
    }
    const row = page.locator(`.grid-row:has([data-content-id="${items.imageIds[0]}"])`);
    const cell = await row.getByTestId('media-thumb').boundingBox();
    const rowBox = await row.boundingBox();
    // The thumbnail stays inside its row.
    expect(cell!.y).toBeGreaterThanOrEqual(rowBox!.y - 1);
    expect(cell!.y + cell!.height).toBeLessThanOrEqual(rowBox!.y + rowBox!.height + 1);
    await page.screenshot({ path: `test-results/media-grid-${width}.png` });
  }
});
