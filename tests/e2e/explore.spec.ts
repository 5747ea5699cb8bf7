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

test('opens the sample workspace and runs a query', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await expect(page.getByTestId('workspace-name')).toHaveText('sample');
  await expect(bench.table('content')).toContainText('30,000');
  await expect(bench.table('label_events')).toContainText('protected');
  await bench.runQuery(
    "SELECT reason, count(*) AS n FROM reports WHERE created_at BETWEEN '2024-03-10 14:00' AND '2024-03-10 19:00' GROUP BY 1 ORDER BY n DESC",
  );
  await expect(bench.status).toContainText('row(s)');
  await expect(bench.cell(0, 0)).toHaveText('spam');
  await expect(bench.grid.locator('.head-type').first()).toHaveText('VARCHAR');
  await page.screenshot({ path: 'test-results/main-view.png' });
});

test('scrolls to the end of a 1M-row result paged from the host', async ({ page }) => {
  test.slow(); // the rows stream in as fast as the machine allows; the test waits on their count, not a clock
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.runQuery("SELECT range AS n, 'row ' || range AS label FROM range(1000000)");
  await bench.waitForAllRows(1_000_000);
  await bench.scrollGridToEnd();
  await expect(bench.cell(999_999, 1)).toHaveText('row 999999', { timeout: 60_000 });
  await expect(bench.cell(999_999, 0)).toHaveText('999999', { timeout: 60_000 });
  // Only a few pages ever reached the renderer.
  const rendered = await bench.grid.locator('.grid-row').count();
  expect(rendered).toBeLessThan(100);
});

test('pages a 10M-row result in windows and jumps to a row', async ({ page }) => {
  test.slow(); // as above: waits on the streamed count, however long the machine takes
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.runQuery('SELECT range AS n FROM range(10000000)');
  await bench.waitForAllRows(10_000_000);
  await expect(page.locator('.grid-window')).toContainText('rows 1–1,000,000', { timeout: 60_000 });
  await page.locator('.grid-window button').last().click();
  await expect(page.locator('.grid-window')).toContainText('rows 1,000,001–2,000,000', { timeout: 60_000 });
  await expect(bench.cell(1_000_000, 0)).toHaveText('1000000', { timeout: 60_000 });
  await page.getByLabel('Go to row').fill('9999999');
  await page.getByLabel('Go to row').press('Enter');
  await expect(page.locator('.grid-window')).toContainText('rows 9,000,001–10,000,000', { timeout: 60_000 });
  await expect(bench.cell(9_999_998, 0)).toHaveText('9999998', { timeout: 60_000 });
});

test('sorts by a column and copies a cell', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.runQuery('SELECT language, count(*) AS n FROM content GROUP BY 1');
  await bench.grid.getByRole('button', { name: /^n/ }).click();
  await bench.grid.getByRole('button', { name: /^n/ }).click(); // descending
  await expect(bench.cell(0, 0)).toHaveText('en');
  await bench.cell(0, 0).click();
  await page.keyboard.press('ControlOrMeta+c');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('en');
});

test('cancels a slow query', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.typeQuery('SELECT sum(hash(a.range * b.range)) FROM range(400000) a, range(400000) b');
  await bench.runButton.click();
  await expect(bench.cancelButton).toBeVisible();
  await bench.cancelButton.click();
  await expect(bench.queryError).toHaveText('Query cancelled.');
  await expect(bench.runButton).toBeVisible();
});

test('shows a SQL error with its position', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.runQuery('SELECT reason,\n  nonexistent FROM reports');
  await expect(bench.queryError).toContainText('(line 2, column 3)');
  await expect(page.locator('.cm-lintRange-error')).toHaveText('n');
});

test('exports a result as CSV and Parquet', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.runQuery("SELECT content_id, language FROM content WHERE language = 'de' ORDER BY content_id");
  await expect(bench.status).toContainText('row(s)');
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csvPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-dl-')), 'result.csv');
  await csvDownload.saveAs(csvPath);
  const lines = fs.readFileSync(csvPath, 'utf8').trim().split('\n');
  expect(lines[0]).toBe('content_id,language');
  expect(lines.slice(1).every((line) => line.endsWith(',de'))).toBe(true);
  await expect(page.getByTestId('export-note')).toContainText(
    `Exported ${(lines.length - 1).toLocaleString('en-US')} rows`,
  );
  const [parquetDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-parquet').click(),
  ]);
  const parquetPath = path.join(path.dirname(csvPath), 'result.parquet');
  await parquetDownload.saveAs(parquetPath);
  expect(fs.readFileSync(parquetPath).subarray(0, 4).toString()).toBe('PAR1');
});
