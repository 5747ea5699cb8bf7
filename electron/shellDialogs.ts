/**
 * The desktop shell's own dialogs (not contract methods: they need a native window): pick files to import, a path
 * to save an export to, and a folder to open or create a workspace in. Only the app's window may ask.
 */
export interface DialogLike {
  showOpenDialog(
    window: unknown,
    options: {
      properties: string[];
      filters?: { name: string; extensions: string[] }[];
      title?: string;
      buttonLabel?: string;
    },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(window: unknown, options: { defaultPath: string }): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface ShellIpcLike {
  handle(channel: string, listener: (event: { sender: { id: number } }, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export const SHELL_CHANNELS = {
  pickFiles: 'sift-shell:pick-files',
  pickSavePath: 'sift-shell:pick-save-path',
  pickFolder: 'sift-shell:pick-folder',
} as const;

export type FolderPurpose = 'open' | 'create';

export function wireShellDialogs(
  ipcMain: ShellIpcLike,
  dialog: DialogLike,
  window: { webContents: { id: number } },
): () => void {
  const fromWindow = (event: { sender: { id: number } }) => event.sender.id === window.webContents.id;
  ipcMain.handle(SHELL_CHANNELS.pickFiles, async (event) => {
    if (!fromWindow(event)) return [];
    const picked = await dialog.showOpenDialog(window, {
      properties: ['openFile', 'multiSelections'],
      filters: [{ name: 'Data files', extensions: ['csv', 'tsv', 'txt', 'parquet', 'json', 'ndjson', 'jsonl'] }],
    });
    return picked.canceled ? [] : picked.filePaths;
  });
  ipcMain.handle(SHELL_CHANNELS.pickSavePath, async (event, defaultName) => {
    if (!fromWindow(event) || typeof defaultName !== 'string') return null;
    const picked = await dialog.showSaveDialog(window, { defaultPath: defaultName });
    return picked.canceled ? null : (picked.filePath ?? null);
  });
  ipcMain.handle(SHELL_CHANNELS.pickFolder, async (event, purpose) => {
    if (!fromWindow(event) || (purpose !== 'open' && purpose !== 'create')) return null;
    const picked = await dialog.showOpenDialog(window, {
      // A new workspace goes in a new or empty folder, which the picker may create.
      properties: purpose === 'create' ? ['openDirectory', 'createDirectory', 'promptToCreate'] : ['openDirectory'],
      title: purpose === 'create' ? 'New workspace: choose a new or empty folder' : 'Open a workspace folder',
      buttonLabel: purpose === 'create' ? 'Create workspace here' : 'Open workspace',
    });
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  });
  return () => Object.values(SHELL_CHANNELS).forEach((channel) => ipcMain.removeHandler(channel));
}
