import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('the Robustness card runs the obfuscation suite through the model here and shows recall per category and transform', async ({
  page,
}) => {
  const bench = new Workbench(page);
  const { evaluate } = bench;
  await bench.open(sift.url);
  await evaluate.open('2024.03.0');
  await evaluate.evaluated();
  const card = page.getByTestId('robustness');
  // The sample's versions were scored elsewhere (imported scores): the card says so and offers the model that is here.
  await expect(card.getByTestId('robustness-not-here')).toContainText('2024.03.0');
  await expect(card.getByRole('combobox', { name: 'Version to run' })).toHaveValue('2026.11.1');
  await card.getByTestId('run-robustness').click();
  const result = card.getByTestId('robustness-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  for (const heading of [
    'clean',
    'Leetspeak',
    'Homoglyphs',
    'Zero-width',
    'Spaces & punctuation',
    'Repeated letters',
    'Emoji',
  ])
    await expect(result.getByRole('columnheader', { name: heading, exact: true })).toBeVisible();
  await expect(result.getByRole('row', { name: /^spam/ })).toContainText('%');
  await expect(card.getByTestId('robustness-latency')).toContainText('p99');
  await expect(result.getByRole('columnheader', { name: 'Leetspeak' })).toHaveAttribute('title', /a->4/);
  await page.setViewportSize({ width: 1440, height: 900 });
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/robustness-card-1440.png' });
});
