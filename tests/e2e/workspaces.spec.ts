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
  await page.getByTestId('workspace-name').click();
  await page.locator('.workspace-recent').getByRole('button', { name: 'sample' }).click();
  await expect(page.getByTestId('workspace-name')).toHaveText('sample');
  await expect(bench.table('content')).toBeVisible();
});
