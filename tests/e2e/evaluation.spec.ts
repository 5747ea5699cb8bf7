import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('evaluates a model version: categories, binning, a dragged threshold, and saving it', async ({ page }) => {
  const bench = new Workbench(page);
  const { evaluate } = bench;
  await bench.open(sift.url);
  await evaluate.open('2024.03.0');
  await evaluate.evaluated();
  await evaluate.category.selectOption('spam');
  await expect(evaluate.metrics).toContainText('average precision');
  // The sample's tied votes (one annotator's 1, another's 0) are no label: left out, and said so.
  await expect(evaluate.tied).toContainText('88 items tied, left out');
  await expect(evaluate.summaryRows().first()).toContainText('25');
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `test-results/eval-tied-${width}.png` });
  }
  await page.setViewportSize({ width: 1400, height: 850 });

  // Binning: 5 uniform bins draw at most 5 points; quantile bins change the diagram.
  await evaluate.bins.fill('5');
  await expect(evaluate.metrics).toContainText('ECE (5 bins)');
  await expect.poll(async () => evaluate.reliabilityPoints(1).count()).toBeLessThanOrEqual(5);
  await evaluate.binStrategy.selectOption('quantile');
  await evaluate.binStrategy.selectOption('uniform');

  // Drag the remove threshold (shape 0) to the left: more items are removed automatically.
  const before = await evaluate.removedCount();
  await evaluate.dragRemoveThreshold(-140);
  await expect.poll(async () => Number(await evaluate.thresholdRemove.inputValue())).toBeLessThan(0.85);
  const after = await evaluate.removedCount();
  expect(after).toBeGreaterThan(before);
  await page.screenshot({ path: 'test-results/evaluation-view.png', fullPage: true });

  // Typing works too; escalate cannot sit above remove.
  await evaluate.thresholdEscalate.fill('0.3');
  await expect(evaluate.countEscalated).not.toHaveText('0');
  await evaluate.saveThresholds();
  await expect(evaluate.note).toContainText('Saved thresholds as text-distil 2026.11.1-r1');

  await evaluate.fitCalibration();
  await expect(evaluate.calibrationSummary).toContainText('held-out items (the items evaluated above)');
});

test('every category at a glance, errors in two clicks, slices that need real evidence, and two versions on the same items', async ({
  page,
}) => {
  const bench = new Workbench(page);
  const { evaluate } = bench;
  await bench.open(sift.url);
  await evaluate.open('2024.03.0');
  await evaluate.evaluated();
  await expect(evaluate.summaryRows()).toHaveCount(4);
  await expect(evaluate.summary).toContainText('ECE (15 bins)'); // the CLI's default too
  await evaluate.summary.getByRole('button', { name: 'spam' }).click();
  await expect(evaluate.category).toHaveValue('spam');

  // Error analysis: the false positives, worst first, with who labelled them.
  await evaluate.showFalsePositives();
  const { items } = evaluate;
  await expect(items).toContainText('false positives of spam');
  await expect(evaluate.listedKinds().first()).toHaveText('FP');
  await expect(items).toContainText('labelled by');
  await page.screenshot({ path: 'test-results/error-analysis.png', fullPage: false });
  await evaluate.closeItems();
  // …and from a bar of the score distribution straight to its items.
  await evaluate.openTallestErrorBar();
  await expect(items).toContainText(/positives of spam scored 0\.\d+–/);
  await expect(evaluate.listedItems().first()).toBeVisible();
  await evaluate.closeItems();

  // Slices: each rate with its interval and n; nothing is highlighted without enough items behind it.
  await expect(evaluate.slices).toContainText('[');
  await evaluate.sliceMinN.fill('100000');
  await expect(evaluate.flaggedSlices()).toHaveCount(0);
  await evaluate.sliceMinN.fill('30');
  for (const row of await evaluate.flaggedSlices().all()) {
    const counts = (await row.textContent()) ?? '';
    expect(
      Math.max(...[...counts.matchAll(/n=([\d,]+)/g)].map((m) => Number(m[1]!.replace(/,/g, '')))),
    ).toBeGreaterThanOrEqual(30);
  }
  await page.screenshot({ path: 'test-results/eval-slices.png', fullPage: true });

  // Compare: the sample's two versions scored different weeks — said so, not compared silently on different items.
  await evaluate.versionB.selectOption('text-distil@2024.02.1');
  await expect(evaluate.compareNote).toContainText('scored no labelled items in common');
  // Re-score the last week with the current model, then compare it with the logged version on the same items.
  await bench.models.open();
  await bench.models.score();
  await evaluate.open('2024.03.0');
  // The model's current version (the first test here may have saved a threshold revision of it).
  const current = await evaluate.lastVersionBOption(/^text-distil 2026\.11\.1/);
  await evaluate.versionB.selectOption(current);
  await expect(evaluate.compareNote).toContainText(
    /exactly the items both versions scored: [\d,]+ labelled items of spam/,
  );
  await expect(evaluate.metrics).toContainText('B:');
});
