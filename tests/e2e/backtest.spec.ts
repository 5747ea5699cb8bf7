/**
 * The time backtest in a session's review: a cut with no labeled content before it is refused by name, a cut inside
 * the sample's fortnight shows per category the recipe cross-validated before the cut beside it judged after.
 * A screenshot of the panel at 1440×900 lands in test-results/backtest-1440x900.png.
 */
import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test("a lead backtests a session's recipe at a cut from its review: refused by name when it cannot judge, a table when it can", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('label');
  await bench.setAnnotator('lead');
  await page.getByTestId('session-name').fill('Backtest');
  await page.getByTestId('session-batch').fill('5');
  await page.getByTestId('session-start').uncheck();
  await page.getByTestId('session-create').click();
  const row = page.getByRole('row', { name: /Backtest/ });
  await expect(row).toBeVisible({ timeout: 60_000 });
  await row.getByRole('button', { name: 'Review' }).click();
  // Nobody has labelled this session yet: the review says so, without an error box.
  await expect(page.getByTestId('agreement-empty')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.session-review > .error-box')).toHaveCount(0);

  const panel = page.getByTestId('backtest-panel');
  await expect(panel.getByTestId('backtest-run')).toBeDisabled(); // no cut yet
  await panel.getByTestId('backtest-cut').fill('2024-01-01');
  await panel.getByTestId('backtest-run').click();
  await expect(panel.getByTestId('backtest-error')).toContainText(
    'no labeled content was created before it. The labeled content runs from 2024-03-01',
    { timeout: 60_000 },
  );

  await panel.getByTestId('backtest-cut').fill('2024-03-10');
  await panel.getByTestId('backtest-run').click();
  await expect(panel.getByTestId('backtest-result')).toContainText('Cut at 2024-03-10', { timeout: 120_000 });
  await expect(panel.getByTestId('backtest-error')).toHaveCount(0);
  const spam = panel.getByTestId('backtest-spam');
  await expect(spam.locator('td')).toHaveCount(12);
  await expect(spam.locator('td').nth(3)).toHaveText(/^0\.\d{3}$|^1\.000$/); // in-sample AP
  await expect(panel.getByTestId('backtest-csam')).toContainText('is labeled positive');
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/backtest-1440x900.png' });
});
