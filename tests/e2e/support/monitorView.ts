/** The Monitor view's page components and actions (reached from Workbench.monitor). */
import { expect, type Locator, type Page } from '@playwright/test';

export interface MonitorDraft {
  name: string;
  source: 'reports' | 'actions' | 'content';
  by: string;
  bucket: '15min' | 'hour' | 'day';
  every: string;
  webhooks?: string[];
}

export class MonitorView {
  readonly view: Locator;
  readonly toolbar: Locator;
  readonly summary: Locator;
  readonly alerts: Locator;
  readonly alertRows: Locator;
  readonly playbook: Locator;
  readonly pinned: Locator;
  readonly enableNotifications: Locator;
  readonly notificationsState: Locator;
  readonly note: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('monitor-view');
    this.toolbar = page.getByTestId('monitor-toolbar');
    this.summary = page.getByTestId('monitor-summary');
    this.alerts = page.getByTestId('monitor-alerts');
    this.alertRows = page.getByTestId('alert-row');
    this.playbook = page.getByTestId('playbook');
    this.pinned = page.getByTestId('pinned-charts');
    this.enableNotifications = page.getByTestId('notifications-enable');
    this.notificationsState = page.getByTestId('notifications-state');
    this.note = page.getByTestId('monitor-note');
  }

  card(name: string): Locator {
    return this.page.getByTestId(`monitor-${name}`);
  }

  /** The alert of a series whose window starts at `start` ("2024-03-10 14:00"). */
  alert(series: string, start: string): Locator {
    return this.alertRows.filter({ hasText: `· ${series}` }).filter({ hasText: start });
  }

  /** Adds a monitor through the form, as `sift monitor add` would. */
  async add(draft: MonitorDraft): Promise<void> {
    await this.page.getByTestId('monitor-add').click();
    const form = this.page.getByTestId('monitor-form');
    await form.getByTestId('monitor-name').fill(draft.name);
    await form.getByTestId('monitor-source').selectOption(draft.source);
    await form.getByTestId('monitor-by').selectOption(draft.by);
    await form.getByTestId('monitor-bucket').selectOption(draft.bucket);
    await form.getByTestId('monitor-every').fill(draft.every);
    if (draft.webhooks) await form.getByTestId('monitor-webhooks-input').fill(draft.webhooks.join('\n'));
    await form.getByTestId('monitor-add-submit').click();
    await expect(form).toBeHidden();
    await expect(this.card(draft.name)).toBeVisible();
  }

  async editPlaybook(text: string): Promise<void> {
    await this.playbook.getByTestId('playbook-edit').click();
    await this.playbook.getByTestId('playbook-input').fill(text);
    await this.playbook.getByTestId('playbook-save').click();
    await expect(this.playbook.getByTestId('playbook-input')).toBeHidden();
  }
}
