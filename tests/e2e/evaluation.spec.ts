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

  // Binning: 5 uniform bins draw at most 5 points; quantile bins change the diagram.
  await page.getByTestId('eval-bins').fill('5');
  await expect(page.getByTestId('eval-metrics')).toContainText('ECE (5 bins)');
  await expect.poll(async () => page.locator('[data-testid=reliability-plot] .scatterlayer .trace').nth(1).locator('.point').count()).toBeLessThanOrEqual(5);
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
  await expect(page.getByTestId('calibration-summary')).toContainText('held-out items');
});
