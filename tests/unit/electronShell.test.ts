/** The Electron shell's wiring, tested without the Electron binary (it cannot be downloaded here). */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SHELL_CHANNELS, wireShellDialogs } from '../../electron/shellDialogs';
import { blockNavigation, CONTENT_SECURITY_POLICY, withCspHeader } from '../../electron/windowSecurity';

describe('the desktop window', () => {
  it('runs the renderer isolated and sandboxed, without Node — settings written as a literal where a scanner sees them', () => {
    // The shape Electronegativity checks: an object literal for webPreferences inside `new BrowserWindow({...})`.
    const source = ts.createSourceFile(
      'main.ts',
      fs.readFileSync('electron/main.ts', 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    const literals: Record<string, string>[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && node.expression.getText() === 'BrowserWindow') {
        const options = node.arguments?.[0];
        const preferences =
          options && ts.isObjectLiteralExpression(options)
            ? options.properties.find((p) => p.name?.getText() === 'webPreferences')
            : undefined;
        if (
          preferences &&
          ts.isPropertyAssignment(preferences) &&
          ts.isObjectLiteralExpression(preferences.initializer)
        ) {
          literals.push(
            Object.fromEntries(
              preferences.initializer.properties
                .filter(ts.isPropertyAssignment)
                .map((p) => [p.name.getText(), p.initializer.getText()]),
            ),
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(literals).toHaveLength(1);
    expect(literals[0]).toMatchObject({
      contextIsolation: 'true',
      sandbox: 'true',
      nodeIntegration: 'false',
      nodeIntegrationInWorker: 'false',
      nodeIntegrationInSubFrames: 'false',
      webSecurity: 'true',
      allowRunningInsecureContent: 'false',
      webviewTag: 'false',
      // Electronegativity's AUXCLICK_JS_CHECK: middle-click must not open anything.
      disableBlinkFeatures: "'Auxclick'",
    });
    expect(literals[0]!.preload).toContain('preload.cjs');
  });

  it('the preload exposes one fixed bridge: contract methods, the event channel and the shell dialogs — never ipcRenderer itself', () => {
    // Electronegativity's PRELOAD_JS_CHECK asks for this review; docs/safety.md says why the surface is safe.
    const source = ts.createSourceFile(
      'preload.ts',
      fs.readFileSync('electron/preload.ts', 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    const exposed: string[][] = [];
    const channels: string[] = [];
    let ipcRendererAsValue = 0;
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression.getText();
        if (callee === 'contextBridge.exposeInMainWorld') {
          const bridge = node.arguments[1]!;
          exposed.push(
            ts.isObjectLiteralExpression(bridge)
              ? bridge.properties.map((p) => p.name!.getText())
              : ['<not a literal>'],
          );
        }
        if (/^ipcRenderer\.(invoke|on|removeListener|send|sendSync|postMessage)$/.test(callee))
          channels.push(node.arguments[0]!.getText());
      }
      // ipcRenderer may only be called, never handed to the page (as a value, a property or an argument).
      if (
        ts.isIdentifier(node) &&
        node.text === 'ipcRenderer' &&
        !ts.isPropertyAccessExpression(node.parent) &&
        !ts.isImportSpecifier(node.parent)
      )
        ipcRendererAsValue++;
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(exposed).toEqual([['invoke', 'onEvent', 'pathForFile', 'pickFiles', 'pickSavePath', 'pickFolder']]);
    expect(ipcRendererAsValue).toBe(0);
    // Every channel: a contract method's (after isMethodName), the event channel, or one of the shell's dialogs.
    const shellChannels = Object.values(SHELL_CHANNELS).map((channel) => `'${channel}'`);
    for (const channel of channels)
      expect(['ipcChannel(method)', 'IPC_EVENT_CHANNEL', ...shellChannels]).toContain(channel);
    expect(new Set(channels)).toEqual(new Set(['ipcChannel(method)', 'IPC_EVENT_CHANNEL', ...shellChannels]));
  });

  it('blocks navigation, redirects and new windows', () => {
    const listeners: Record<string, (event: { preventDefault(): void }, url: string) => void> = {};
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const blocked: string[] = [];
    blockNavigation(
      {
        on: (event, listener) => (listeners[event] = listener),
        setWindowOpenHandler: (handler) => (openHandler = handler),
      },
      (url) => blocked.push(url),
    );
    let prevented = 0;
    listeners['will-navigate']!({ preventDefault: () => prevented++ }, 'https://evil.example/');
    listeners['will-redirect']!({ preventDefault: () => prevented++ }, 'https://evil.example/r');
    expect(prevented).toBe(2);
    expect(openHandler!({ url: 'https://evil.example/popup' })).toEqual({ action: 'deny' });
    expect(blocked).toEqual(['https://evil.example/', 'https://evil.example/r', 'https://evil.example/popup']);
  });

  it('sends a strict CSP with every response, and the page carries it too', () => {
    const headers = withCspHeader({ 'content-type': 'text/html' });
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    const html = fs.readFileSync('renderer/index.html', 'utf8');
    expect(html).toContain("script-src 'self'");
  });

  it('keeps Electron imports to main.ts and preload.ts', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(file);
        else if (/\.tsx?$/.test(entry.name) && /from 'electron'/.test(fs.readFileSync(file, 'utf8')))
          offenders.push(file);
      }
    };
    for (const dir of ['electron', 'shared', 'renderer']) walk(dir);
    expect(offenders.sort()).toEqual(['electron/main.ts', 'electron/preload.ts']);
  });

  it('keeps the rooms apart: shared/ imports nothing outside it, renderer/ never imports electron/', () => {
    const offenders: string[] = [];
    const walk = (dir: string, forbidden: (specifier: string, file: string) => boolean) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(file, forbidden);
        else if (/\.tsx?$/.test(entry.name)) {
          for (const match of fs.readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gms))
            if (forbidden(match[1]!, file)) offenders.push(`${file}: ${match[1]}`);
        }
      }
    };
    // shared/: a relative import must resolve inside shared/ (its contract/ folder reaches up one level, no further).
    walk(
      'shared',
      (specifier, file) =>
        specifier.startsWith('.') && path.relative('shared', path.join(path.dirname(file), specifier)).startsWith('..'),
    );
    walk('renderer', (specifier) => /(^|\/)electron\//.test(specifier));
    expect(offenders).toEqual([]);
  });

  it('bundles main, the engine and its compute worker (ESM) and the sandboxed preload (CommonJS) with electron left external', async () => {
    const { bundleShell } = await import('../../electron/bundleShell');
    const main = await bundleShell();
    const mainCode = fs.readFileSync(main, 'utf8');
    expect(mainCode).toMatch(/from "electron"|from 'electron'/);
    expect(mainCode).toContain('contextIsolation: true');
    expect(fs.readFileSync(main.replace('main.mjs', 'engine.mjs'), 'utf8')).toContain('SIFT_ENGINE_OPTIONS');
    expect(fs.readFileSync(main.replace('main.mjs', 'computeWorker.mjs'), 'utf8')).toContain('evaluateCategory');
    const preload = fs.readFileSync(main.replace('main.mjs', 'preload.cjs'), 'utf8');
    expect(preload).toContain('require("electron")');
    expect(preload).toContain('exposeInMainWorld');
  });

  it('keeps the Electron and ORT download scripts off, so installs work offline', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { allowScripts: Record<string, boolean> };
    expect(pkg.allowScripts).toMatchObject({ electron: false, 'onnxruntime-node': false });
  });
});

