import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('evaluates a model version: categories, binning, a dragged threshold, and saving it', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('eval-version').selectOption('2024.03.0');
  await expect(page.getByTestId('reliability-plot')).toHaveAttribute('data-rendered', 'true');
  await page.getByTestId('eval-category').selectOption('spam');
  await expect(page.getByTestId('eval-metrics')).toContainText('average precision');
  // The sample's tied votes (one annotator's 1, another's 0) are no label: left out, and said so.
  await expect(page.getByTestId('eval-tied')).toContainText('88 items tied, left out');
  await expect(page.getByTestId('eval-summary').locator('tbody tr').first()).toContainText('25');
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `test-results/eval-tied-${width}.png` });
  }
  await page.setViewportSize({ width: 1400, height: 850 });

  // Binning: 5 uniform bins draw at most 5 points; quantile bins change the diagram.
  await page.getByTestId('eval-bins').fill('5');
  await expect(page.getByTestId('eval-metrics')).toContainText('ECE (5 bins)');
  await expect
    .poll(async () =>
      page.locator('[data-testid=reliability-plot] .scatterlayer .trace').nth(1).locator('.point').count(),
    )
    .toBeLessThanOrEqual(5);
  await page.getByTestId('eval-strategy').selectOption('quantile');
  await page.getByTestId('eval-strategy').selectOption('uniform');

  // Drag the remove threshold (shape 0) to the left: more items are removed automatically.
  const before = Number((await page.getByTestId('count-removed').textContent())!.replace(/,/g, ''));
  await expect(page.getByTestId('distribution-plot')).toHaveAttribute('data-rendered', 'true');
  const line = page.locator('[data-testid=distribution-plot] .shapelayer path').first();
  const box = (await line.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 140, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => Number(await page.getByTestId('threshold-remove').inputValue())).toBeLessThan(0.85);
  const after = Number((await page.getByTestId('count-removed').textContent())!.replace(/,/g, ''));
  expect(after).toBeGreaterThan(before);
  await page.screenshot({ path: 'test-results/evaluation-view.png', fullPage: true });

  // Typing works too; escalate cannot sit above remove.
  await page.getByTestId('threshold-escalate').fill('0.3');
  await expect(page.getByTestId('count-escalated')).not.toHaveText('0');
  await page.getByTestId('save-thresholds').click();
  await expect(page.getByTestId('eval-note')).toContainText('Saved thresholds as text-distil 2026.11.1-r1');

  await page.getByTestId('fit-calibration').click();
  await expect(page.getByTestId('calibration-summary')).toContainText('held-out items (the items evaluated above)');
});

test('every category at a glance, errors in two clicks, slices that need real evidence, and two versions on the same items', async ({
  page,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('eval-version').selectOption('2024.03.0');
  const summary = page.getByTestId('eval-summary');
  await expect(summary.locator('tbody tr')).toHaveCount(4);
  await expect(summary).toContainText('ECE (15 bins)'); // the CLI's default too
  await summary.getByRole('button', { name: 'spam' }).click();
  await expect(page.getByTestId('eval-category')).toHaveValue('spam');

  // Error analysis: the false positives, worst first, with who labelled them.
  await page.getByTestId('confusion-fp').click();
  const items = page.getByTestId('eval-items');
  await expect(items).toContainText('false positives of spam');
  await expect(items.locator('.kind-badge').first()).toHaveText('FP');
  await expect(items).toContainText('labelled by');
  await page.screenshot({ path: 'test-results/error-analysis.png', fullPage: false });
  await items.getByRole('button', { name: 'Close the list' }).click();
  // …and from a bar of the score distribution straight to its items.
  await expect(page.getByTestId('error-distribution')).toHaveAttribute('data-rendered', 'true');
  await page.getByTestId('error-distribution').scrollIntoViewIfNeeded();
  const bars = await page.locator('[data-testid=error-distribution] .bars .point path').all();
  let tallest = bars[0]!;
  let height = 0;
  for (const bar of bars) {
    const box = await bar.boundingBox();
    if (box && box.height > height) [tallest, height] = [bar, box.height];
  }
  await tallest.click({ force: true });
  await expect(items).toContainText(/positives of spam scored 0\.\d+–/);
  await expect(items.locator('.eval-item').first()).toBeVisible();
  await items.getByRole('button', { name: 'Close the list' }).click();

  // Slices: each rate with its interval and n; nothing is highlighted without enough items behind it.
  const slices = page.getByTestId('slices');
  await expect(slices).toContainText('[');
  await page.getByTestId('slice-min-n').fill('100000');
  await expect(slices.locator('tr[data-flagged=true]')).toHaveCount(0);
  await page.getByTestId('slice-min-n').fill('30');
  for (const row of await slices.locator('tr[data-flagged=true]').all()) {
    const counts = (await row.textContent()) ?? '';
    expect(
      Math.max(...[...counts.matchAll(/n=([\d,]+)/g)].map((m) => Number(m[1]!.replace(/,/g, '')))),
    ).toBeGreaterThanOrEqual(30);
  }
  await page.screenshot({ path: 'test-results/eval-slices.png', fullPage: true });

  // Compare: the sample's two versions scored different weeks — said so, not compared silently on different items.
  await page.getByTestId('eval-version-b').selectOption('text-distil@2024.02.1');
  await expect(page.getByTestId('compare-note')).toContainText('scored no labelled items in common');
  // Re-score the last week with the current model, then compare it with the logged version on the same items.
  await page.getByTestId('tab-models').click();
  await page.getByTestId('score-run').click();
  await expect(page.getByTestId('score-note')).toContainText('scores written', { timeout: 60_000 });
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('eval-version').selectOption('2024.03.0');
  // The model's current version (the first test here may have saved a threshold revision of it).
  const current = await page
    .getByTestId('eval-version-b')
    .locator('option', { hasText: /^text-distil 2026\.11\.1/ })
    .last()
    .getAttribute('value');
  await page.getByTestId('eval-version-b').selectOption(current!);
  await expect(page.getByTestId('compare-note')).toContainText(
    /exactly the items both versions scored: [\d,]+ labelled items of spam/,
  );
  await expect(page.getByTestId('eval-metrics')).toContainText('B:');
});
