/**
 * The Electron window's navigation and CSP guards, kept out of main.ts so tests can check them without Electron.
 * Its webPreferences are a literal in main.ts, where security scanners look for them; tests read that literal.
 */
import { CONTENT_SECURITY_POLICY } from './server.js';

export { CONTENT_SECURITY_POLICY };

/** The subset of Electron's WebContents this module needs. */
export interface GuardableContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
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
