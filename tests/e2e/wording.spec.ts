/**
 * Words that said nothing or misled: the review's "undefined" with one rater, the labeling screen's uncertainty
 * that read as a score, a retrain's held-out AP on a handful of items, and a report's bare "0 row(s)" after the
 * data's last day.
 */
import { expect, test } from '@playwright/test';
import { HELD_OUT_TO_JUDGE } from '../../shared/labeling';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('labeling tells uncertainty apart from the score, a retrain states n and says when it is too few to judge, and the review says why one rater has no agreement', async ({
  page,
}) => {
  test.slow();
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('label');
  await bench.setAnnotator('solo');
  await bench.createSession({ name: 'Solo words', batch: 5 });
  // Uncertainty is told as "model unsure", out of its maximum, not as a bare number beside the score bars.
  const reason = page.getByTestId('label-reason');
  await expect(reason).toContainText(/model unsure: \d\.\d\d of \d+ bits of uncertainty/);
  await expect(reason).not.toContainText(/uncertainty \d\.\d{3} bits/);
  await page.screenshot({ path: 'test-results/wording-labeling.png' });

  await bench.press('3', 'Enter', '0', '0', '0', '0');
  await expect(bench.labeling.progress()).toContainText('session 5 of');
  await bench.press('Shift+R');
  await expect(page.getByTestId('retrain-result')).toBeVisible({ timeout: 120_000 });
  const aps = page.getByTestId('retrain-result').locator('.label-retrain-ap');
  expect(await aps.count()).toBeGreaterThan(0);
  for (const ap of await aps.all()) {
    // "P positive / N negative held-out items" in the tooltip; the text itself states n and P, and judges them.
    const [positives, negatives] = ((await ap.getAttribute('title'))!.match(/\d+/g) ?? []).map(Number) as [
      number,
      number,
    ];
    const items = positives + negatives;
    await expect(ap).toContainText(`on ${items} item${items === 1 ? '' : 's'}, ${positives} positive`);
    const hasFigure = /\d\.\d{3} → \d\.\d{3}/.test((await ap.textContent())!);
    const tooFew = items < HELD_OUT_TO_JUDGE.items || positives < HELD_OUT_TO_JUDGE.positives;
    if (hasFigure && tooFew)
      await expect(ap).toContainText(
        `too few to judge (needs ${HELD_OUT_TO_JUDGE.items} items and ${HELD_OUT_TO_JUDGE.positives} positives)`,
      );
    else await expect(ap).not.toContainText('too few to judge');
  }
  await page.screenshot({ path: 'test-results/wording-retrain.png' });

  await page.getByTestId('label-back').click();
  await page
    .getByRole('row', { name: /Solo words/ })
    .getByRole('button', { name: 'Review' })
    .click();
  const table = page.getByTestId('agreement-table');
  const spam = table.locator('tr.level-category', { hasText: 'spam' });
  await expect(spam.locator('td').nth(2)).toHaveText('1');
  await expect(spam.locator('td').nth(3)).toHaveText('— one rater: agreement needs two');
  await expect(spam.locator('td').nth(4)).toHaveText('— one rater: agreement needs two');
  await expect(table).not.toContainText('undefined');
  await page.screenshot({ path: 'test-results/wording-review.png', fullPage: true });
});

test('a report run after the data ends says where the data ends', async ({ page }) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  // The last day of activity, read from the data itself.
  await bench.runQuery(
    "SELECT strftime(max(m), '%Y-%m-%d') AS last_day FROM (SELECT max(created_at) AS m FROM content UNION ALL SELECT max(created_at) FROM reports UNION ALL SELECT max(created_at) FROM moderation_actions)",
  );
  await expect(bench.cell(0, 0)).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
  const lastDay = (await bench.cell(0, 0).textContent())!;
  await bench.openReport('Report resolution percentages by reason');
  await bench.setParameter('start_time', '2030-01-01T00:00:00');
  await bench.setParameter('end_time', '2030-02-01T00:00:00');
  await bench.runReport();
  await expect(page.getByTestId('report-status')).toContainText(
    `0 row(s). The data ends on ${lastDay}; :start_time (2030-01-01 00:00:00) and :end_time (2030-02-01 00:00:00) are after it.`,
  );
  await page.screenshot({ path: 'test-results/wording-report.png' });
  // Inside the data: no such words.
  await bench.setParameter('start_time', '2024-03-01T00:00:00');
  await bench.setParameter('end_time', '2024-03-16T00:00:00');
  await bench.runReport();
  await expect(page.getByTestId('report-status')).not.toContainText('The data ends');
});
