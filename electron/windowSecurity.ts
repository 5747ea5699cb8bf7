/**
 * The Electron window's security settings, kept out of main.ts so tests can check them without Electron:
 * contextIsolation and sandbox on, nodeIntegration off, a strict CSP, no navigation and no new windows.
 */
import { CONTENT_SECURITY_POLICY } from './server.js';

export { CONTENT_SECURITY_POLICY };

/** The settings the window must have; main.ts writes them as a literal and a test compares the two. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/** The subset of Electron's WebContents this module needs. */
export interface GuardableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function blockNavigation(contents: GuardableContents, onBlocked: (url: string) => void = () => undefined): void {
  const refuse = (event: { preventDefault(): void }, url: string) => {
    event.preventDefault();
    onBlocked(url);
  };
  contents.on('will-navigate', refuse);
  contents.on('will-redirect', refuse);
  contents.setWindowOpenHandler(({ url }) => {
    onBlocked(url);
    return { action: 'deny' };
  });
}

/** Adds the CSP header to every response the window loads. */
export function withCspHeader(headers: Record<string, string[] | string> | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(headers ?? {})) result[key] = Array.isArray(value) ? value : [value];
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}