describe('the shell dialogs (files to import, export path, workspace folder)', () => {
  function wired() {
    const handlers = new Map<string, (event: { sender: { id: number } }, ...args: unknown[]) => Promise<unknown>>();
    const asked: { properties: string[]; buttonLabel?: string }[] = [];
    let answer: { canceled: boolean; filePaths: string[] } = { canceled: false, filePaths: ['/home/ana/forum-logs'] };
    const unwire = wireShellDialogs(
      {
        handle: (channel, listener) => void handlers.set(channel, listener),
        removeHandler: (channel) => void handlers.delete(channel),
      },
      {
        showOpenDialog: async (_window, options) => (asked.push(options), answer),
        showSaveDialog: async () => ({ canceled: false, filePath: '/home/ana/out.csv' }),
      },
      { webContents: { id: 7 } },
    );
    return { handlers, asked, unwire, setAnswer: (next: typeof answer) => (answer = next) };
  }

  it('asks for a new folder it may create for a new workspace, an existing one to open, and honours a cancel', async () => {
    const { handlers, asked, setAnswer } = wired();
    const pick = handlers.get(SHELL_CHANNELS.pickFolder)!;
    expect(await pick({ sender: { id: 7 } }, 'create')).toBe('/home/ana/forum-logs');
    expect(asked[0]!.properties).toEqual(['openDirectory', 'createDirectory', 'promptToCreate']);
    expect(await pick({ sender: { id: 7 } }, 'open')).toBe('/home/ana/forum-logs');
    expect(asked[1]!.properties).toEqual(['openDirectory']);
    setAnswer({ canceled: true, filePaths: [] });
    expect(await pick({ sender: { id: 7 } }, 'open')).toBeNull();
  });

  it('answers only the app window, and only a known purpose', async () => {
    const { handlers, asked, unwire } = wired();
    expect(await handlers.get(SHELL_CHANNELS.pickFolder)!({ sender: { id: 99 } }, 'create')).toBeNull();
    expect(await handlers.get(SHELL_CHANNELS.pickFolder)!({ sender: { id: 7 } }, 'format-disk')).toBeNull();
    expect(await handlers.get(SHELL_CHANNELS.pickFiles)!({ sender: { id: 99 } })).toEqual([]);
    expect(await handlers.get(SHELL_CHANNELS.pickSavePath)!({ sender: { id: 7 } }, { not: 'a name' })).toBeNull();
    expect(asked).toHaveLength(0); // no dialog was shown for any of them
    expect(await handlers.get(SHELL_CHANNELS.pickSavePath)!({ sender: { id: 7 } }, 'export.csv')).toBe(
      '/home/ana/out.csv',
    );
    unwire();
    expect(handlers.size).toBe(0);
  });

  it('the preload exposes exactly these channels', () => {
    const preload = fs.readFileSync('electron/preload.ts', 'utf8');
    for (const channel of Object.values(SHELL_CHANNELS)) expect(preload).toContain(`'${channel}'`);
  });
});
