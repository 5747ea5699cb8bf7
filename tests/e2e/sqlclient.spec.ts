import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('Ctrl+Enter runs the statement under the cursor; Ctrl+Shift+Enter runs each into its own tab; history and tabs are kept', async ({
  page,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.typeQuery(
    "SELECT 'one' AS first_statement;\n\nSELECT 'two' AS second_statement;\nSELECT nope FROM reports;",
  );
  // The cursor on the first line: only that statement runs.
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(bench.grid.getByRole('button', { name: /^first_statement/ })).toBeVisible();
  await expect(page.getByTestId('result-tabs')).toHaveCount(0);
  await expect(bench.cell(0, 0)).toHaveText('one');
  // On the second statement's line.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(bench.cell(0, 0)).toHaveText('two');
  // All of them: a tab each, stopping at the failing third, whose error points into the text.
  await page.keyboard.press('ControlOrMeta+Shift+Enter');
  await expect(page.getByTestId('result-tabs').getByRole('tab')).toHaveCount(3);
  await expect(bench.queryError).toContainText('nope');
  await page
    .getByTestId('result-tabs')
    .getByRole('button', { name: /^1\. SELECT 'one'/ })
    .click();
  await expect(bench.cell(0, 0)).toHaveText('one');
  await page.screenshot({ path: 'test-results/sql-client-tabs.png' });

  // The history keeps what ran, failures included; an entry opens in a new editor tab.
  await page.getByTestId('history-toggle').click();
  await expect(page.getByTestId('query-history')).toContainText('SELECT nope FROM reports');
  await page
    .getByTestId('query-history')
    .getByRole('button', { name: "SELECT 'two' AS second_statement" })
    .first()
    .click();
  await expect(page.getByTestId('editor-tabs').getByRole('tab')).toHaveCount(2);
  await expect(bench.editor).toHaveText("SELECT 'two' AS second_statement");
  // Tabs live in the workspace: a reload finds both.
  await page.waitForTimeout(900); // tabs are saved a moment after the last change
  await page.reload();
  await expect(page.getByTestId('editor-tabs').getByRole('tab')).toHaveCount(2);
  await expect(bench.editor).toHaveText("SELECT 'two' AS second_statement");
});

test('a long text cell opens in the inspector, JSON pretty-printed; a range copies as TSV; columns resize', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.runQuery(
    `SELECT repeat('a long moderation note ', 60) || 'END' AS note, '{"flags": {"spam": [1, 2]}}' AS payload, 1 AS n UNION ALL SELECT 'short', NULL, 2`,
  );
  await bench.cell(0, 0).dblclick();
  const inspector = page.getByTestId('cell-inspector');
  await expect(inspector).toBeVisible();
  await expect(page.getByTestId('cell-inspector-value')).toContainText('a long moderation note a long');
  await expect(page.getByTestId('cell-inspector-value')).toContainText('END');
  await expect(inspector).toContainText('1,383 characters');
  await page.screenshot({ path: 'test-results/cell-inspector.png' });
  await page.keyboard.press('Escape');
  await expect(inspector).toBeHidden();
  // Keyboard: move to the JSON cell and open it with Enter.
  await bench.cell(0, 0).click();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cell-inspector-value')).toContainText('"spam": [\n      1,');
  await page.getByTestId('cell-inspector-close').click();

  // A rectangle of cells copies as TSV with its header.
  await bench.cell(0, 1).click();
  await bench.cell(1, 2).click({ modifiers: ['Shift'] });
  await page.keyboard.press('ControlOrMeta+c');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    'payload\tn\n{"flags": {"spam": [1, 2]}}\t1\nNULL\t2',
  );
  // Dragging a header's edge widens its column.
  const head = bench.grid.locator('.grid-head').first();
  const before = (await head.boundingBox())!.width;
  const handle = (await page.getByTestId('resize-note').boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + 10);
  await page.mouse.down();
  await page.mouse.move(handle.x + 160, handle.y + 10, { steps: 4 });
  await page.mouse.up();
  expect((await head.boundingBox())!.width).toBeGreaterThan(before + 100);

  // Pasted into a spreadsheet, a text cell beginning with = + - @ would run as a formula: it gets a leading quote;
  // a negative number stays a number.
  await bench.runQuery(`SELECT '=HYPERLINK("http://x.test", "open")' AS "=note", -5 AS n, '@SUM(A1)' AS at`);
  await bench.cell(0, 0).click();
  await bench.cell(0, 2).click({ modifiers: ['Shift'] });
  await page.keyboard.press('ControlOrMeta+c');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    `'=note\tn\tat\n'=HYPERLINK("http://x.test", "open")\t-5\t'@SUM(A1)`,
  );
});

