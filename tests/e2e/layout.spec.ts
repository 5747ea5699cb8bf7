/**
 * Every view at a large and a small window, with a job notice showing: no control overlaps another (nor a notice
 * one), none is cut off or pushes the page sideways, no button's text wraps, and no chart's toolbar or annotation
 * sits over its axes or data. Screenshots of each land in test-results/layout-*.png.
 */
import { expect, type Page, test } from '@playwright/test';
import { chartProblems, layoutProblems } from './support/layout';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';
import { SCROLLBARS_SHOWN } from './support/chromium';

// Real scrollbars, as a user's Chromium draws them: headless Chromium hides them unless told not to.
test.use(SCROLLBARS_SHOWN);

// A long workspace name, as a team's folder names are.
const WORKSPACE = 'trust-and-safety-moderation-exports-2024-q1-sample';
let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift({ name: WORKSPACE });
});
test.afterAll(async () => sift?.stop());

/** A job that fails at once (no such model): its notice is shown as any job's is. */
let notices = 0;
async function showJobNotice(page: Page): Promise<void> {
  const model = `no-such-model-${++notices}`;
  await page.evaluate(async (model) => {
    const response = await fetch('/api/models.score', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sift-token': sessionStorage.getItem('sift-token') ?? '' },
      body: JSON.stringify({ model, sql: 'SELECT 1 AS content_id' }),
    });
    if (!response.ok) throw new Error(`models.score: HTTP ${response.status}`);
  }, model);
  await expect(page.getByTestId('job').filter({ hasText: `Score with ${model}` })).toContainText('failed');
}

for (const size of [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
]) {
  test(`at ${size.width}×${size.height} no control overlaps another or a notice, none is cut off, no button wraps, no chart toolbar covers its axes`, async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await page.setViewportSize(size);
    const bench = new Workbench(page);
    const problems: string[] = [];
    const look = async (view: string) => {
      await showJobNotice(page);
      problems.push(...(await layoutProblems(page)).map((problem) => `${view}: ${problem}`));
      await page.screenshot({ path: `test-results/layout-${view}-${size.width}x${size.height}.png` });
      problems.push(...(await chartProblems(page)).map((problem) => `${view}: ${problem}`));
    };

    await bench.open(sift.url);
    await expect(page.getByTestId('workspace-name')).toContainText('trust-and-safety');
    await bench.runQuery('SELECT * FROM content LIMIT 200');
    await expect(page.getByTestId('grid-rowcount')).toHaveText('200 rows');
    await look('explore');
    await bench.runQuery('SELECT language, surface, count(*) AS items FROM content GROUP BY ALL ORDER BY items DESC');
    await expect(page.getByTestId('grid-rowcount')).toContainText('rows');
    await page.getByTestId('chart-toggle').click();
    await expect(page.getByTestId('result-chart').locator('.js-plotly-plot')).toHaveAttribute('data-rendered', 'true');
    await look('explore-chart');
    await page.getByTestId('chart-toggle').click();

    await page.getByTestId('workspace-name').click();
    await expect(page.getByTestId('workspace-new')).toBeVisible();
    await look('workspace-switcher');
    await page.locator('.workspace-form').getByRole('button', { name: 'Cancel' }).click();

    await bench.openReport('Report resolution percentages by reason');
    await bench.runReport();
    await page.getByTestId('report-chart-toggle').click();
    await expect(page.getByTestId('result-chart').locator('.js-plotly-plot')).toHaveAttribute('data-rendered', 'true');
    await look('reports');

    await bench.openView('spikes');
    await expect(page.getByTestId('spike-timeline')).toHaveAttribute('data-rendered', 'true');
    await expect(page.getByTestId('spike-timeline').locator('.annotation')).not.toHaveCount(0);
    await look('spikes');
    await page.getByTestId('spike-windows').locator('tbody tr').first().click();
    await expect(page.getByTestId('spike-cluster').first()).toBeVisible({ timeout: 60_000 });
    await look('spikes-drill');

    await page.getByTestId('tab-models').click();
    await expect(page.getByTestId('compare-a').locator('option')).not.toHaveCount(0);
    await look('models');

    await page.getByTestId('tab-evaluate').click();
    await page.getByTestId('eval-version').selectOption('2024.03.0');
    await expect(page.getByTestId('reliability-plot')).toHaveAttribute('data-rendered', 'true');
    await expect(page.getByTestId('routing')).toBeVisible();
    await look('evaluate');

    await bench.openView('label');
    await bench.setAnnotator('ana');
    await look('label-sessions');
    await bench.createSession({ name: `Layout ${size.width}`, batch: 5 });
    await look('labeling');
    await page.getByTestId('label-back').click();
    await page.locator('[data-testid^=review-session-]').first().click();
    await expect(page.locator('.session-review')).toBeVisible();
    await expect(page.locator('.session-review')).not.toContainText('Reading disagreements');
    await look('review');

    expect(problems).toEqual([]);
  });
}
