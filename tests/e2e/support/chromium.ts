/**
 * How the tests start Chromium: Debian's binary and the flags this machine needs (playwright.config.ts). Headless
 * Chromium hides scrollbars by default; the specs that judge layout show them, as users see them (a grid bug once
 * hid behind a hidden scrollbar), with `test.use(SCROLLBARS_SHOWN)`.
 */
import type { LaunchOptions } from '@playwright/test';

export const CHROMIUM_LAUNCH: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export const SCROLLBARS_SHOWN = { launchOptions: { ...CHROMIUM_LAUNCH, ignoreDefaultArgs: ['--hide-scrollbars'] } };
