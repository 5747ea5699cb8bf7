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
  const { models } = bench;
  await bench.open(sift.url);
  await models.open();
  await expect(models.list).toContainText('text-distil');
  await expect(models.list).toContainText('text-fusion');

  await models.tryOn({ text: 'GET 10k real followers in 24h → boostfans.example/join limited offer' });
  await expect(models.tryScores).toContainText('spam');
  await expect(models.tryDecision).not.toHaveText('pass');
  await models.tryOn({ text: 'my dog learned a new trick today' });
  await expect(models.tryDecision).toHaveText('pass');

  // The fusion model reads the account features as scoring computes them: as of an upload by an account at a time.
  await models.tryModel.selectOption('text-fusion');
  await expect(models.tryFeatureSource).toHaveValue('asOf');
  await models.tryOn({ user: 'u0000161', at: '2024-03-14T12:00:00' });
  await expect(models.tryAccount).toContainText('as of upload: account_age_days');
  await models.tryOn({ user: 'nobody' });
  await expect(models.tryError).toContainText('no account "nobody" in users');

  // Its default query selects no account columns: they are joined from content_features.
  await models.scoreModel.selectOption('text-fusion');
  await expect(models.scoreSql).not.toHaveValue(/account_age_days/);
  await models.score({
    sql: "SELECT content_id, text, image_emb FROM content WHERE created_at >= TIMESTAMP '2024-03-14 18:00'",
  });

  await models.score({
    model: 'text-distil',
    sql: "SELECT content_id, text FROM content WHERE created_at >= TIMESTAMP '2024-03-10 12:00'",
  });
  await expect(models.scoreNote).toContainText('on cpu');

  await models.compare('text-distil@2024.03.0', 'text-distil@2026.11.1');
  await expect(models.compareTable).toContainText('spam');
  await page.screenshot({ path: 'test-results/models-view.png', fullPage: true });
});
