/** The Evaluate view's page components and actions (reached from Workbench.evaluate). */
import { expect, type Locator, type Page } from '@playwright/test';

export class EvaluateView {
  /** The version evaluated (A), and the one it is compared with (B). */
  readonly version: Locator;
  readonly versionB: Locator;
  readonly category: Locator;
  readonly bins: Locator;
  readonly binStrategy: Locator;
  readonly metrics: Locator;
  readonly tied: Locator;
  /** Every category at a glance: a row each, its name a button that opens it. */
  readonly summary: Locator;
  readonly reliabilityPlot: Locator;
  readonly distributionPlot: Locator;
  readonly errorDistribution: Locator;
  readonly thresholdRemove: Locator;
  readonly thresholdEscalate: Locator;
  readonly countRemoved: Locator;
  readonly countEscalated: Locator;
  readonly note: Locator;
  readonly calibrationSummary: Locator;
  /** The error-analysis list (false positives, a bar's items, …). */
  readonly items: Locator;
  readonly slices: Locator;
  readonly sliceMinN: Locator;
  readonly compareNote: Locator;

  constructor(readonly page: Page) {
    this.version = page.getByTestId('eval-version');
    this.versionB = page.getByTestId('eval-version-b');
    this.category = page.getByTestId('eval-category');
    this.bins = page.getByTestId('eval-bins');
    this.binStrategy = page.getByTestId('eval-strategy');
    this.metrics = page.getByTestId('eval-metrics');
    this.tied = page.getByTestId('eval-tied');
    this.summary = page.getByTestId('eval-summary');
    this.reliabilityPlot = page.getByTestId('reliability-plot');
    this.distributionPlot = page.getByTestId('distribution-plot');
    this.errorDistribution = page.getByTestId('error-distribution');
    this.thresholdRemove = page.getByTestId('threshold-remove');
    this.thresholdEscalate = page.getByTestId('threshold-escalate');
    this.countRemoved = page.getByTestId('count-removed');
    this.countEscalated = page.getByTestId('count-escalated');
    this.note = page.getByTestId('eval-note');
    this.calibrationSummary = page.getByTestId('calibration-summary');
    this.items = page.getByTestId('eval-items');
    this.slices = page.getByTestId('slices');
    this.sliceMinN = page.getByTestId('slice-min-n');
    this.compareNote = page.getByTestId('compare-note');
  }

  /** Opens the view on a version of the sample's model. */
  async open(version: string): Promise<void> {
    await this.page.getByTestId('tab-evaluate').click();
    await this.version.selectOption(version);
  }

  /** Waits for a first evaluation to draw: on a loaded machine that takes longer than an ordinary expectation waits. */
  async evaluated(): Promise<void> {
    await expect(this.reliabilityPlot).toHaveAttribute('data-rendered', 'true', { timeout: 60_000 });
  }

  summaryRows(): Locator {
    return this.summary.locator('tbody tr');
  }

  /** The points the reliability diagram draws for one trace. */
  reliabilityPoints(trace: number): Locator {
    return this.reliabilityPlot.locator('.scatterlayer .trace').nth(trace).locator('.point');
  }

  /** How many items the remove threshold removes automatically, as the view shows it. */
  async removedCount(): Promise<number> {
    return Number((await this.countRemoved.textContent())!.replace(/,/g, ''));
  }

  /** Drags the remove threshold's line (the distribution plot's first shape) sideways by `dx` pixels. */
  async dragRemoveThreshold(dx: number): Promise<void> {
    await expect(this.distributionPlot).toHaveAttribute('data-rendered', 'true');
    const line = this.distributionPlot.locator('.shapelayer path').first();
    const box = (await line.boundingBox())!;
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + box.width / 2 + dx, box.y + box.height / 2, { steps: 8 });
    await this.page.mouse.up();
  }

  async saveThresholds(): Promise<void> {
    await this.page.getByTestId('save-thresholds').click();
  }

  async fitCalibration(): Promise<void> {
    await this.page.getByTestId('fit-calibration').click();
  }

  /** Opens the category's false positives from the confusion matrix. */
  async showFalsePositives(): Promise<void> {
    await this.page.getByTestId('confusion-fp').click();
  }

  /** The listed items, each with its kind's badge (FP, FN, …). */
  listedItems(): Locator {
    return this.items.locator('.eval-item');
  }

  listedKinds(): Locator {
    return this.items.locator('.kind-badge');
  }

  async closeItems(): Promise<void> {
    await this.items.getByRole('button', { name: 'Close the list' }).click();
  }

  /** Clicks the tallest bar of the error-analysis score distribution, which lists that bar's items. */
  async openTallestErrorBar(): Promise<void> {
    await expect(this.errorDistribution).toHaveAttribute('data-rendered', 'true');
    await this.errorDistribution.scrollIntoViewIfNeeded();
    const bars = await this.errorDistribution.locator('.bars .point path').all();
    let tallest = bars[0]!;
    let height = 0;
    for (const bar of bars) {
      const box = await bar.boundingBox();
      if (box && box.height > height) [tallest, height] = [bar, box.height];
    }
    await tallest.click({ force: true });
  }

  flaggedSlices(): Locator {
    return this.slices.locator('tr[data-flagged=true]');
  }

  /** The value of the last B option whose label matches: the newest version of that name. */
  async lastVersionBOption(label: RegExp): Promise<string> {
    return (await this.versionB.locator('option', { hasText: label }).last().getAttribute('value'))!;
  }
}
