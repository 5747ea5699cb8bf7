/**
 * The drill-down opens in view: the marked windows sit right under the timeline, a picked window's findings are
 * scrolled into view at once, and nothing on the way is a scroll pane of its own — at 1440×900 and at 1024×700.
 */
import { expect, type Locator, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;
test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

/** The elements between `locator` and the page that scroll content of their own (more than they show). */
async function scrollPanes(locator: Locator): Promise<string[]> {
  return locator.evaluate((element) => {
    const panes: string[] = [];
    for (let node = element as HTMLElement | null; node && node !== document.body; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowY;
      if ((overflow === 'auto' || overflow === 'scroll') && node.scrollHeight > node.clientHeight + 1)
        panes.push(node.dataset.testid ?? node.className);
    }
    return panes;
  });
}

for (const size of [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
]) {
  test(`at ${size.width}×${size.height} the drill-down opens in view, in the view's own scroll, not in a pane below the fold`, async ({
    page,
  }) => {
    test.slow();
    await page.setViewportSize(size);
    const bench = new Workbench(page);
    await bench.open(sift.url);
    await bench.openView('spikes');
    await expect(page.getByTestId('spike-timeline')).toHaveAttribute('data-rendered', 'true');
    // The marked windows come right under the timeline, on the first screen.
    const first = page.getByTestId('spike-windows').locator('tbody tr').first();
    await expect(first).toBeInViewport();
    await expect(first).toContainText('spam');
    // Picked as a person does, without anything scrolling it first.
    await first.dispatchEvent('click');
    const drill = page.getByTestId('spike-drill');
    const heading = drill.locator('h3');
    await expect(heading).toContainText('spam, 2024-03-10 14:00');
    await expect(heading).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('spike-cluster').first()).toBeInViewport({ timeout: 120_000 }); // a job: slow on a loaded machine
    await page.screenshot({ path: `test-results/spike-drill-${size.width}.png` });
    // The view scrolls as one page: the drill-down and the windows list are in no scroll pane of their own.
    expect(await scrollPanes(drill)).toEqual(['spike-view']);
    expect(await scrollPanes(page.getByTestId('spike-windows'))).toEqual(['spike-view']);
  });
}
