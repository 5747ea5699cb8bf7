/** Editor tabs belong to a workspace: a new one starts with its own, and each keeps its tabs across switches. */
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

const tabNames = (page: Page) => page.getByTestId('editor-tabs').locator('.editor-tab-name');

async function switchTo(page: Page, how: { create: string } | { recent: string }): Promise<void> {
  await page.getByTestId('workspace-name').click();
  if ('create' in how) {
    await page.getByTestId('workspace-path').fill(how.create);
    await page.getByTestId('workspace-new').click();
    await expect(page.getByTestId('workspace-name')).toHaveText(path.basename(how.create));
  } else {
    await page.locator('.workspace-recent').getByRole('button', { name: how.recent, exact: true }).click();
    await expect(page.getByTestId('workspace-name')).toHaveText(how.recent);
  }
}

test('a new workspace starts with its own editor tabs, and each workspace keeps its own', async ({ page }) => {
  test.slow();
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.typeQuery('SELECT 1 AS sample_first_tab');
  await page.getByTestId('editor-tab-new').click();
  // Switch at once, before the editor's own save (a moment after the last keystroke) has run.
  await bench.typeQuery('SELECT 2 AS sample_second_tab');
  await expect(tabNames(page)).toHaveText(['Query 1', 'Query 2']);

  await switchTo(page, { create: path.join(sift.home, 'workspaces', 'fresh') });
  await expect(tabNames(page)).toHaveText(['Query 1']);
  await expect(bench.editor).not.toContainText('sample_');
  await bench.typeQuery('SELECT 3 AS fresh_tab');

  await switchTo(page, { recent: 'sample' });
  await expect(tabNames(page)).toHaveText(['Query 1', 'Query 2']);
  await expect(bench.editor).toHaveText('SELECT 2 AS sample_second_tab');
  await tabNames(page).first().click();
  await expect(bench.editor).toHaveText('SELECT 1 AS sample_first_tab');

  await switchTo(page, { recent: 'fresh' });
  await expect(tabNames(page)).toHaveText(['Query 1']);
  await expect(bench.editor).toHaveText('SELECT 3 AS fresh_tab');
  // And after a reload, the open workspace's own tabs again.
  await page.reload();
  await expect(page.getByTestId('workspace-name')).toHaveText('fresh');
  await expect(tabNames(page)).toHaveText(['Query 1']);
  await expect(bench.editor).toHaveText('SELECT 3 AS fresh_tab');
});
