import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('labels a batch with the keyboard only, undoes twice, reloads and finds every label, retrains, and labels the re-ranked batch', async ({
  page,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('label');
  await bench.setAnnotator('ana');
  await bench.createSession({ name: 'Uncertain items', batch: 5 });
  const { labeling } = bench;
  await expect(labeling.strip()).toHaveCount(5);
  await expect(page.getByTestId('label-reason')).toContainText('uncertainty');
  await expect(page.getByTestId('label-context')).toContainText('account age at upload');

  // Item 1: spam (key 3), submitted with Enter.
  const first = await bench.currentItem();
  await bench.press('3');
  await expect(labeling.category('spam')).toHaveAttribute('data-selected', 'true');
  await bench.press('Enter');
  await expect(labeling.strip().nth(0)).toHaveClass(/st-labeled/);
  await expect(labeling.strip().nth(0)).toHaveClass(/sv-saved/);
  // Item 2: hate speech with a leaf by its letter; item 3: none of these; item 4: skipped.
  expect(await bench.currentItem()).not.toBe(first);
  await bench.press('t');
  await expect(page.getByTestId('leaf-targeted_harassment')).toHaveClass(/chosen/);
  await expect(labeling.category('hate_speech')).toHaveAttribute('data-selected', 'true');
  await bench.press('Enter', '0', 's');
  await expect(labeling.strip().nth(3)).toHaveClass(/st-skipped/);
  await expect(labeling.progress()).toContainText('1 skipped');

  // Undo twice: the skip of item 4, then "none of these" on item 3; item 3 is on screen again, open.
  const third = await labeling.strip().nth(2).getAttribute('title');
  await bench.press('Backspace');
  await expect(labeling.strip().nth(3)).toHaveClass(/st-open/);
  await bench.press('Backspace');
  await expect(labeling.strip().nth(2)).toHaveClass(/st-open/);
  await expect(labeling.strip().nth(2)).toHaveClass(/current/);
  expect(third).toContain(await bench.currentItem());

  // A reload resumes the session at item 3, with items 1 and 2 labeled as they were.
  await page.reload();
  await expect(labeling.screen()).toBeVisible();
  await expect(labeling.strip().nth(2)).toHaveClass(/current/);
  await expect(labeling.strip().nth(0)).toHaveClass(/st-labeled/);
  await expect(labeling.strip().nth(1)).toHaveClass(/st-labeled/);
  await expect(labeling.strip().nth(3)).toHaveClass(/st-open/);
  await bench.press('ArrowLeft');
  await expect(labeling.category('hate_speech')).toHaveAttribute('data-selected', 'true');
  await expect(page.getByTestId('leaf-targeted_harassment')).toHaveClass(/chosen/);
  await bench.press('ArrowRight');

  // Finish the batch: the next batch arrives, and the session counts four items done.
  const batchItems = await Promise.all([0, 1, 2, 3, 4].map((i) => labeling.strip().nth(i).getAttribute('title')));
  await bench.press('0', 'u', '0');
  await expect(labeling.progress()).toContainText('batch 0/5');
  await expect(labeling.progress()).toContainText('session 5 of 30,000 done');
  const nextFirst = await bench.currentItem();
  expect(batchItems.some((title) => title!.startsWith(`${nextFirst}:`))).toBe(false);
  // Retrain on the labels so far (Shift+R) while the new batch waits: the AP change on held-out labels is shown, the
  // session now ranks by the new version, and the untouched batch comes from the re-ranked pool.
  await bench.press('Shift+R');
  await expect(page.getByTestId('retrain-result')).toContainText('2026.11.1 → 2026.11.1-al1', { timeout: 60_000 });
  await expect(page.getByTestId('retrain-result')).toContainText('held-out labeled items');
  await expect(page.getByTestId('retrain-result').locator('.label-retrain-ap').first()).toContainText(
    /hate_speech \d\.\d{3} → \d\.\d{3}/,
  );
  await expect(page.getByTestId('labeling-screen')).toContainText('text-distil 2026.11.1-al1');
  await expect(labeling.progress()).toContainText('batch 0/5');
  await bench.press('0');
  await expect(labeling.strip().nth(0)).toHaveClass(/st-labeled/);
  // ? shows the shortcuts and the policy's guidelines; Esc closes them.
  await bench.press('?');
  await expect(page.getByTestId('label-help')).toContainText('Child sexual abuse material');
  await bench.press('Escape');
  await expect(page.getByTestId('label-help')).toBeHidden();
});

test('two annotators label the same items in browser mode with their own links; the lead sees agreement, adjudicates by keyboard, exports, one item is relabeled, exports again and sees the diff', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const lead = new Workbench(page);
  await lead.open(sift.url);
  await lead.openView('label');
  await lead.setAnnotator('lead');
  const links: Record<string, string> = {};
  for (const name of ['ana', 'bo']) {
    await page.getByTestId('annotator-link-name').fill(name);
    await page.getByTestId('annotator-link-make').click();
    await expect(page.getByTestId('annotator-links')).toContainText(`Link for ${name} (shown once)`);
    links[name] = (await page.getByTestId('annotator-link-url').textContent())!;
  }
  // The lead sets the session up for the team without taking a batch (which would hold its items).
  await page.getByTestId('session-overlap').fill('2');
  await page.getByTestId('session-name').fill('Paired review');
  await page.getByTestId('session-strategy').selectOption('random');
  await page.getByTestId('session-batch').fill('3');
  await page.getByTestId('session-start').uncheck();
  await page.getByTestId('session-create').click();
  await expect(page.getByRole('row', { name: /Paired review/ })).toBeVisible({ timeout: 60_000 });

  /** An annotator's own browser, opened with their link, on the session. */
  const annotatorBench = async (name: string) => {
    const context = await browser.newContext();
    const annotatorPage = await context.newPage();
    await annotatorPage.goto(links[name]!);
    await expect(annotatorPage.getByTestId('annotator-badge')).toHaveText(`labeling as ${name}`);
    const bench = new Workbench(annotatorPage);
    // The session list, or (after a reload) the session they were in, reopened by itself.
    const open = async () => {
      const button = annotatorPage
        .getByRole('row', { name: /Paired review/ })
        .getByRole('button', { name: 'Label', exact: true });
      await expect(button.or(bench.labeling.item())).toBeVisible();
      if (await button.isVisible()) await button.click();
      await expect(bench.labeling.item()).toBeVisible();
    };
    await open();
    return { context, page: annotatorPage, bench, open };
  };

  // Ana: spam, spam, none of these.
  const ana = await annotatorBench('ana');
  const items: string[] = [];
  for (const keys of [['3', 'Enter'], ['3', 'Enter'], ['0']]) {
    items.push(await ana.bench.currentItem());
    await ana.bench.press(...keys);
  }
  await expect(ana.bench.labeling.progress()).toContainText('batch 0/3');
  // Bo gets the same three items (two annotators per item) and disagrees on the first.
  const bo = await annotatorBench('bo');
  for (let i = 0; i < 3; i++) {
    const item = await bo.bench.currentItem();
    expect(items).toContain(item);
    await bo.bench.press(...(item === items[1] ? ['3', 'Enter'] : ['0']));
  }
  await expect(bo.bench.labeling.progress()).toContainText('batch 0/3');
  await bo.context.close();

  // The lead: agreement between Ana and Bo (the lead's decisions are not ratings), then the one disagreement.
  const review = async () => {
    await page.reload();
    await lead.openView('label');
    await page
      .getByRole('row', { name: /Paired review/ })
      .getByRole('button', { name: 'Review' })
      .click();
  };
  await review();
  await expect(page.getByTestId('agreement-table').locator('tr.level-category', { hasText: 'spam' })).toContainText(
    'ana–bo',
  );
  await expect(
    page.getByTestId('agreement-table').locator('tr.level-category', { hasText: 'spam' }).locator('td').nth(2),
  ).toHaveText('2');
  const queue = page.getByTestId('adjudication-item');
  await expect(queue).toContainText('1 of 1');
  await expect(queue).toContainText('ana: yes');
  await expect(queue).toContainText('bo: no');
  await queue.focus();
  await expect(page.getByTestId('decision-spam')).toHaveText('yes'); // a tie starts at yes, to be looked at
  await lead.press('1');
  await expect(page.getByTestId('decision-spam')).toHaveText('no');
  await lead.press('1', 'Enter');
  await expect(page.getByTestId('adjudication')).toContainText('Nothing to adjudicate');
  await page.screenshot({ path: 'test-results/session-review.png', fullPage: true });
  await page.getByTestId('dataset-name').fill('paired');
  await page.getByTestId('dataset-export').click();
  await expect(page.getByTestId('dataset-v1')).toContainText('paired v1');

  // Ana changes her mind on the third item: Backspace takes back her last decision ("none of these") and returns to it.
  // (Her window is still open on her next batch.)
  await expect(ana.bench.labeling.strip()).toHaveCount(3);
  await ana.bench.press('Backspace');
  await expect.poll(async () => ana.bench.currentItem()).toBe(items[2]);
  await ana.bench.press('3', 'Enter');
  await expect.poll(async () => ana.bench.currentItem()).not.toBe(items[2]); // on to her next batch
  // Closing her window before the host has the label on disk would lose it (it was never acknowledged): wait for "saved".
  await expect(ana.page.locator('[data-testid=label-strip] li.sv-saving')).toHaveCount(0, { timeout: 60_000 });
  await ana.context.close();

  // Now Ana and Bo disagree on it: the lead decides it is spam, exports again, and sees what changed.
  await review();
  await expect(page.getByTestId('adjudication-item')).toContainText(items[2]!);
  await page.getByTestId('adjudication-item').focus();
  await expect(page.getByTestId('decision-spam')).toHaveText('yes');
  await lead.press('Enter');
  await expect(page.getByTestId('adjudication')).toContainText('Nothing to adjudicate');
  await page.getByTestId('dataset-name').fill('paired');
  await expect(page.getByTestId('dataset-v1')).toContainText('paired v1');
  await page.getByTestId('dataset-export').click();
  await expect(page.getByTestId('dataset-v2')).toContainText('paired v2');
  await expect(page.getByTestId('dataset-diff')).toContainText('1 relabeled');
  await expect(page.getByTestId('dataset-diff')).toContainText('spam: 1 relabeled (1 to 1, 0 to 0)');
  await page.screenshot({ path: 'test-results/dataset-diff.png', fullPage: true });
});

