/**
 * The spike view charts the sources a workspace has: without `reports` it falls back to moderation actions and says
 * why (no red error, no empty chart); with neither it says what to import; a Discourse workspace charts its own flags.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer | undefined;
test.afterEach(async ({ page }) => {
  await page.close(); // the tab's connections go before the server does, as when a person closes the tab
  await sift?.stop();
  sift = undefined;
});

test('without a reports table, the view charts moderation actions and says why', async ({ page }) => {
  test.slow();
  sift = await startSift({ setupSql: ['DROP TABLE reports'] });
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('spikes');
  await expect(page.getByTestId('spike-timeline')).toHaveAttribute('data-rendered', 'true');
  await expect(page.getByTestId('spike-source')).toHaveValue('actions');
  await expect(page.getByTestId('spike-source').locator('option[value=reports]')).toBeDisabled();
  await expect(page.getByTestId('spike-source-note')).toContainText(
    'no reports table, so the chart counts moderation actions instead',
  );
  await expect(page.locator('[data-testid=spike-timeline] .ytitle')).toHaveText('moderation actions per bucket');
  await expect(page.getByTestId('spike-windows').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('spike-view').locator('.error-box')).toHaveCount(0);
});

test('with neither reports nor moderation actions, it says what to import instead of an error', async ({ page }) => {
  test.slow();
  sift = await startSift({ setupSql: ['DROP TABLE reports', 'DROP TABLE moderation_actions'] });
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('spikes');
  const needs = page.getByTestId('needs-spikes');
  await expect(needs).toContainText('this workspace has no reports or moderation_actions yet');
  await expect(needs).toContainText('report_id, content_id, reporter_id, reason, created_at');
  await expect(page.getByTestId('spike-view').locator('.error-box')).toHaveCount(0);
  await expect(page.getByTestId('spike-timeline')).toHaveCount(0);
});

test('a Discourse workspace charts its flags as reports, with no SQL written, and the drill-down finds the spam wave', async ({
  page,
}) => {
  test.slow();
  sift = await startSift({ kind: 'discourse' });
  const wave = (
    JSON.parse(fs.readFileSync(path.join(sift.workspace, 'incidents.json'), 'utf8')) as {
      kind: string;
      start: string;
      domain: string;
    }[]
  ).find((i) => i.kind === 'spam_wave')!;
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('spikes');
  await expect(page.getByTestId('spike-timeline')).toHaveAttribute('data-rendered', 'true');
  await expect(page.getByTestId('spike-source')).toHaveValue('reports');
  const first = page.getByTestId('spike-windows').locator('tbody tr').first();
  await expect(first).toContainText('spam');
  await expect(first).toContainText(wave.start.slice(0, 16).replace('T', ' '));
  await first.click();
  await expect(page.getByTestId('spike-cluster').first()).toContainText(wave.domain);
  await expect(page.getByTestId('spike-view').locator('.error-box')).toHaveCount(0);
});
