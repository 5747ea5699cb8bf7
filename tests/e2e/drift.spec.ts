import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test("the Evaluate view shows each category's score drift week over week", async ({ page }) => {
  const bench = new Workbench(page);
  const { evaluate } = bench;
  await bench.open(sift.url);
  await evaluate.open('2024.03.0');
  await evaluate.evaluated();
  await evaluate.category.selectOption('spam');
  const card = page.getByTestId('drift-card');
  // The sample's 2024.03.0 scored from Sunday 2024-03-10 noon: the week of 03-04, then the week of 03-11 against it.
  const plot = card.getByTestId('drift-plot');
  await expect(plot).toHaveAttribute('data-rendered', 'true', { timeout: 60_000 });
  await expect(card.locator('thead')).toContainText('PSI 2024-03-11');
  const spam = card.locator('tr[data-category="spam"]');
  await expect(spam).toHaveClass(/drift-shown/);
  await expect(spam.getByTestId('drift-latest')).toHaveText(/^\d+\.\d{3} (stable|moderate|large)$/);
  // Every scored category, labelled or not (drift needs no labels): the sample scores five, csam among them.
  await expect(card.locator('tbody tr')).toHaveCount(5);
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await card.scrollIntoViewIfNeeded();
    // Plotly redraws at the new width on the window's resize: wait for the chart to fill its card again.
    await expect
      .poll(() => plot.evaluate((el) => el.clientWidth - (el.querySelector('svg.main-svg')?.clientWidth ?? 0)))
      .toBeLessThan(4);
    await page.screenshot({ path: `test-results/eval-drift-${width}.png` });
  }
});
