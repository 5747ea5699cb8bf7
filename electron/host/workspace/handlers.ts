/** The workspace part of the contract (shared/contract/workspace.ts): opening, creating, tables and settings. */
import type { workspaceMethods } from '../../../shared/contract/workspace.js';
import type { Handlers, HostServices } from '../services.js';
import { recentWorkspaces } from './appState.js';
import { checkWorkspaceFolder } from './fileAccess.js';
import { createEmptyWorkspace } from './workspace.js';

export function workspaceHandlers(host: HostServices): Handlers<keyof typeof workspaceMethods> {
  return {
    'workspace.info': () => host.workspace.info(),
    'workspace.open': async ({ path: dir }) => {
      await host.switchWorkspace(dir);
      return host.workspace.info();
    },
    'workspace.create': async ({ path: dir }) => {
      const { fileAccess } = host.workspace;
      const resolved = checkWorkspaceFolder(fileAccess, dir, 'path', 'create');
      await (await createEmptyWorkspace(resolved, fileAccess)).close();
      await host.switchWorkspace(resolved);
      await host.labeling(); // the policy file and Sift's own tables, before the first import
      return host.workspace.info();
    },
    'workspace.recent': async () => recentWorkspaces().filter((entry) => entry.path !== host.workspace.dir),
    'tables.list': () => host.workspace.listTables(),
    'settings.get': async () => host.workspace.readSettings(),
    'settings.update': async (input) => host.workspace.writeSettings(input),
  };
}
