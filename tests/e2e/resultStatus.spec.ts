/**
 * A result's status line settles to its final row count. The host answers once the first page is stored and
 * says "stored" when the rest is; for a short result that event often beats the answer. These tests hold the
 * answer back until the page has received the "stored" event, so the race goes the losing way every time,
 * and also let a long result finish after its answer, in Explore and in Reports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

declare global {
  interface Window {
    /** Host events the page has handled, in order (recorded by the init script below). */
    handledHostEvents?: { channel: string; event: { resultId?: string; complete?: boolean } }[];
  }
}

/** Records each host event after the page's own handler has run. */
async function recordHostEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.EventSource;
    window.handledHostEvents = [];
    window.EventSource = class extends Native {
      override set onmessage(handler: ((this: EventSource, message: MessageEvent) => unknown) | null) {
        super.onmessage = handler
          ? function (this: EventSource, message: MessageEvent) {
              handler.call(this, message);
              window.handledHostEvents!.push(JSON.parse(message.data as string) as never);
            }
          : null;
      }
      override get onmessage() {
        return super.onmessage;
      }
    };
  });
}

/** Holds each answer of `method` that names a result until the page has handled that result's "stored" event. */
async function deliverAnswersAfterStored(page: Page, method: 'query.run' | 'reports.run'): Promise<{ held: number }> {
  const counter = { held: 0 };
  await page.route(`**/api/${method}`, async (route) => {
    const response = await route.fetch();
    const answer = (await response.json()) as { ok: boolean; value?: { resultId: string | null; complete: boolean } };
    if (answer.ok && answer.value?.resultId && !answer.value.complete) {
      counter.held++;
      await page.waitForFunction(
        (resultId) =>
          window.handledHostEvents!.some(
            (event) => event.channel === 'query' && event.event.resultId === resultId && event.event.complete,
          ),
        answer.value.resultId,
        { timeout: 60_000 },
      );
    }
    await route.fulfill({ response });
  });
  return counter;
}

test('Explore: a result stored wholly before its answer arrives says its final count', async ({ page }) => {
  await recordHostEvents(page);
  const held = await deliverAnswersAfterStored(page, 'query.run');
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.runQuery('SELECT range AS n FROM range(1000)');
  await expect(page.getByTestId('grid-rowcount')).toHaveText('1,000 rows');
  await expect(bench.status).toContainText('1,000 row(s).');
  await expect(bench.status).not.toContainText('so far');
  expect(held.held).toBe(1); // the answer was incomplete and came second: the case under test happened
});

test('Explore: a long result stored after its answer says its final count', async ({ page }) => {
  test.slow();
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.runQuery('SELECT range AS n FROM range(2000000)');
  await expect(bench.status).toContainText('row(s)');
  await expect(bench.status).toContainText('2,000,000 row(s).', { timeout: 120_000 });
  await expect(bench.status).not.toContainText('so far');
});

test('Reports: a result stored wholly before its answer arrives says its final count', async ({ page }) => {
  test.slow();
  await recordHostEvents(page);
  const held = await deliverAnswersAfterStored(page, 'reports.run');
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('reports');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sift-status-')), 'many-rows.dcquery.json');
  const sql = '-- [params]\n-- int :rows = 5000\nSELECT range AS n FROM range(:rows)';
  fs.writeFileSync(file, JSON.stringify({ query: { id: 1, name: 'Many rows', description: '', sql } }));
  await page.getByTestId('report-file-input').setInputFiles(file);
  await bench.openReport('Many rows');
  await page.getByTestId('run-report').click();
  await expect(page.getByTestId('grid-rowcount')).toHaveText('5,000 rows');
  await expect(page.getByTestId('report-status')).toContainText('5,000 row(s).');
  await expect(page.getByTestId('report-status')).not.toContainText('so far');
  expect(held.held).toBe(1);
  // And one that finishes storing after its answer.
  await page.unroute('**/api/reports.run');
  await bench.setParameter('rows', '2000000');
  await page.getByTestId('run-report').click();
  await expect(page.getByTestId('report-status')).toContainText('2,000,000 row(s).', { timeout: 120_000 });
});
