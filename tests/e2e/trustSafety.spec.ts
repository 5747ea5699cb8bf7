import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test("the Evaluate view shows the version's trust-and-safety metrics, the high-reach FPR at the thresholds in force", async ({
  page,
}) => {
  const bench = new Workbench(page);
  const { evaluate } = bench;
  await bench.open(sift.url);
  await evaluate.open('2024.03.0');
  await evaluate.evaluated();
  await evaluate.category.selectOption('spam');
  const card = page.getByTestId('trust-safety-card');
  const row = (metric: string) => card.locator(`tr[data-metric="${metric}"]`);
  // The sample's figures for 2024.03.0 (as sift eval --json's release_metrics gives them): 1 of its 600 flags
  // reversed; removals p50 1,932 s and p95 16,408.7 s; 676 items waiting at the end, 677 at the peak; 49 of 142
  // decided appeals overturned.
  await expect(row('overturn rate')).toContainText('0.2% [');
  await expect(row('overturn rate')).toContainText('n=600');
  await expect(row('time to removal')).toContainText('p50 32.2 min · p95 4.6 h');
  await expect(row('review queue')).toContainText('676 waiting (peak 677)');
  await expect(row('appeals overturned')).toContainText('34.5% [');
  await expect(row('high-reach FPR, spam')).toContainText('escalate ≥ 0.5');
  // Moving the escalate threshold re-reads the high-reach FPR at it.
  await evaluate.thresholdEscalate.fill('0.3');
  await expect(row('high-reach FPR, spam')).toContainText('escalate ≥ 0.3');
  const plot = card.getByTestId('queue-depth-plot');
  await expect(plot).toHaveAttribute('data-rendered', 'true', { timeout: 60_000 });
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await card.scrollIntoViewIfNeeded();
    await expect
      .poll(() => plot.evaluate((el) => el.clientWidth - (el.querySelector('svg.main-svg')?.clientWidth ?? 0)))
      .toBeLessThan(4);
    // The grid settles after the resize: wait until the chart sits inside its card again.
    await expect
      .poll(async () => {
        const [outer, inner] = [await card.boundingBox(), await plot.boundingBox()];
        return !!outer && !!inner && inner.y + inner.height <= outer.y + outer.height + 1;
      })
      .toBe(true);
    await page.screenshot({ path: `test-results/eval-trust-safety-${width}.png` });
  }
});
