import { expect, test } from '@playwright/test';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

test.beforeAll(async () => {
  sift = await startSift();
});
test.afterAll(async () => sift?.stop());

test('labels a batch with the keyboard only, undoes twice, reloads and finds every label, retrains, and labels the re-ranked batch', async ({ page }) => {
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
  await expect(page.getByTestId('retrain-result').locator('.label-retrain-ap').first()).toContainText(/hate_speech \d\.\d{3} → \d\.\d{3}/);
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
