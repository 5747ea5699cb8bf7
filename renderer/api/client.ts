/**
 * The UI's only door to the host. In Electron the preload bridge carries calls over IPC; in browser mode they
 * go to POST /api/<method> with the run's token. Both are built from the one contract.
 */
import { type CallOutcome, createApi, httpRoute, type MethodName, type SiftApi } from '../../shared/contract';
import type { HostEvent } from '../../shared/jobs';

interface SiftBridge {
  invoke(method: string, input: unknown): Promise<CallOutcome>;
  onEvent(listener: (event: HostEvent) => void): () => void;
  pathForFile(file: File): string;
  pickFiles(): Promise<string[]>;
  pickSavePath(defaultName: string): Promise<string | null>;
  pickFolder(purpose: 'open' | 'create'): Promise<string | null>;
}

declare global {
  interface Window {
    siftBridge?: SiftBridge;
  }
}

const bridge = typeof window !== 'undefined' ? window.siftBridge : undefined;
export const isDesktop = Boolean(bridge);

function readToken(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem('sift-token', fromUrl);
    // Keep the token out of the address bar (and out of screenshots and shared links).
    window.history.replaceState(null, '', window.location.pathname);
    return fromUrl;
  }
  return sessionStorage.getItem('sift-token') ?? '';
}

const token = bridge ? '' : readToken();

async function httpInvoke(name: MethodName, input: unknown): Promise<CallOutcome> {
  try {
    const response = await fetch(httpRoute(name), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sift-token': token },
      body: JSON.stringify(input ?? {}),
    });
    return (await response.json()) as CallOutcome;
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'INTERNAL',
        message: `The Sift host is not reachable (${error instanceof Error ? error.message : error}).`,
      },
    };
  }
}

export const api: SiftApi = createApi(bridge ? (name, input) => bridge.invoke(name, input) : httpInvoke);

/** The message of an error thrown by an api call. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function subscribeToHostEvents(listener: (event: HostEvent) => void): () => void {
  if (bridge) return bridge.onEvent(listener);
  let source: EventSource | null = null;
  let closed = false;
  const connect = () => {
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (message) => listener(JSON.parse(message.data as string) as HostEvent);
    source.onerror = () => {
      source?.close();
      if (!closed) setTimeout(connect, 1000);
    };
  };
  connect();
  return () => {
    closed = true;
    source?.close();
  };
}

/**
 * Makes a file the user dropped or picked readable by the host: its own path on the desktop, an upload into
 * the workspace in browser mode (with upload progress).
 */
export function fileToHostPath(file: File, onProgress?: (fraction: number) => void): Promise<string> {
  if (bridge) return Promise.resolve(bridge.pathForFile(file));
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader('x-sift-token', token);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress?.(event.loaded / event.total);
    request.onload = () => {
      const outcome = JSON.parse(request.responseText) as CallOutcome<{ path: string }>;
      if (outcome.ok) resolve(outcome.value.path);
      else reject(new Error(outcome.error.message));
    };
    request.onerror = () => reject(new Error(`Upload of ${file.name} failed.`));
    request.send(file);
  });
}

export async function pickFilesOnDesktop(): Promise<string[] | null> {
  return bridge ? bridge.pickFiles() : null;
}

/** A folder for a workspace, from the desktop's native picker (null: cancelled; undefined: browser mode). */
export async function pickFolderOnDesktop(purpose: 'open' | 'create'): Promise<string | null | undefined> {
  return bridge ? bridge.pickFolder(purpose) : undefined;
}

/** Where an export should go: a chosen path on the desktop; the workspace's exports/ folder in the browser. */
export async function chooseExportPath(defaultName: string): Promise<string | undefined | null> {
  return bridge ? bridge.pickSavePath(defaultName) : undefined;
}

/** In browser mode a finished export is handed to the browser as a download. */
export function downloadExport(path: string): void {
  if (bridge) return;
  const link = document.createElement('a');
  link.href = `/api/download?path=${encodeURIComponent(path)}&token=${encodeURIComponent(token)}`;
  link.download = path.split(/[\\/]/).pop() ?? 'export';
  document.body.append(link);
  link.click();
  link.remove();
}
