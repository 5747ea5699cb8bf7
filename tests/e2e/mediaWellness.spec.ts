/**
 * Reviewer wellness end to end (issue 26, item 3): an annotator, with her own link in browser mode, labels image
 * items by keyboard with the media shielded (blurred and grey), reveals one sensitive item by holding the reveal key,
 * and the lead sees her exposure time. Screenshots at 1440×900 and 1024×700 land in test-results/.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import sharp from 'sharp';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

/** Four generated pictures as the workspace's content, imported with their media column (the real CLI, through the engine). */
test.beforeAll(async () => {
  sift = await startSift();
  const folder = path.join(sift.workspace, 'incoming');
  fs.mkdirSync(folder, { recursive: true });
  const rows = ['content_id,text,media'];
  for (let i = 0; i < 4; i++) {
    const [width, height] = [480, 320];
    const pixels = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 3;
        pixels[o] = (x * (i + 1)) % 256;
        pixels[o + 1] = (y * 2 + i * 60) % 256;
        pixels[o + 2] = ((x >> 4) + (y >> 4)) % 2 ? 230 : 30;
      }
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg()
      .toFile(path.join(folder, `picture${i}.jpg`));
    rows.push(`pic-${i},Picture number ${i},picture${i}.jpg`);
  }
  fs.writeFileSync(path.join(folder, 'posts.csv'), `${rows.join('\n')}\n`);
  const imported = spawnSync(
    'node',
    [
      'bin/sift.mjs',
      'import',
      path.join(folder, 'posts.csv'),
      '--table',
      'content',
      '--replace',
      '--media-column',
      'media',
      '--workspace',
      sift.workspace,
    ],
    { env: { ...process.env, SIFT_HOME: sift.home }, encoding: 'utf8' },
  );
  if (imported.status !== 0) throw new Error(`sift import failed: ${imported.stderr}`);
});
test.afterAll(async () => sift?.stop());

async function shoot(page: Page, name: string) {
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `test-results/${name}-${width}x${height}.png` });
  }
}

test('an annotator labels image items by keyboard with blur on, reveals one, and the lead sees the exposure time', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const lead = new Workbench(page);
  await lead.open(sift.url);
  await lead.openView('label');
  await lead.setAnnotator('lead');
  await page.getByTestId('annotator-link-name').fill('ana');
  await page.getByTestId('annotator-link-make').click();
  const link = (await page.getByTestId('annotator-link-url').textContent())!;
  await page.getByTestId('session-name').fill('Pictures');
  await page.getByTestId('session-strategy').selectOption('random');
  await page.getByTestId('session-batch').fill('4');
  await page.getByTestId('session-start').uncheck();
  await page.getByTestId('session-create').click();
  await expect(page.getByRole('row', { name: /Pictures/ })).toBeVisible({ timeout: 60_000 });

  // Ana, with her link: every picture is shielded (blurred, grey) until she holds Space.
  const context = await browser.newContext();
  const anaPage = await context.newPage();
  await anaPage.setViewportSize({ width: 1440, height: 900 });
  await anaPage.goto(link);
  const ana = new Workbench(anaPage);
  await anaPage
    .getByRole('row', { name: /Pictures/ })
    .getByRole('button', { name: 'Label', exact: true })
    .click();
  await expect(ana.labeling.item()).toBeVisible();
  const shield = anaPage.getByTestId('shield');
  await expect(shield).toHaveAttribute('data-shielded', 'true');
  await expect(anaPage.getByTestId('shield-hint')).toContainText('Hold Space or click to reveal');
  const filter = await anaPage.locator('.shield-media').evaluate((el) => getComputedStyle(el).filter);
  expect(filter).toContain('blur(24px)');
  expect(filter).toContain('grayscale(1)');
  await shoot(anaPage, 'media-wellness-shielded');

  // Item 1: graphic violence (its leaf key g), Enter. Item 2: none of these (0).
  const first = await ana.currentItem();
  await ana.press('g', 'Enter');
  await expect(ana.labeling.strip().nth(0)).toHaveClass(/sv-saved/);
  await expect(anaPage.getByTestId('shield')).toHaveAttribute('data-shielded', 'true');
  await ana.press('0');
  await expect(ana.labeling.strip().nth(1)).toHaveClass(/sv-saved/);
  // Back to item 1, now labeled sensitive: she holds Space to look, lets go, and it is shielded again.
  await ana.press('ArrowLeft', 'ArrowLeft');
  expect(await ana.currentItem()).toBe(first);
  await anaPage.keyboard.down('Space');
  await expect(anaPage.getByTestId('shield')).toHaveAttribute('data-shielded', 'false');
  await anaPage.waitForTimeout(1500); // she looks for a moment: the time is what is measured
  await shoot(anaPage, 'media-wellness-revealed');
  await anaPage.keyboard.up('Space');
  await expect(anaPage.getByTestId('shield')).toHaveAttribute('data-shielded', 'true');
  // Her own count today, on her Wellness button, once the host has counted it.
  await expect(anaPage.getByTestId('wellness-button')).toContainText(/Wellness · [1-9]\d* s today/);
  // Her settings, by keyboard: a stronger blur.
  await anaPage.getByTestId('wellness-button').focus();
  await ana.press('Enter');
  await expect(anaPage.getByTestId('wellness-dialog')).toBeVisible();
  await anaPage.getByTestId('wellness-blur').focus();
  await ana.press('ArrowRight');
  await expect(anaPage.getByTestId('wellness-dialog')).toContainText('Blur strength 26 px');
  await shoot(anaPage, 'media-wellness-settings');
  await ana.press('Escape');
  await expect(anaPage.getByTestId('wellness-dialog')).toBeHidden();
  await context.close();

  // The lead sees Ana's time on sensitive media today.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.reload();
  await lead.openView('label');
  const today = new Date().toISOString().slice(0, 10);
  const row = page.getByTestId(`exposure-ana-${today}`);
  await expect(row).toContainText(/ana\s*[1-9]\d* s\s*1\s*none/);
  await row.scrollIntoViewIfNeeded();
  await shoot(page, 'media-wellness-lead');
});
