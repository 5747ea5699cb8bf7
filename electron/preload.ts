/**
 * Runs in the sandboxed renderer before the page: exposes a narrow bridge (invoke a contract method,
 * receive host events, get a dropped file's path, pick files) and nothing of Node or Electron itself.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { IPC_EVENT_CHANNEL, ipcChannel, isMethodName } from '../shared/contract.js';

contextBridge.exposeInMainWorld('siftBridge', {
  invoke: (method: string, input: unknown) => {
    if (!isMethodName(method))
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_METHOD', message: `There is no method named "${method}".` },
      });
    return ipcRenderer.invoke(ipcChannel(method), input);
  },
  onEvent: (listener: (event: unknown) => void) => {
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
  },
  pathForFile: (file: File) => webUtils.getPathForFile(file),
  pickFiles: () => ipcRenderer.invoke('sift-shell:pick-files') as Promise<string[]>,
  pickSavePath: (defaultName: string) =>
    ipcRenderer.invoke('sift-shell:pick-save-path', defaultName) as Promise<string | null>,
  pickFolder: (purpose: 'open' | 'create') =>
    ipcRenderer.invoke('sift-shell:pick-folder', purpose) as Promise<string | null>,
});