test('browser mode on a LAN: the lead makes a link per annotator; each opens only labeling and labels as themselves', async ({
  page,
  browser,
}) => {
  const bench = new Workbench(page);
  await bench.open(sift.url);
  await bench.openView('label');
  await bench.setAnnotator('lead');
  await page.getByTestId('annotator-link-name').fill('noor');
  await page.getByTestId('annotator-link-make').click();
  const url = (await page.getByTestId('annotator-link-url').textContent())!;
  expect(url).toMatch(/\/\?token=[\w-]{20,}$/);
  await page.getByTestId('session-overlap').fill('2');
  await bench.createSession({ name: 'LAN session', batch: 2, strategy: 'random' });
  await page.getByTestId('label-back').click();

  // Noor's browser: her own context, her link.
  const noorContext = await browser.newContext();
  const noor = await noorContext.newPage();
  await noor.goto(url);
  await expect(noor.getByTestId('annotator-badge')).toHaveText('labeling as noor');
  await expect(noor.getByTestId('tab-explore')).toHaveCount(0); // nothing but labeling
  await expect(noor.getByTestId('import-button')).toHaveCount(0);
  await noor
    .getByRole('row', { name: /LAN session/ })
    .getByRole('button', { name: 'Label', exact: true })
    .click();
  await expect(noor.getByTestId('labeling-screen')).toBeVisible();
  await expect(noor.getByTestId('label-item')).toBeVisible();
  await noor.keyboard.press('3');
  await noor.keyboard.press('Enter');
  await expect(noor.getByTestId('label-strip').locator('li').nth(0)).toHaveClass(/sv-saved/);
  await noor.screenshot({ path: 'test-results/annotator-link.png' });
  // A reload keeps her who she is and where she was.
  await noor.reload();
  await expect(noor.getByTestId('annotator-badge')).toHaveText('labeling as noor');
  await expect(noor.getByTestId('label-item')).toBeVisible();
  await noorContext.close();

  // The lead sees Noor's label in the agreement report.
  await page
    .getByRole('row', { name: /LAN session/ })
    .getByRole('button', { name: 'Review' })
    .click();
  await expect(page.getByTestId('agreement-table')).toContainText('spam');
  await expect(
    page.getByTestId('agreement-table').locator('tr.level-category', { hasText: 'spam' }).locator('td').nth(2),
  ).toHaveText('1');
});
