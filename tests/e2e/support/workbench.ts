/**
 * Page components (where things are) and page actions (what a user does), so a UI change touches this file
 * and not every test.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { EvaluateView } from './evaluateView';
import { ModelsView } from './modelsView';
import { MonitorView } from './monitorView';
import { ReleaseCheckView } from './releaseCheckView';

export class Workbench {
  readonly schema: Locator;
  readonly editor: Locator;
  readonly runButton: Locator;
  readonly cancelButton: Locator;
  readonly status: Locator;
  readonly queryError: Locator;
  readonly grid: Locator;
  /** The element that scrolls the grid, both ways. */
  readonly gridScroller: Locator;
  readonly importDialog: Locator;
  /** The import dialog's account of a file's problem rows, and of the rows it set aside. */
  readonly importProblem: Locator;
  readonly importRejects: Locator;
  /** The workspace switcher's button: it shows the open workspace's name. */
  readonly workspaceName: Locator;
  readonly evaluate: EvaluateView;
  readonly models: ModelsView;
  readonly monitor: MonitorView;
  readonly releaseCheck: ReleaseCheckView;

  constructor(readonly page: Page) {
    this.schema = page.getByTestId('schema-browser');
    this.editor = page.getByTestId('sql-editor').locator('.cm-content');
    this.runButton = page.getByTestId('run-query');
    this.cancelButton = page.getByTestId('cancel-query');
    this.status = page.getByTestId('query-status');
    this.queryError = page.getByTestId('query-error');
    this.grid = page.getByTestId('results-grid');
    this.gridScroller = this.grid.getByTestId('grid-scroll');
    this.importDialog = page.getByTestId('import-dialog');
    this.importProblem = page.getByTestId('import-problem');
    this.importRejects = page.getByTestId('import-rejects');
    this.workspaceName = page.getByTestId('workspace-name');
    this.evaluate = new EvaluateView(page);
    this.models = new ModelsView(page);
    this.monitor = new MonitorView(page);
    this.releaseCheck = new ReleaseCheckView(page);
  }

  async openView(name: 'explore' | 'reports' | 'spikes' | 'monitor' | 'label' | 'evaluate' | 'models'): Promise<void> {
    await this.page.getByTestId(`tab-${name}`).click();
  }

  async openReport(name: string): Promise<void> {
    await this.openView('reports');
    await this.page.getByTestId('report-list').getByRole('button', { name, exact: true }).click();
    await expect(this.page.getByTestId('report-title')).toHaveText(name);
  }

  async setParameter(name: string, value: string): Promise<void> {
    await this.page.getByTestId(`param-${name}`).fill(value);
  }

  async runReport(): Promise<void> {
    await this.page.getByTestId('run-report').click();
    await expect(this.page.getByTestId('report-status')).toContainText('row(s)');
  }

  table(name: string): Locator {
    return this.page.getByTestId(`table-${name}`);
  }

  cell(row: number, column: number): Locator {
    return this.grid.locator(`.grid-row[data-row="${row}"] .grid-cell:not(.grid-rownum)`).nth(column);
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.table('content')).toBeVisible();
  }

  async typeQuery(sql: string): Promise<void> {
    await this.editor.click();
    await this.page.keyboard.press('ControlOrMeta+a');
    await this.page.keyboard.press('Delete');
    await this.editor.fill(sql);
  }

  /** Types the SQL and runs it with the keyboard shortcut, as an analyst does. */
  async runQuery(sql: string): Promise<void> {
    await this.typeQuery(sql);
    await this.page.keyboard.press('ControlOrMeta+Enter');
  }

  async importViaPicker(file: string): Promise<void> {
    await this.page.getByTestId('file-input').setInputFiles(file);
    await expect(this.importDialog).toBeVisible();
  }

  async dropFile(name: string, content: string, mimeType = 'text/csv'): Promise<void> {
    const transfer = await this.page.evaluateHandle(
      ({ name, content, mimeType }) => {
        const data = new DataTransfer();
        data.items.add(new File([content], name, { type: mimeType }));
        return data;
      },
      { name, content, mimeType },
    );
    await this.page.locator('.app').dispatchEvent('dragover', { dataTransfer: transfer });
    await this.page.locator('.app').dispatchEvent('drop', { dataTransfer: transfer });
    await expect(this.importDialog).toBeVisible();
  }

  async confirmImport(table?: string): Promise<void> {
    if (table) await this.page.getByTestId('import-table').fill(table);
    await this.page.getByTestId('import-confirm').click();
    await expect(this.page.getByTestId('import-done')).toBeVisible();
  }

  /** Starts the import without waiting for its outcome (a mapping step, rejects or an error come next). */
  async startImport(): Promise<void> {
    await this.page.getByTestId('import-confirm').click();
  }

  /** Imports past bad rows (set aside in a rejects table) without waiting for the outcome. */
  async importSkippingBadRows(): Promise<void> {
    await this.page.getByTestId('import-skip-bad-rows').check();
    await this.startImport();
  }

  /** Maps the imported table onto one of Sift's canonical tables, which closes the dialog. */
  async mapImportOnto(target: string): Promise<void> {
    await this.page.getByTestId('mapping-target').selectOption(target);
    await this.page.getByTestId('mapping-save').click();
    await expect(this.importDialog).toBeHidden();
  }

  async closeDialog(): Promise<void> {
    await this.importDialog
      .getByRole('button', { name: /Skip|Done|Close/ })
      .first()
      .click();
    await expect(this.importDialog).toBeHidden();
  }

  /**
   * Waits until the grid holds all `total` rows: a large result streams in after its first page, as fast as the
   * machine allows, so this judges progress (the count only grows, to exactly the total), not a deadline. Give the
   * test room with test.slow().
   */
  async waitForAllRows(total: number): Promise<void> {
    await expect(this.grid).toBeVisible({ timeout: 60_000 }); // the first page has answered
    let last = 0;
    await expect
      .poll(
        async () => {
          const count = Number(await this.grid.getAttribute('data-row-count'));
          expect(count, 'the row count never shrinks').toBeGreaterThanOrEqual(last);
          last = count;
          return count;
        },
        { timeout: 200_000, intervals: [250, 500, 1000] },
      )
      .toBe(total);
    await expect(this.page.getByTestId('grid-rowcount')).toHaveText(`${total.toLocaleString('en-US')} rows`, {
      timeout: 60_000,
    });
  }

  async scrollGridToEnd(): Promise<void> {
    await this.gridScroller.evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
  }

  // Workspaces ----------------------------------------------------------------------------------------------

  readonly workspaces = {
    path: () => this.page.getByTestId('workspace-path'),
    error: () => this.page.locator('.workspace-error'),
    /** What an empty workspace's Explore says. */
    empty: () => this.page.getByTestId('empty-workspace'),
  };

  async openWorkspaceSwitcher(): Promise<void> {
    await this.workspaceName.click();
  }

  /** In the open switcher, asks for a new workspace at `folder`; the outcome (a switch or a refusal) is the test's. */
  async newWorkspace(folder: string): Promise<void> {
    await this.workspaces.path().fill(folder);
    await this.page.getByTestId('workspace-new').click();
  }

  /** Switches to a workspace from the switcher's recent ones. */
  async openRecentWorkspace(name: string): Promise<void> {
    await this.workspaceName.click();
    await this.page.locator('.workspace-recent').getByRole('button', { name }).click();
  }

  // Spikes --------------------------------------------------------------------------------------------------

  readonly spikes = {
    timeline: () => this.page.getByTestId('spike-timeline'),
    windows: () => this.page.getByTestId('spike-windows').locator('tbody tr'),
    cluster: () => this.page.getByTestId('spike-cluster'),
    /** What the view says a workspace needs before it can chart spikes. */
    needs: () => this.page.getByTestId('needs-spikes'),
    versionMarkers: () => this.page.locator('[data-testid=spike-timeline] .annotation-text'),
  };

  // Labeling ------------------------------------------------------------------------------------------------

  readonly labeling = {
    screen: () => this.page.getByTestId('labeling-screen'),
    item: () => this.page.getByTestId('label-item'),
    status: () => this.page.getByTestId('label-status'),
    strip: () => this.page.getByTestId('label-strip').locator('li:not(.label-strip-note)'),
    category: (name: string) => this.page.getByTestId(`category-${name}`),
    progress: () => this.page.getByTestId('label-progress'),
    help: () => this.page.getByTestId('label-help'),
    /** An action's row in the help's keymap (shared/keymap.ts ids: submit, skip, category3…). */
    keymapRow: (action: string) => this.page.getByTestId(`keymap-row-${action}`),
    rebind: (action: string) => this.page.getByTestId(`rebind-${action}`),
    keymapNotice: () => this.page.getByTestId('keymap-notice'),
  };

  async setAnnotator(name: string): Promise<void> {
    await this.page.getByTestId('annotator-name').fill(name);
    await this.page.getByTestId('annotator-save').click();
  }

  async createSession(options: { name: string; batch: number; strategy?: string }): Promise<void> {
    await this.page.getByTestId('session-name').fill(options.name);
    if (options.strategy) await this.page.getByTestId('session-strategy').selectOption(options.strategy);
    await this.page.getByTestId('session-batch').fill(String(options.batch));
    await this.page.getByTestId('session-create').click();
    await expect(this.labeling.screen()).toBeVisible({ timeout: 60_000 });
    await expect(this.labeling.item()).toBeVisible();
  }

  /** The content id of the item on screen. */
  async currentItem(): Promise<string> {
    return (await this.labeling.item().getAttribute('data-content-id'))!;
  }

  /** Presses keys, one at a time, as an annotator does. */
  async press(...keys: string[]): Promise<void> {
    for (const key of keys) await this.page.keyboard.press(key);
  }
}
