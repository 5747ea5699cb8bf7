import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('creates an empty workspace for your own data, and goes back to the sample from the recent ones', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await page.getByTestId('workspace-name').click();
  // Browser mode creates workspaces only where its owner allowed: not in /tmp at large.
  await page.getByTestId('workspace-path').fill('/tmp/sift-e2e-not-allowed');
  await page.getByTestId('workspace-new').click();
  await expect(page.locator('.workspace-error')).toContainText('in browser mode a new workspace goes inside');
  await page.getByTestId('workspace-path').fill(path.join(sift.home, 'workspaces', 'mine'));
  await page.getByTestId('workspace-new').click();
  await expect(page.getByTestId('workspace-name')).toHaveText('mine');
  await expect(bench.table('label_events')).toBeVisible();
  await expect(bench.table('content')).toHaveCount(0);
  // Their own export, with a broken row: skip it into the rejects table, map the rest onto content.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-e2e-own-')), 'posts_export.csv');
  fs.writeFileSync(file, 'post_id,author_id,body,posted_at\np1,u1,hello there,2024-05-01 10:00:00\np2,u2\np3,u1,buy followers now,2024-05-01 11:00:00\n');
  await bench.importViaPicker(file);
  await expect(page.getByTestId('import-problem')).toContainText('line 3');
  await page.getByTestId('import-skip-bad-rows').check();
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-rejects')).toContainText('1 bad rows were set aside in posts_export__rejects');
  await page.getByTestId('mapping-target').selectOption('content');
  await page.getByTestId('mapping-save').click();
  await expect(bench.importDialog).toBeHidden();
  await expect(bench.table('posts_export__rejects')).toBeVisible();
  await bench.runQuery('SELECT content_id, user_id, text FROM content ORDER BY content_id');
  await expect(bench.cell(1, 2)).toHaveText('buy followers now');
  await page.getByTestId('workspace-name').click();
  await page.locator('.workspace-recent').getByRole('button', { name: 'sample' }).click();
  await expect(page.getByTestId('workspace-name')).toHaveText('sample');
  await expect(bench.table('content')).toBeVisible();
});
