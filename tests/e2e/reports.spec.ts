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

test('opens a report, changes a date parameter, runs it and exports the result', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openReport('Report resolution percentages by reason');
  await expect(page.getByTestId('param-start_time')).toHaveValue('2024-03-01T00:00');
  await bench.runReport();
  const allSpam = Number(await bench.cell(0, 1).textContent());
  await expect(bench.cell(0, 0)).toHaveText('spam');
  // Only the incident's day: fewer spam reports, still the top reason.
  await bench.setParameter('start_time', '2024-03-10T00:00:00');
  await bench.setParameter('end_time', '2024-03-11T00:00:00');
  await bench.runReport();
  await expect(bench.cell(0, 0)).toHaveText('spam');
  const daySpam = Number(await bench.cell(0, 1).textContent());
  expect(daySpam).toBeGreaterThan(500);
  expect(daySpam).toBeLessThan(allSpam);
  await page.screenshot({ path: 'test-results/report-view.png' });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-report-')), 'report.csv');
  await download.saveAs(file);
  const [header, first] = fs.readFileSync(file, 'utf8').trim().split('\n');
  expect(header!.split(',').slice(0, 2)).toEqual(['reason', 'reports']);
  expect(first!.split(',').slice(0, 2)).toEqual(['spam', String(daySpam)]);
  // The form remembers the values the report last ran with.
  await page.reload();
  await bench.openReport('Report resolution percentages by reason');
  await expect(page.getByTestId('param-start_time')).toHaveValue('2024-03-10T00:00');
});

test('names the parameter when a value is bad', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openReport('Who is reporting');
  await bench.setParameter('min_reports', 'many');
  await page.getByTestId('run-report').click();
  await expect(page.getByTestId('report-error')).toHaveText('Parameter :min_reports (int): "many" is not an integer.');
});

test('imports a Data Explorer .dcquery.json and runs it', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('reports');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-dcq-')), 'spam-by-language.dcquery.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      query: {
        id: 7,
        name: 'Spam by language',
        description: 'from a Discourse export',
        sql: '-- [params]\n-- string :reason = spam\nSELECT c.language, count(*) AS n FROM reports r JOIN content c USING (content_id) WHERE r.reason = :reason GROUP BY 1 ORDER BY n DESC',
      },
    }),
  );
  await page.getByTestId('report-file-input').setInputFiles(file);
  await bench.openReport('Spam by language');
  await bench.runReport();
  await expect(bench.cell(0, 0)).toHaveText('en');
});
