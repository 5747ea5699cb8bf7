/**
 * The Electron shell, kept thin: open the last workspace (or the sample on first run), create one secure
 * window, wire the contract over IPC, and add native file dialogs. Everything else is in ./host.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Notification, session } from 'electron';
import { wireAlertNotifications } from './alertNotifications.js';
import { electronRuntime } from './engine/engineClient.js';
import { releaseShellEngine } from './engine/shellEngine.js';
import { startStartupEngine } from './startup.js';
import { rendererDist } from './host/projectPaths.js';
import { wireIpc } from './ipcWiring.js';
import { wireShellDialogs } from './shellDialogs.js';
import { blockNavigation, withCspHeader } from './windowSecurity.js';

const here = path.dirname(fileURLToPath(import.meta.url));

app.enableSandbox();

app.whenReady().then(async () => {
  // DuckDB, the models and heavy compute run in the engine: the Electron binary run as Node on the bundled engine.
  const host = await startStartupEngine(electronRuntime(process.execPath, here));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withCspHeader(details.responseHeaders) }),
  );
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Sift',
    // Written out here, not returned by a helper, so a security reviewer's scanner (Electronegativity) sees them;
    // tests read this literal.
    webPreferences: {
      preload: path.join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click (auxclick) would open links outside the navigation guards; Chromium's feature is off.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  blockNavigation(window.webContents, (url) => console.warn(`[sift] blocked navigation to ${url}`));
  const unwire = wireIpc(ipcMain, host, window.webContents);
  const unwireDialogs = wireShellDialogs(ipcMain, dialog, window);
  // An alert a monitor raises is a desktop notification; clicking it brings the window forward.
  const unwireNotices = wireAlertNotifications(
    host,
    { isSupported: () => Notification.isSupported(), make: (options) => new Notification(options) },
    () => (window.isDestroyed() ? undefined : window.show()),
  );
  await window.loadFile(path.join(rendererDist(), 'index.html'));
  window.on('closed', () => {
    unwire();
    unwireDialogs();
    unwireNotices();
    // The engine stays on, headless, while its feeds or monitors have work (engine/shellEngine.ts).
    void releaseShellEngine(host).then(() => app.quit());
  });
});

app.on('window-all-closed', () => app.quit());
