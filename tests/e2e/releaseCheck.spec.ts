import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { layoutProblems } from './support/layout';
import { type SiftServer, startSift } from './support/server';
import { Workbench } from './support/workbench';

let sift: SiftServer;

// The sample scores its items with one version at a time, so the candidate is made here: 2024.02.1's scores on the
// same items, except spam's, halved — spam's recall at its threshold falls, every other category is unchanged.
const CANDIDATE = '2024.04.0';
const BASELINE = '2024.02.1';

test.beforeAll(async () => {
  sift = await startSift({
    setupSql: [
      `insert into model_scores select content_id, model, '${CANDIDATE}', category,
         case when category = 'spam' then score / 2 else score end, scored_at
       from model_scores where model = 'text-distil' and model_version = '${BASELINE}'`,
    ],
  });
});
test.afterAll(async () => sift?.stop());

/**
 * Recall may drop at most 2 points in any category; a category with too few positives to judge is not held against it.
 * Obfuscation may cost 10 points: the candidate was scored here by SQL, with no runtime to re-score ("not applicable").
 */
const GATES = `{
  "categories": {
    "*": {
      "max_recall_drop": { "max": 0.02, "min_n": 10, "optional": true },
      "robustness": { "max_recall_drop": { "*": 0.1 } }
    }
  }
}
`;

test('a release check: the gate file edited by keyboard, a candidate blocked by one gate, and its report page', async ({
  page,
}) => {
  const bench = new Workbench(page);
  const check = bench.releaseCheck;
  await bench.open(sift.url);
  await check.open();

  // No gate file yet: the editor offers an example. A bad value is named by its field, and cannot be saved.
  await expect(check.gateNote).toContainText('No gate file yet');
  await check.typeGateFile('{ "categories": { "spam": { "max_recall_drop": 2 } } }');
  await expect(check.gateProblem).toHaveText(
    'policy/gates.json: categories.spam.max_recall_drop.max: must be between 0 and 1',
  );
  await expect(check.gateSave).toBeDisabled();
  await check.typeGateFile('{ "categories": ');
  await expect(check.gateProblem).toContainText('policy/gates.json: not valid JSON');

  // The real file, saved with Ctrl+S: on disk as typed.
  await check.typeGateFile(GATES);
  await expect(check.gateProblem).toContainText('Valid; not saved yet');
  await check.saveGateFileByKeyboard();
  await expect(check.gateNote).toHaveText('Saved policy/gates.json.');
  expect(fs.readFileSync(path.join(sift.workspace, 'policy', 'gates.json'), 'utf8')).toBe(GATES);

  // Candidate and baseline, then the run, from the keyboard.
  await check.candidate.selectOption(CANDIDATE);
  await check.baseline.selectOption(BASELINE);
  await check.run.focus();
  await page.keyboard.press('Enter');
  await expect(check.verdict).toHaveAttribute('data-passed', 'false', { timeout: 60_000 });
  await expect(check.verdict).toContainText(`text-distil ${CANDIDATE} is blocked: 1 of`);
  await expect(check.rows('failed')).toHaveCount(1);
  await expect(check.rows('failed')).toContainText('spam');
  await expect(check.rows('failed')).toContainText('max_recall_drop');
  await expect(check.rows('failed')).toContainText('drop ≤ 0.020');
  // The unchanged categories pass: a drop of exactly 0.
  for (const category of ['hate_speech', 'nsfw', 'misinformation'])
    await expect(check.rows('passed').filter({ hasText: category })).toHaveCount(1);
  // The robustness run's figures under the verdicts: none here, and why.
  await expect(page.getByTestId('release-robustness')).toContainText('No robustness figures:');
  await expect(check.rows('not applicable').filter({ hasText: 'robustness' })).not.toHaveCount(0);

  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `test-results/release-check-${width}.png` });
    expect(await layoutProblems(page)).toEqual([]);
  }

  // The same verdicts as one page, saved: it loads nothing, and its charts are drawn inline.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), check.saveReport.click()]);
  const saved = path.join(test.info().outputDir, 'release-report.html');
  await download.saveAs(saved);
  const html = fs.readFileSync(saved, 'utf8');
  expect(html).toContain('Blocked: at least one gate did not pass.');
  expect(html).not.toMatch(/https?:/);
  const report = await page.context().newPage();
  const requests: string[] = [];
  report.on('request', (request) => requests.push(request.url()));
  await report.goto(`file://${saved}`);
  await expect(report.locator('section#category-spam svg polyline')).toHaveCount(2);
  await report.setViewportSize({ width: 1024, height: 700 });
  await report.screenshot({ path: 'test-results/release-report-1024.png', fullPage: true });
  expect(requests).toEqual([`file://${saved}`]);
});
