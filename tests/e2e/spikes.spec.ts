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
  const incident = (JSON.parse(fs.readFileSync(path.join(sift.workspace, 'incidents.json'), 'utf8')) as { kind: string; start: string; posts: number }[]).find((i) => i.kind === 'coordinated_link_spam')!;
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
  await expect(cluster).toContainText('boostfans.example');
  const size = Number(/(\d+) items/.exec((await cluster.textContent()) ?? '')![1]);
  expect(size).toBeGreaterThan(incident.posts * 0.6);
  await expect(page.getByTestId('spike-terms')).toContainText('boostfans');
  await page.screenshot({ path: 'test-results/spike-view.png', fullPage: true });
  // From the cluster straight to its items in the SQL workbench.
  await cluster.getByRole('button', { name: 'Query these items' }).click();
  await expect(page.getByTestId('grid-rowcount')).toHaveText(`${size} rows`);
  await expect(bench.cell(0, 3)).toContainText('boostfans.example');
});
