import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;
let files: string;

test.beforeAll(async () => {
  sift = await startSift();
  files = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-e2e-files-'));
});
test.afterAll(async () => sift?.stop());

test('imports a CSV from the file picker and maps it onto a canonical table', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  const file = path.join(files, 'forum_flags.csv');
  fs.writeFileSync(
    file,
    'flag_id;post_id;flagger_id;flag_type;timestamp\n1;p1;u9;spam;2024-05-01 10:00:00\n2;p2;u8;inappropriate;2024-05-01 10:05:00\n3;p2;u7;spam;2024-05-01 10:07:00\n',
  );
  await bench.importViaPicker(file);
  await expect(bench.importDialog).toContainText('semicolon-delimited');
  await expect(bench.importDialog).toContainText('TIMESTAMP');
  await bench.confirmImport('forum_flags');
  await expect(page.getByTestId('import-done')).toContainText('Imported 3 rows into forum_flags');
  await expect(page.getByTestId('mapping-target')).toHaveValue('reports');
  // The key columns are marked required; leaving one out says which and saving waits for it.
  await expect(page.getByTestId('mapping-row-report_id')).toHaveAttribute('data-required', 'true');
  await expect(page.getByTestId('mapping-row-content_id')).toContainText('required');
  await expect(page.getByTestId('mapping-row-reason')).not.toContainText('required');
  await page.getByTestId('mapping-row-content_id').locator('select').selectOption('');
  await expect(page.getByTestId('mapping-keys-problem')).toHaveText(
    'columns.content_id: reports needs its key column content_id mapped to a column of the source; every row is identified by it.',
  );
  await expect(page.getByTestId('mapping-save')).toBeDisabled();
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `test-results/mapping-required-${width}.png` });
  }
  await page.getByTestId('mapping-row-content_id').locator('select').selectOption('post_id');
  await expect(page.getByTestId('mapping-keys-problem')).toHaveCount(0);
  await bench.closeDialog();
  await expect(bench.table('forum_flags')).toContainText('3');
  await bench.runQuery('SELECT flag_type, count(*) FROM forum_flags GROUP BY 1 ORDER BY 2 DESC');
  await expect(bench.cell(0, 0)).toHaveText('spam');
});

test('imports a Parquet file dropped on the window', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  const file = path.join(files, 'appeal_outcomes.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(
    `COPY (SELECT 'c' || lpad(range::VARCHAR, 8, '0') AS content_id, range % 3 = 0 AS overturned FROM range(2500)) TO '${file}' (FORMAT parquet)`,
  );
  conn.closeSync();
  instance.closeSync();
  await bench.importViaPicker(file);
  await expect(bench.importDialog).toContainText('PARQUET');
  await bench.confirmImport();
  await expect(page.getByTestId('import-done')).toContainText('Imported 2,500 rows into appeal_outcomes');
  await bench.closeDialog();
  await expect(bench.table('appeal_outcomes')).toContainText('2,500');

  await bench.dropFile('dropped_notes.csv', 'note_id,text\n1,hello\n2,world\n');
  await bench.confirmImport();
  await expect(page.getByTestId('import-done')).toContainText('Imported 2 rows into dropped_notes');
  await bench.closeDialog();
});

test('shows a clear error for a bad file and leaves the workspace unchanged; then skips the bad row on a retry', async ({
  page,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  const tablesBefore = await bench.schema.locator('.schema-name').allTextContents();
  const ragged = path.join(files, 'ragged_export.csv');
  fs.writeFileSync(ragged, 'id,reason,created_at\n1,spam,2024-01-01\n2,spam\n3,hate,2024-01-02\n');
  await bench.importViaPicker(ragged);
  // The preview says where the bad row is before anything is imported; a plain import stops there.
  await expect(page.getByTestId('import-problem')).toContainText(
    'ragged_export.csv line 3: row has 2 fields, expected 3 like the header.',
  );
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-error')).toHaveText(
    'ragged_export.csv line 3: row has 2 fields, expected 3 like the header.',
  );
  await page.screenshot({ path: 'test-results/import-error.png' });
  await bench.closeDialog();
  const truncated = path.join(files, 'truncated.parquet');
  fs.writeFileSync(truncated, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7)]));
  await bench.importViaPicker(truncated);
  await expect(page.getByTestId('import-error')).toContainText('truncated.parquet: not a readable Parquet file');
  await expect(page.getByTestId('import-retry')).toHaveCount(0); // nothing to retry: the file itself is unreadable
  await bench.closeDialog();
  expect(await bench.schema.locator('.schema-name').allTextContents()).toEqual(tablesBefore);

  // Again, and after the error change the options without picking the file again: skip bad rows.
  await bench.importViaPicker(ragged);
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-error')).toBeVisible();
  await page.getByTestId('import-retry').click();
  await page.getByTestId('import-skip-bad-rows').check();
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-rejects')).toContainText('1 bad rows were set aside in ragged_export__rejects');
  await expect(page.getByTestId('import-rejects')).toContainText('2 rows were imported');
  await bench.closeDialog();
  await expect(bench.table('ragged_export__rejects')).toBeVisible();
  await bench.runQuery('SELECT line, raw FROM ragged_export__rejects');
  await expect(bench.cell(0, 0)).toHaveText('3');
  await expect(bench.cell(0, 1)).toHaveText('2,spam');
});
