/**
 * The results grid with real scrollbars: headless Chromium hides them unless `--hide-scrollbars` is dropped from
 * its default arguments, and a vertical scrollbar that covers the right-aligned last column turns 195 into "19".
 * Each check reads what is on screen: the cell's text lies inside the cell, the cell inside every clipping
 * ancestor's visible box (which excludes its scrollbars), and the pixel under the last digit belongs to the cell.
 */
import { expect, type Page, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';
import { SCROLLBARS_SHOWN } from './support/chromium';

test.use(SCROLLBARS_SHOWN);

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

interface CellReading {
  row: number;
  text: string;
  /** Why the cell's value is not wholly visible, or null when it is. */
  hidden: string | null;
}

/** The rendered text of each visible row's last cell, and whether any part of it is covered or clipped. */
async function readLastColumn(page: Page): Promise<CellReading[]> {
  return page.getByTestId('results-grid').evaluate((grid) => {
    const readings: { row: number; text: string; hidden: string | null }[] = [];
    const rows = [...grid.querySelectorAll<HTMLElement>('.grid-row')];
    for (const row of rows) {
      const cells = row.querySelectorAll<HTMLElement>('.grid-cell');
      const cell = cells[cells.length - 1]!;
      const cellBox = cell.getBoundingClientRect();
      let hidden: string | null = null;
      // Only rows wholly inside every scroller count: a row half under the header or the bottom edge is not "shown".
      let shown = true;
      const text = document.createRange();
      text.selectNodeContents(cell);
      const textBox = text.getBoundingClientRect();
      for (let box: HTMLElement | null = cell.parentElement; box && box !== document.body; box = box.parentElement) {
        const style = getComputedStyle(box);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const outer = box.getBoundingClientRect();
        // clientWidth/clientHeight exclude the scrollbars: what lies beyond them is covered.
        const left = outer.left + box.clientLeft;
        const top = outer.top + box.clientTop;
        const right = left + box.clientWidth;
        const bottom = top + box.clientHeight;
        const header = box.querySelector<HTMLElement>('.grid-header');
        const headerBottom =
          header && box.contains(header) ? Math.max(top, header.getBoundingClientRect().bottom) : top;
        if (cellBox.top < headerBottom || cellBox.bottom > bottom) shown = false;
        if (cellBox.right > right + 0.5)
          hidden = `cell's right edge ${cellBox.right} is past the visible edge ${right} of .${box.className.split(' ')[0]}`;
        if (cellBox.left < left - 0.5)
          hidden = `cell's left edge ${cellBox.left} is before .${box.className.split(' ')[0]}`;
      }
      if (!shown) continue;
      if (textBox.right > cellBox.right + 0.5)
        hidden ??= `text runs past the cell (${textBox.right} > ${cellBox.right})`;
      // The pixel in the middle of the last character must be the cell's, not a scrollbar's or an overlay's.
      const hit = document.elementFromPoint(textBox.right - 3, (textBox.top + textBox.bottom) / 2);
      if (hit !== cell && !cell.contains(hit))
        hidden ??= `the last digit is under ${hit ? `<${hit.tagName.toLowerCase()} class="${hit.className}">` : 'nothing'}`;
      readings.push({ row: Number(row.dataset.row), text: cell.innerText, hidden });
    }
    return readings;
  });
}

async function expectLastColumnReadable(page: Page, values: (row: number) => string): Promise<void> {
  const readings = await readLastColumn(page);
  expect(readings.length).toBeGreaterThan(5);
  for (const reading of readings) {
    expect(reading.hidden, `row ${reading.row + 1} reading "${reading.text}"`).toBeNull();
    expect(reading.text, `row ${reading.row + 1}`).toBe(values(reading.row));
  }
}

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
]) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('SELECT * FROM range(1000) reads whole, at the top and at the end', async ({ page }) => {
      const bench = new Workbench(page);
      await bench.open(sift.url);
      await bench.runQuery('SELECT * FROM range(1000)');
      await expect(page.getByTestId('grid-rowcount')).toHaveText('1,000 rows');
      await expect(bench.cell(0, 0)).toHaveText('0');
      await expectLastColumnReadable(page, (row) => String(row));
      await bench.scrollGridToEnd();
      await expect(bench.cell(999, 0)).toHaveText('999');
      await expectLastColumnReadable(page, (row) => String(row));
      await page.screenshot({ path: `test-results/grid-range-${viewport.width}x${viewport.height}.png` });
    });

    test('a last column of three-digit numbers reads whole', async ({ page }) => {
      const bench = new Workbench(page);
      await bench.open(sift.url);
      await bench.runQuery("SELECT 'item ' || range AS label, 195 + range * 37 % 800 AS n FROM range(600)");
      await expect(page.getByTestId('grid-rowcount')).toHaveText('600 rows');
      // The cell's own text is the value, digit for digit.
      await expect(bench.cell(0, 1)).toHaveText('195');
      await expectLastColumnReadable(page, (row) => String(195 + ((row * 37) % 800)));
      await page.screenshot({ path: `test-results/grid-numbers-${viewport.width}x${viewport.height}.png` });
    });

    test('a wide result scrolled to its right end keeps its last column clear of the scrollbar', async ({ page }) => {
      const bench = new Workbench(page);
      await bench.open(sift.url);
      const columns = Array.from({ length: 24 }, (_, i) => `'a fairly long text value ${i}' AS text_column_${i}`).join(
        ', ',
      );
      await bench.runQuery(`SELECT ${columns}, 195 AS n FROM range(300)`);
      await expect(page.getByTestId('grid-rowcount')).toHaveText('300 rows');
      // Scroll the grid's outermost horizontal scroller to its right end, as a user drags the bottom scrollbar.
      await bench.grid.evaluate((grid) => {
        const scroller = [grid, ...grid.querySelectorAll<HTMLElement>('*')].find(
          (element) => element.scrollWidth > element.clientWidth && getComputedStyle(element).overflowX !== 'hidden',
        );
        if (scroller) scroller.scrollLeft = scroller.scrollWidth;
      });
      await expect(bench.cell(0, 24)).toHaveText('195');
      await expectLastColumnReadable(page, () => '195');
      await page.screenshot({ path: `test-results/grid-wide-${viewport.width}x${viewport.height}.png` });
    });
  });
}
