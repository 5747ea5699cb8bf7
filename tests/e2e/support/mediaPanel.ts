/** The media panel of a screen (renderer/media/MediaPanel.tsx): where its parts are and what a reviewer does with it. */
import { expect, type Locator, type Page } from '@playwright/test';

export class MediaPanel {
  readonly panel: Locator;
  readonly stage: Locator;
  readonly image: Locator;
  readonly shield: Locator;
  readonly keyframes: Locator;
  readonly frame: Locator;
  readonly video: Locator;
  readonly placeholder: Locator;
  readonly scale: Locator;

  constructor(private readonly page: Page) {
    this.panel = page.getByTestId('media-panel');
    this.stage = page.getByTestId('media-stage');
    this.image = page.getByTestId('media-image');
    this.shield = this.panel.getByTestId('shield');
    this.keyframes = page.getByTestId('media-keyframe');
    this.frame = page.getByTestId('media-frame');
    this.video = page.getByTestId('media-video');
    this.placeholder = page.getByTestId('media-placeholder');
    this.scale = page.getByTestId('media-scale');
  }

  /**
   * The picture has loaded (its pixels decoded), not only its element. The host makes a derivative on demand (a
   * video's keyframes with ffmpeg) when it was not prepared: generous, for a loaded machine.
   */
  async pictureLoaded(): Promise<void> {
    await expect(this.image).toBeVisible({ timeout: 90_000 });
    await expect
      .poll(() => this.image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
      .toBe(true);
  }

  /** The picture's box and the stage's: a fitted picture is inside the stage and touches two of its sides. */
  async boxes(): Promise<{ image: DOMRect; stage: DOMRect; scrolls: boolean }> {
    return this.stage.evaluate((stage) => ({
      image: stage.querySelector('img')!.getBoundingClientRect().toJSON() as DOMRect,
      stage: stage.getBoundingClientRect().toJSON() as DOMRect,
      scrolls: stage.scrollWidth > stage.clientWidth + 1 || stage.scrollHeight > stage.clientHeight + 1,
    }));
  }

  /** Ctrl+wheel over the stage (a trackpad pinch reads the same): up zooms in. */
  async ctrlWheel(deltaY: number): Promise<void> {
    const box = (await this.stage.boundingBox())!;
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await this.page.keyboard.down('Control');
    await this.page.mouse.wheel(0, deltaY);
    await this.page.keyboard.up('Control');
  }
}
