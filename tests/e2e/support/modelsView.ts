/** The Models view's page components and actions (reached from Workbench.models). */
import { expect, type Locator, type Page } from '@playwright/test';

export class ModelsView {
  readonly list: Locator;
  /** Try a model on one text: the model, the text, the account and time its features are read as of. */
  readonly tryModel: Locator;
  readonly tryText: Locator;
  readonly tryUser: Locator;
  readonly tryAt: Locator;
  readonly tryFeatureSource: Locator;
  readonly tryScores: Locator;
  readonly tryDecision: Locator;
  readonly tryAccount: Locator;
  readonly tryError: Locator;
  /** Re-score a query's rows with a model. */
  readonly scoreModel: Locator;
  readonly scoreSql: Locator;
  readonly scoreNote: Locator;
  /** Compare two versions on the same items. */
  readonly compareA: Locator;
  readonly compareB: Locator;
  readonly compareTable: Locator;

  constructor(readonly page: Page) {
    this.list = page.getByTestId('model-list');
    this.tryModel = page.getByTestId('try-model');
    this.tryText = page.getByTestId('try-text');
    this.tryUser = page.getByTestId('try-user');
    this.tryAt = page.getByTestId('try-at');
    this.tryFeatureSource = page.getByTestId('try-feature-source');
    this.tryScores = page.getByTestId('try-scores');
    this.tryDecision = page.getByTestId('try-decision');
    this.tryAccount = page.getByTestId('try-account');
    this.tryError = page.getByTestId('try-box').locator('.error-box');
    this.scoreModel = page.getByTestId('score-model');
    this.scoreSql = page.getByTestId('score-sql');
    this.scoreNote = page.getByTestId('score-note');
    this.compareA = page.getByTestId('compare-a');
    this.compareB = page.getByTestId('compare-b');
    this.compareTable = page.getByTestId('compare-table');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('tab-models').click();
  }

  /**
   * Tries the chosen model, on a new text or the one in the box; `user` and `at` set the account and time its
   * features are read as of.
   */
  async tryOn(input: { text?: string; user?: string; at?: string }): Promise<void> {
    if (input.user !== undefined) await this.tryUser.fill(input.user);
    if (input.at !== undefined) await this.tryAt.fill(input.at);
    if (input.text !== undefined) await this.tryText.fill(input.text);
    await this.page.getByTestId('try-run').click();
  }

  /** Re-scores with the chosen model (and query, if given) and waits for the scores to be written: a job. */
  async score(options: { model?: string; sql?: string } = {}): Promise<void> {
    if (options.model !== undefined) await this.scoreModel.selectOption(options.model);
    if (options.sql !== undefined) await this.scoreSql.fill(options.sql);
    await this.page.getByTestId('score-run').click();
    await expect(this.scoreNote).toContainText('scores written', { timeout: 60_000 });
  }

  async compare(a: string, b: string): Promise<void> {
    await this.compareA.selectOption(a);
    await this.compareB.selectOption(b);
    await this.page.getByTestId('compare-run').click();
  }
}
