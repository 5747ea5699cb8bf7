/**
 * Electron IPC transport, generated from the contract: one ipcMain.handle per method, each calling the same
 * validating dispatcher as browser mode. Only calls from the app's own window are answered.
 */
import type { Caller } from '../shared/callerAccess.js';
import { type CallOutcome, IPC_EVENT_CHANNEL, ipcChannel, METHOD_NAMES } from '../shared/contract.js';
import type { HostEvent } from '../shared/jobs.js';

/** The subset of Electron's ipcMain the wiring uses, so tests can pass a stand-in. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: { sender: { id: number } }, ...args: unknown[]) => Promise<unknown> | unknown,
  ): void;
  removeHandler(channel: string): void;
}

export interface Dispatcher {
  /** `caller` defaults to the owner: the desktop user. What each caller may do is decided by Host.dispatch. */
  dispatch(name: string, input: unknown, caller?: Caller): Promise<CallOutcome>;
  onEvent(listener: (event: HostEvent) => void): () => void;
}

export interface EventTarget {
  id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export function wireIpc(ipcMain: IpcMainLike, host: Dispatcher, window: EventTarget): () => void {
  for (const name of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event, ...args) => {
      if (event.sender.id !== window.id) {
        return {
          ok: false,
          error: { code: 'UNAUTHORIZED', message: 'IPC call from an unknown window was refused.' },
        } satisfies CallOutcome;
      }
      if (args.length > 1) {
        return {
          ok: false,
          error: { code: 'BAD_REQUEST', message: `${name}: expected one input object, got ${args.length} arguments.` },
        } satisfies CallOutcome;
      }
      return host.dispatch(name, args[0]);
    });
  }
  const unsubscribe = host.onEvent((event) => {
    if (!window.isDestroyed()) window.send(IPC_EVENT_CHANNEL, event);
  });
  return () => {
    unsubscribe();
    for (const name of METHOD_NAMES) ipcMain.removeHandler(ipcChannel(name));
  };
}
