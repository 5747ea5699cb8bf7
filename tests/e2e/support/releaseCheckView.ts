/** The Evaluate view's Release check: its page components and actions (reached from Workbench.releaseCheck). */
import { expect, type Locator, type Page } from '@playwright/test';

export class ReleaseCheckView {
  readonly panel: Locator;
  readonly candidate: Locator;
  readonly baseline: Locator;
  readonly run: Locator;
  readonly progress: Locator;
  readonly verdict: Locator;
  readonly gates: Locator;
  readonly note: Locator;
  readonly saveReport: Locator;
  /** The gate file's editor: its text, the problem it names (or "Valid."), Save, and what saving said. */
  readonly gateText: Locator;
  readonly gateProblem: Locator;
  readonly gateSave: Locator;
  readonly gateNote: Locator;

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('release-check');
    this.candidate = page.getByTestId('release-candidate');
    this.baseline = page.getByTestId('release-baseline');
    this.run = page.getByTestId('release-run');
    this.progress = page.getByTestId('release-progress');
    this.verdict = page.getByTestId('release-verdict');
    this.gates = page.getByTestId('release-gates');
    this.note = page.getByTestId('release-note');
    this.saveReport = page.getByTestId('release-save-report');
    this.gateText = page.getByTestId('gate-file-text');
    this.gateProblem = page.getByTestId('gate-file-problem');
    this.gateSave = page.getByTestId('gate-file-save');
    this.gateNote = page.getByTestId('gate-file-note');
  }

  /** Opens the Evaluate view's Release check. */
  async open(): Promise<void> {
    await this.page.getByTestId('tab-evaluate').click();
    await this.page.getByTestId('eval-panel-release').click();
    await expect(this.panel).toBeVisible();
  }

  /** Replaces the gate file's text from the keyboard alone (select all, type), as a keyboard user edits it. */
  async typeGateFile(text: string): Promise<void> {
    await this.gateText.focus();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(text);
  }

  /** Saves with the editor's shortcut. */
  async saveGateFileByKeyboard(): Promise<void> {
    await this.gateText.focus();
    await this.page.keyboard.press('ControlOrMeta+S');
  }

  rows(verdict?: string): Locator {
    return this.gates.locator(verdict ? `tbody tr[data-verdict="${verdict}"]` : 'tbody tr');
  }
}
