import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('tries a model, re-scores a query with progress, and compares two versions', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await page.getByTestId('tab-models').click();
  await expect(page.getByTestId('model-list')).toContainText('text-distil');
  await expect(page.getByTestId('model-list')).toContainText('text-fusion');

  await page.getByTestId('try-text').fill('GET 10k real followers in 24h → boostfans.example/join limited offer');
  await page.getByTestId('try-run').click();
  await expect(page.getByTestId('try-scores')).toContainText('spam');
  await expect(page.getByTestId('try-decision')).not.toHaveText('pass');
  await page.getByTestId('try-text').fill('my dog learned a new trick today');
  await page.getByTestId('try-run').click();
  await expect(page.getByTestId('try-decision')).toHaveText('pass');

  // The fusion model reads the account features as scoring computes them: as of an upload by an account at a time.
  await page.getByTestId('try-model').selectOption('text-fusion');
  await expect(page.getByTestId('try-feature-source')).toHaveValue('asOf');
  await page.getByTestId('try-user').fill('u0000161');
  await page.getByTestId('try-at').fill('2024-03-14T12:00:00');
  await page.getByTestId('try-run').click();
  await expect(page.getByTestId('try-account')).toContainText('as of upload: account_age_days');
  await page.getByTestId('try-user').fill('nobody');
  await page.getByTestId('try-run').click();
  await expect(page.getByTestId('try-box').locator('.error-box')).toContainText('no account "nobody" in users');

  // Its default query selects no account columns: they are joined from content_features.
  await page.getByTestId('score-model').selectOption('text-fusion');
  await expect(page.getByTestId('score-sql')).not.toHaveValue(/account_age_days/);
  await page
    .getByTestId('score-sql')
    .fill("SELECT content_id, text, image_emb FROM content WHERE created_at >= TIMESTAMP '2024-03-14 18:00'");
  await page.getByTestId('score-run').click();
  await expect(page.getByTestId('score-note')).toContainText('scores written', { timeout: 60_000 });
  await page.getByTestId('score-model').selectOption('text-distil');

  await page
    .getByTestId('score-sql')
    .fill("SELECT content_id, text FROM content WHERE created_at >= TIMESTAMP '2024-03-10 12:00'");
  await page.getByTestId('score-run').click();
  await expect(page.getByTestId('score-note')).toContainText('scores written', { timeout: 60_000 });
  await expect(page.getByTestId('score-note')).toContainText('on cpu');

  await page.getByTestId('compare-a').selectOption('text-distil@2024.03.0');
  await page.getByTestId('compare-b').selectOption('text-distil@2026.11.1');
  await page.getByTestId('compare-run').click();
  await expect(page.getByTestId('compare-table')).toContainText('spam');
  await page.screenshot({ path: 'test-results/models-view.png', fullPage: true });
});
