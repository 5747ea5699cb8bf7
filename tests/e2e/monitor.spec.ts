/**
 * The Monitor view on the real sample workspace, served by `sift serve`: a monitor added from the app alerts on the
 * sample's spam campaign (2024-03-10 14:00 UTC) without a reload, the browser is notified (the real Notification
 * API, observed by an init script), "investigate" opens the spike drill at the alert's window, the alert is
 * acknowledged by keyboard and resolved, the playbook is drawn as Markdown and never as HTML, a pinned report's chart
 * is drawn, and the view reads at 1440×900 and at 1024×700 (screenshots in test-results/monitor-*.png). Then a folder
 * feed brings a second wave: the pinned chart draws again and the new alert arrives, both without a reload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { layoutProblems } from './support/layout';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';
import { SCROLLBARS_SHOWN } from './support/chromium';

// Real scrollbars, as a user's Chromium draws them: headless Chromium hides them unless told not to.
test.use(SCROLLBARS_SHOWN);

let sift: SiftServer;
test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

/** Records every Notification the page constructs; the constructor is the browser's own. */
function observeNotifications() {
  const Real = window.Notification;
  const shown: { title: string; body: string }[] = [];
  class Observed extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      shown.push({ title, body: options?.body ?? '' });
    }
  }
  Object.defineProperty(Observed, 'permission', { get: () => Real.permission });
  Object.defineProperty(Observed, 'requestPermission', { value: Real.requestPermission.bind(Real) });
  Object.assign(window, { Notification: Observed, siftNotifications: shown });
}
/** A contract call from the page, with its token, as the app makes it. */
async function callHost(page: Page, method: string, input: unknown): Promise<void> {
  const outcome = await page.evaluate(
    async ({ method, input }) => {
      const response = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sift-token': sessionStorage.getItem('sift-token') ?? '' },
        body: JSON.stringify(input),
      });
      return (await response.json()) as { ok: boolean; error?: { message: string } };
    },
    { method, input },
  );
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error?.message}`);
}

/** Spam reports in one hour after the sample ends: a second wave, as a landing folder would receive it. */
function secondWave(count: number): string {
  const rows = Array.from(
    { length: count },
    (_, i) => `wave2-${i},c-wave2-${i % 7},u-wave2-${i},spam,2024-03-15 00:${String(i % 60).padStart(2, '0')}:00`,
  );
  return `report_id,content_id,reporter_id,reason,created_at\n${rows.join('\n')}\n`;
}

const notificationsShown = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { siftNotifications: { title: string; body: string }[] }).siftNotifications,
  );

/** No control cut off, overlapping or pushing the page sideways; the toolbar does not overflow; the alerts show. */
async function checkLayout(page: Page, size: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(size);
  const bench = new Workbench(page);
  await expect(bench.monitor.alertRows.first()).toBeInViewport();
  await page.screenshot({ path: `test-results/monitor-${size.width}x${size.height}.png` });
  const toolbar = await bench.monitor.toolbar.evaluate((element) => ({
    scroll: element.scrollWidth,
    client: element.clientWidth,
  }));
  expect(toolbar.scroll, 'the toolbar overflows sideways').toBeLessThanOrEqual(toolbar.client);
  expect(await layoutProblems(page)).toEqual([]);
}

test('a monitor alerts on the spam campaign, live: notified, investigated, acknowledged, resolved', async ({
  page,
  context,
}) => {
  test.setTimeout(180_000);
  await context.addInitScript(observeNotifications);
  const bench = new Workbench(page);
  const monitor = bench.monitor;
  await bench.open(sift.url);

  // A report pinned in the Reports view is drawn on the dashboard.
  await bench.openReport('Report resolution percentages by reason');
  await page.getByTestId('report-pin').click();
  await expect(page.getByTestId('report-pin')).toHaveText('Unpin from Monitor');
  await bench.openView('monitor');
  await expect(monitor.pinned.getByTestId('pinned-plot')).toHaveAttribute('data-rendered', 'true');

  // Notifications are asked for from a click, and granted.
  await context.grantPermissions(['notifications']);
  await monitor.enableNotifications.click();
  await expect(monitor.notificationsState).toHaveText('Notifications on');

  await monitor.add({ name: 'spam-wave', source: 'reports', by: 'reason', bucket: 'hour', every: '2s' });
  // Raised by the host's own check and pushed to the open view: no reload, no click.
  const alert = monitor.alert('spam', '2024-03-10 14:00');
  await expect(alert).toHaveCount(1, { timeout: 60_000 });
  await expect(alert.getByTestId('alert-status')).toHaveText('open');
  await expect(monitor.card('spam-wave')).toHaveAttribute('data-state', 'alerting');
  await expect(monitor.card('spam-wave').getByTestId('monitor-sparkline')).toBeVisible();
  // One notification for the check's alerts, naming the strongest: the campaign.
  await expect
    .poll(async () => (await notificationsShown(page)).map((n) => n.title))
    .toEqual([expect.stringMatching(/^Sift: spam-wave (is alerting|raised \d+ alerts)$/)]);
  expect((await notificationsShown(page))[0]!.body).toMatch(/^spam: \d+ in 2024-03-10 14:00 UTC/);

  // The playbook is Markdown: drawn as such, a tag in it stays text.
  await monitor.editPlaybook(
    '## Spam wave\n\n1. Open **investigate**\n2. Remove the cluster\n\n<img src=x onerror="window.pwned=1">',
  );
  await expect(monitor.playbook.locator('h4')).toHaveText('Spam wave');
  await expect(monitor.playbook.locator('ol li strong')).toHaveText('investigate');
  await expect(monitor.playbook.locator('img')).toHaveCount(0);
  await expect(monitor.playbook).toContainText('<img src=x');

  for (const size of [
    { width: 1440, height: 900 },
    { width: 1024, height: 700 },
  ])
    await checkLayout(page, size);
  await page.setViewportSize({ width: 1440, height: 900 });

  // Investigate: the spike drill of that series, at that window.
  await alert.getByTestId('alert-investigate').click();
  const drill = page.getByTestId('spike-drill');
  await expect(drill.locator('h3')).toContainText('spam, 2024-03-10 14:00');
  await expect(page.getByTestId('spike-cluster').first()).toBeInViewport({ timeout: 120_000 }); // a job
  await page.screenshot({ path: 'test-results/monitor-investigate-1440x900.png' });
  await bench.openView('monitor');

  // Acknowledged from the keyboard (the row focused, "a"), resolved by its button.
  await alert.focus();
  await page.keyboard.press('a');
  await expect(alert.getByTestId('alert-status')).toHaveText('acknowledged');
  await alert.getByTestId('alert-resolve').click();
  await expect(alert).toHaveCount(0);
  await page.getByLabel('resolved too').check();
  await expect(alert.getByTestId('alert-status')).toHaveText('resolved');
  await page.getByLabel('resolved too').uncheck();

  // A folder feed brings a second wave: the pinned chart is drawn again and the new alert arrives, live.
  const pinnedChart = page.locator('[data-testid^=pinned-][data-version]');
  await expect(pinnedChart).toHaveAttribute('data-version', '0');
  const landing = path.join(sift.workspace, 'landing'); // a folder this Sift may read
  fs.mkdirSync(landing);
  await callHost(page, 'watch.add', { dir: landing, table: 'reports', format: 'csv', settleMs: 200 });
  fs.writeFileSync(path.join(landing, 'reports-2024-03-15.csv'), secondWave(300));
  await expect(pinnedChart).toHaveAttribute('data-version', '1', { timeout: 60_000 });
  await expect(monitor.alert('spam', '2024-03-15 00:00')).toHaveCount(1, { timeout: 60_000 });
  await expect
    .poll(async () => (await notificationsShown(page)).map((n) => n.body))
    .toContainEqual(expect.stringMatching(/^spam: \d+ in 2024-03-15 00:00 UTC/));

  // A webhook nobody answers: the monitor's card says its deliveries fail, and the URL is shown by its host only.
  await monitor.add({
    name: 'spam-hook',
    source: 'reports',
    by: 'reason',
    bucket: 'hour',
    every: '2s',
    webhooks: ['http://127.0.0.1:9/hooks/secret-token'],
  });
  const hooked = monitor.card('spam-hook');
  await expect(hooked).toHaveAttribute('data-state', 'delivery failing', { timeout: 60_000 });
  await expect(hooked.getByTestId('monitor-webhooks')).toContainText('http://127.0.0.1:9/…');
  await expect(hooked).not.toContainText('secret-token');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/monitor-live-1440x900.png' });
  expect(await layoutProblems(page)).toEqual([]);
});
