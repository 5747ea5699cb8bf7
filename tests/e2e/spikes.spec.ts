import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('the spike view finds the incident and reaches its cluster', async ({ page }) => {
  test.slow();
  const incident = (
    JSON.parse(fs.readFileSync(path.join(sift.workspace, 'incidents.json'), 'utf8')) as {
      kind: string;
      start: string;
      posts: number;
    }[]
  ).find((i) => i.kind === 'coordinated_link_spam')!;
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('spikes');
  await expect(page.getByTestId('spike-timeline')).toHaveAttribute('data-rendered', 'true');
  await expect(page.locator('[data-testid=spike-timeline] .annotation-text')).toContainText('2024.02.1 → 2024.03.0');
  const firstWindow = page.getByTestId('spike-windows').locator('tbody tr').first();
  await expect(firstWindow).toContainText('spam');
  await expect(firstWindow).toContainText(incident.start.slice(0, 16).replace('T', ' '));
  await firstWindow.click();
  const cluster = page.getByTestId('spike-cluster').first();
  // The drill-down is a job: on a loaded machine it may run well past the default 15 s, so wait for its result.
  await expect(cluster).toContainText('boostfans.example', { timeout: 120_000 });
  const size = Number(/(\d+) items/.exec((await cluster.textContent()) ?? '')![1]);
  expect(size).toBeGreaterThan(incident.posts * 0.6);
  await expect(page.getByTestId('spike-terms')).toContainText('boostfans');
  await page.screenshot({ path: 'test-results/spike-view.png', fullPage: true });
  // From the cluster straight to its items in the SQL workbench.
  await cluster.getByRole('button', { name: 'Query these items' }).click();
  await expect(page.getByTestId('grid-rowcount')).toHaveText(`${size} rows`);
  await expect(bench.cell(0, 3)).toContainText('boostfans.example');
});

test('the anomaly view, series and date filters, marked windows that stay when series are toggled, and what the counts mean', async ({
  page,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('spikes');
  await expect(page.getByTestId('spike-timeline')).toHaveAttribute('data-rendered', 'true');
  await expect(page.getByTestId('spike-explanation')).toContainText('reports filed in one hour (UTC), split by reason');
  await expect(page.getByTestId('spike-explanation')).toContainText('z = (count − baseline) / spread reaches 3');
  // The anomaly view of the top window's series: count, baseline band and z.
  await expect(page.getByTestId('spike-anomaly-series')).toHaveValue('spam');
  await expect(page.getByTestId('spike-anomaly-plot')).toHaveAttribute('data-rendered', 'true');
  const legend = page.locator('[data-testid=spike-anomaly-plot] .legend');
  for (const entry of ['expected range (baseline ± 3·spread)', 'baseline', 'count', 'z-score'])
    await expect(legend).toContainText(entry);
  await page.screenshot({ path: 'test-results/spike-anomaly.png', fullPage: true });

  // Isolating spam in the legend keeps its marked windows (shaded bands and its own marks).
  const bands = page.locator('[data-testid=spike-timeline] .layer-below .shapelayer path');
  const bandCount = await bands.count();
  expect(bandCount).toBeGreaterThan(0);
  await page.locator('[data-testid=spike-timeline] .legendtext', { hasText: /^spam$/ }).dblclick({ force: true });
  // The other series are now legend-only (dimmed)…
  await expect(
    page
      .locator('[data-testid=spike-timeline] .legend .traces')
      .filter({ hasNotText: /^spam$/ })
      .first(),
  ).toHaveCSS('opacity', '0.5');
  // …and spam's windows are all still drawn.
  await expect(bands).toHaveCount(bandCount);
  // Unticking the series takes its windows off the chart and the table (all of it: the first ten show at first).
  // At z ≥ 3 the robust baseline marks only a handful of windows on the sample; z ≥ 2 marks dozens.
  await page
    .getByTitle('Buckets whose z-score against their baseline reaches this are marked')
    .locator('input')
    .fill('2');
  await page.getByTestId('spike-windows-all').click();
  const windows = page.getByTestId('spike-windows').locator('tbody tr');
  const before = await windows.count();
  await page.getByTestId('spike-series-spam').uncheck();
  await expect.poll(async () => windows.count()).toBeLessThan(before);
  await page.getByTestId('spike-series-spam').check();
  await expect(windows).toHaveCount(before);
  // A date range narrows both.
  await page.getByTestId('spike-from').fill('2024-03-13T00:00');
  await expect.poll(async () => windows.count()).toBeLessThan(before);
  for (const row of await windows.all())
    expect(((await row.locator('td').nth(2).textContent()) ?? '') > '2024-03-13').toBe(true);
});
