/**
 * One keymap (shared/keymap.ts) that an annotator rebinds in the labeling screen's help, by keyboard: the new key
 * labels, the button's hint and the help show it, a conflicting key is refused by name, and a reload keeps it.
 * Screenshots of the screen and the rebinding at a large and a small window land in test-results/keymap-*.png.
 */
import { expect, type Page, test } from '@playwright/test';
import { INTERACTIVE, layoutProblems } from './support/layout';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';
import { SCROLLBARS_SHOWN } from './support/chromium';

// Real scrollbars, as a user's Chromium draws them (as layout.spec.ts does).
test.use(SCROLLBARS_SHOWN);

let sift: SiftServer;

/** layout.spec.ts's checks on the help's own controls: the screen's, under the overlay, are set out of sight first. */
async function helpLayoutProblems(page: Page): Promise<string[]> {
  await page.evaluate((selector) => {
    for (const element of document.querySelectorAll<HTMLElement>(selector))
      if (!element.closest('[data-testid=label-help]')) element.style.visibility = 'hidden';
  }, INTERACTIVE);
  const problems = await layoutProblems(page);
  await page.evaluate(() => {
    for (const element of document.querySelectorAll<HTMLElement>('[style*=visibility]')) element.style.visibility = '';
  });
  return problems;
}

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('an annotator rebinds Submit by keyboard, labels with the new key, sees it on the button and in the help, is refused a taken key by name, and keeps the keys after a reload', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const bench = new Workbench(page);
  const { labeling } = bench;
  await bench.open(sift.url);
  await bench.openView('label');
  await bench.setAnnotator('ana');
  await bench.createSession({ name: 'My keys', batch: 5 });
  await expect(page.getByTestId('label-submit').locator('kbd')).toHaveText('Enter');
  await page.screenshot({ path: 'test-results/keymap-labeling-1440x900.png' });

  // Keyboard only: ? opens the help, Tab reaches Submit's Change, Enter starts it, the next key is the new one.
  await bench.press('?');
  await expect(labeling.help()).toBeVisible();
  await bench.press('Tab');
  await expect(labeling.rebind('submit')).toBeFocused();
  await bench.press('Enter');
  await expect(labeling.keymapRow('submit')).toContainText('press a key');
  await page.screenshot({ path: 'test-results/keymap-capturing-1440x900.png' });
  await bench.press('j');
  await expect(labeling.keymapNotice()).toHaveText('Submit: j');
  await expect(labeling.keymapRow('submit').locator('kbd')).toHaveText(['j']);

  // A key another action holds is refused by name, and nothing changes.
  await labeling.rebind('unsure').click();
  await bench.press('s');
  await expect(labeling.keymapNotice()).toHaveText("s is already bound to 'Skip'; unbind it first or pick another key");
  await expect(labeling.keymapNotice()).toHaveAttribute('role', 'alert');
  await expect(labeling.keymapRow('unsure').locator('kbd')).toHaveText(['u']);
  await page.screenshot({ path: 'test-results/keymap-refused-1440x900.png' });
  expect(await helpLayoutProblems(page)).toEqual([]);
  // So is a key the browser keeps (Tab moves the focus).
  await labeling.rebind('unsure').click();
  await bench.press('Tab');
  await expect(labeling.keymapNotice()).toHaveText('Tab is reserved: Tab moves the keyboard focus');
  await bench.press('Escape');
  await expect(labeling.help()).toBeHidden();

  // The hint on the button says j; Enter no longer submits, j does.
  await expect(page.getByTestId('label-submit').locator('kbd')).toHaveText('j');
  await bench.press('3', 'Enter');
  await expect(labeling.category('spam')).toHaveAttribute('data-selected', 'true');
  await expect(labeling.strip().nth(0)).toHaveClass(/st-open/);
  await bench.press('j');
  await expect(labeling.strip().nth(0)).toHaveClass(/st-labeled/);
  await expect(labeling.strip().nth(0)).toHaveClass(/sv-saved/);

  // The keys are the annotator's, kept by the host: a reload keeps them.
  await page.reload();
  await expect(labeling.item()).toBeVisible();
  await expect(page.getByTestId('label-submit').locator('kbd')).toHaveText('j');
  await bench.press('?');
  await expect(labeling.keymapRow('submit').locator('kbd')).toHaveText(['j']);
  // Default gives Submit Enter back.
  await labeling
    .keymapRow('submit')
    .getByRole('button', { name: /default key/ })
    .click();
  await expect(labeling.keymapNotice()).toHaveText('Submit: Enter (the default)');
  await expect(labeling.keymapRow('submit').locator('kbd')).toHaveText(['Enter']);

  // The screen and the rebinding at a small window.
  await page.setViewportSize({ width: 1024, height: 700 });
  await labeling.rebind('skip').click();
  await page.screenshot({ path: 'test-results/keymap-capturing-1024x700.png' });
  expect(await helpLayoutProblems(page)).toEqual([]);
  await bench.press('Escape');
  await expect(labeling.keymapRow('skip')).not.toContainText('press a key');
  await bench.press('Escape');
  await expect(labeling.help()).toBeHidden();
  await page.screenshot({ path: 'test-results/keymap-labeling-1024x700.png' });
});
