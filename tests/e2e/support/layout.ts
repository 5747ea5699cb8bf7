/**
 * Layout checks by bounding boxes, run in the page as it is drawn: two visible controls (or a control and a notice)
 * that intersect, a control cut off by the window or by a container that does not scroll, a page that scrolls
 * sideways, a button whose text wraps, a chart toolbar over its axes, and a chart annotation over the data.
 */
import type { Page } from '@playwright/test';

/** What a user can act on, plus the notices that must never sit over it. */
export const INTERACTIVE =
  'button, input:not([type=hidden]), select, textarea, a[href], [role=button], [role=tab], [role=link], [role=checkbox], [role=status], [role=alert], [data-testid=job], [data-testid=status-bar]';

/** Every layout problem on the page as it is now, in words naming the elements (empty when there is none). */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate((selector) => {
    interface Box {
      left: number;
      top: number;
      right: number;
      bottom: number;
    }
    const problems: string[] = [];
    const describe = (element: Element) => {
      const testId = element.getAttribute('data-testid');
      const text = (
        element.getAttribute('aria-label') ??
        element.textContent ??
        (element as HTMLInputElement).value ??
        ''
      )
        .trim()
        .replace(/\s+/g, ' ');
      return `${element.tagName.toLowerCase()}${testId ? `[data-testid=${testId}]` : ''}${text ? ` "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"` : ''}`;
    };
    const intersect = (a: Box, b: Box): Box => ({
      left: Math.max(a.left, b.left),
      top: Math.max(a.top, b.top),
      right: Math.min(a.right, b.right),
      bottom: Math.min(a.bottom, b.bottom),
    });
    const empty = (box: Box) => box.right - box.left < 1 || box.bottom - box.top < 1;
    const viewport: Box = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
    const round = (box: Box) =>
      `${Math.round(box.left)},${Math.round(box.top)}–${Math.round(box.right)},${Math.round(box.bottom)}`;

    if (document.documentElement.scrollWidth > document.documentElement.clientWidth) {
      problems.push(
        `the page scrolls sideways: ${document.documentElement.scrollWidth} px wide in a ${document.documentElement.clientWidth} px window`,
      );
    }

    const shown: { element: Element; visible: Box }[] = [];
    for (const element of document.querySelectorAll(selector)) {
      if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      let opacity = 1;
      for (let node: Element | null = element; node; node = node.parentElement)
        opacity *= Number(getComputedStyle(node).opacity);
      if (opacity < 0.1) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width < 1 || rect.height < 1) continue;
      // The part on screen: inside every ancestor that clips what overflows it, and inside the window.
      let visible: Box = intersect(rect, viewport);
      let scrolls = false;
      let cutBy: Element | null = null;
      for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const clip = node.getBoundingClientRect();
        const scrollable = /auto|scroll/.test(style.overflowX + style.overflowY);
        if (scrollable) scrolls = true;
        else if (
          !cutBy &&
          (rect.left < clip.left - 1 ||
            rect.right > clip.right + 1 ||
            rect.top < clip.top - 1 ||
            rect.bottom > clip.bottom + 1)
        )
          cutBy = node;
        visible = intersect(visible, clip);
      }
      if (empty(visible)) continue; // scrolled out of sight
      const outside =
        rect.left < -1 || rect.top < -1 || rect.right > viewport.right + 1 || rect.bottom > viewport.bottom + 1;
      if (outside && !scrolls)
        problems.push(
          `${describe(element)} is cut off by the window (${round(rect)} in ${viewport.right}×${viewport.bottom})`,
        );
      if (cutBy)
        problems.push(`${describe(element)} is cut off by ${describe(cutBy).slice(0, 60)}, which does not scroll`);
      shown.push({ element, visible });
    }

    for (let i = 0; i < shown.length; i++) {
      for (let j = i + 1; j < shown.length; j++) {
        const a = shown[i]!;
        const b = shown[j]!;
        if (a.element.contains(b.element) || b.element.contains(a.element)) continue;
        const overlap = intersect(a.visible, b.visible);
        if (overlap.right - overlap.left > 1 && overlap.bottom - overlap.top > 1)
          problems.push(`${describe(a.element)} and ${describe(b.element)} overlap at ${round(overlap)}`);
      }
    }

    // A button's label on one line: the same button told not to wrap is no shorter.
    for (const { element } of shown) {
      if (
        !element.matches('button, [role=button], input[type=button], input[type=submit]') ||
        !(element as HTMLElement).innerText?.trim()
      )
        continue;
      const button = element as HTMLElement;
      const height = button.getBoundingClientRect().height;
      const before = button.style.whiteSpace;
      button.style.whiteSpace = 'nowrap';
      const oneLine = button.getBoundingClientRect().height;
      button.style.whiteSpace = before;
      if (height > oneLine + 2)
        problems.push(
          `${describe(button)} wraps its text (${Math.round(height)} px tall, ${Math.round(oneLine)} px on one line)`,
        );
    }
    return problems;
  }, INTERACTIVE);
}

/**
 * Each drawn chart's toolbar (shown while the pointer is over the chart) must stay off its plotting area, tick
 * labels and annotations, and no annotation may sit on a drawn data point.
 */
export async function chartProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const charts = page.locator('.js-plotly-plot');
  for (let i = 0; i < (await charts.count()); i++) {
    const chart = charts.nth(i);
    if (!(await chart.isVisible())) continue;
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) continue;
    // Over the chart's left margin: the toolbar shows, and no hover label is drawn over the data.
    await page.mouse.move(box.x + 4, box.y + box.height / 2);
    await chart
      .locator('.modebar')
      .waitFor({ state: 'attached' })
      .catch(() => undefined);
    problems.push(
      ...(await chart.evaluate((root) => {
        const found: string[] = [];
        const name = root.getAttribute('data-testid') ?? 'a chart';
        const overlaps = (a: DOMRect, b: DOMRect) =>
          Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
          Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
        const boxes = (selector: string) =>
          [...root.querySelectorAll(selector)]
            .map((element) => ({ element, rect: element.getBoundingClientRect() }))
            .filter(({ rect }) => rect.width > 0 && rect.height > 0);
        const plotAreas = boxes('.draglayer .nsewdrag');
        const ticks = boxes('.xtick text, .ytick text, [class*="tick"] > text');
        const annotations = boxes('.annotation');
        const points = boxes('.scatterlayer .point');
        for (const { element, rect } of boxes('.modebar-group')) {
          if (Number(getComputedStyle(element.closest('.modebar') ?? element).opacity) < 0.1) continue;
          if (plotAreas.some((area) => overlaps(rect, area.rect)))
            found.push(`${name}: its toolbar covers the plotting area`);
          if (ticks.some((tick) => overlaps(rect, tick.rect)))
            found.push(`${name}: its toolbar covers an axis tick label`);
          if (annotations.some((annotation) => overlaps(rect, annotation.rect)))
            found.push(`${name}: its toolbar covers an annotation`);
        }
        for (const { element, rect } of annotations) {
          if (points.some((point) => overlaps(rect, point.rect)))
            found.push(`${name}: the annotation "${element.textContent}" covers a data point`);
        }
        return [...new Set(found)];
      })),
    );
  }
  await page.mouse.move(0, 0);
  return problems;
}