test('clicking a table inserts its name at the cursor; a double-click previews it; completion offers columns before keywords', async ({
  page,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.typeQuery('SELECT count(*) FROM ');
  await bench.table('reports').getByRole('button', { name: 'reports', exact: true }).click();
  await expect(bench.editor).toHaveText('SELECT count(*) FROM reports');
  await bench.table('moderation_actions').getByRole('button', { name: 'moderation_actions', exact: true }).dblclick();
  await expect(bench.grid.getByRole('button', { name: /^action_id/ })).toBeVisible();
  await expect(bench.editor).toHaveText('SELECT count(*) FROM reports'); // the editor's text is left alone
  await bench.typeQuery('SELECT count(*) FROM reports WHERE rea');
  await page.keyboard.press('Control+Space');
  const options = page.locator('.cm-tooltip-autocomplete li');
  // The table's own column first, before REPLACE or any other keyword.
  await expect(options.first()).toHaveText(/^reason/);
  await bench.typeQuery('SELECT * FROM con');
  await page.keyboard.press('Control+Space');
  await expect(options.first()).toHaveText(/^content/);
});

test('a report opens as its saved chart, and any result charts from its column types', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openReport('Moderation actions summary');
  await bench.runReport();
  await expect(page.getByTestId('result-chart')).toHaveAttribute('data-chart-type', 'stacked_bar');
  await expect(page.getByTestId('chart-plot')).toHaveAttribute('data-rendered', 'true');
  await expect(page.locator('[data-testid=chart-plot] .legendtext')).toContainText(['human']);
  await page.screenshot({ path: 'test-results/report-chart.png' });
  // Changed to plain bars and saved: the report opens that way next time.
  await page.getByTestId('chart-type').selectOption('bar');
  await page.getByTestId('chart-series').selectOption('');
  await page.getByTestId('chart-save').click();
  await expect(page.getByTestId('report-status')).toContainText('now opens as a bar chart');
  await bench.openReport('Who is reporting');
  await bench.openReport('Moderation actions summary');
  await bench.runReport();
  await expect(page.getByTestId('result-chart')).toHaveAttribute('data-chart-type', 'bar');
  // A query result: the chart is chosen from its columns (a category and a count → bars).
  await bench.openView('explore');
  await bench.runQuery('SELECT reason, count(*) AS reports FROM reports GROUP BY 1');
  await page.getByTestId('chart-toggle').click();
  await expect(page.getByTestId('result-chart')).toHaveAttribute('data-chart-type', 'bar');
  await expect(page.getByTestId('chart-plot')).toHaveAttribute('data-rendered', 'true');
  await expect(page.getByTestId('chart-note')).toContainText('rows, aggregated by the host');
  const download = page.waitForEvent('download');
  await page.getByTestId('chart-png').click();
  expect((await download).suggestedFilename()).toMatch(/\.png$/);
});

test("Explain shows DuckDB's plan for the statement under the cursor without running it, and refuses what the editor may not run", async ({
  page,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.typeQuery('SELECT reason, count(*) AS n FROM reports GROUP BY reason;\nDELETE FROM reports;');
  await page.keyboard.press('ControlOrMeta+Home');
  await page.getByTestId('explain-query').click();
  await expect(page.getByTestId('query-plan')).toContainText('HASH_GROUP_BY');
  await expect(page.getByTestId('query-plan')).toContainText('reports');
  await expect(page.getByTestId('query-status')).toHaveText('The plan of a read; nothing was run.');
  await page.screenshot({ path: 'test-results/sql-client-explain.png' });
  // The DELETE on the second line: refused as a run would be, pointing at nothing run.
  await bench.editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.getByTestId('explain-query').click();
  await expect(bench.queryError).toContainText('read-only');
  await bench.typeQuery('SELECT count(*) FROM reports');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(bench.cell(0, 0)).not.toHaveText('0');
});
