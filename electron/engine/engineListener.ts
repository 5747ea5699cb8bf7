/**
 * The engine's door for other Sift processes: whichever process holds a workspace (the app's or `sift serve`'s
 * engine, `sift watch run`, a CLI command's own host) listens on the socket engineAddress.ts names, so every other
 * `sift` command on that workspace runs through it instead of being refused by DuckDB's file lock. A connection
 * presents the token of `.sift/engine.json`; its calls go through the same Host.dispatch as every transport, as the
 * owner (only the same OS user can read the token); the engine's events are sent to it. The jobs a connection
 * started are cancelled when it closes, so a killed `sift` stops its work as it does when it holds the workspace.
 * Nothing a client sends can stop the engine: a malformed message is answered with an error and the connection
 * closed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server, Socket } from 'node:net';
import { OWNER } from '../../shared/callerAccess.js';
import { isJobMethodName } from '../../shared/contract.js';
import type { Dispatcher } from '../ipcWiring.js';
import {
  type EngineKind,
  removeEngineAddress,
  socketPathFor,
  writeEngineAddress,
  type EngineAddress,
} from './engineAddress.js';
import { type ClientToEngine, type EngineToClient, MAX_LINE_BYTES, readLines, sendLine } from './socketProtocol.js';

export interface EngineListener {
  address: EngineAddress;
  /** How many clients are connected now. */
  clients(): number;
  /** Resolves once no client is connected (at once when none is). */
  idle(): Promise<void>;
  /** Stops taking connections and removes the address; connected clients stay until `close`. */
  stopListening(): Promise<void>;
  /** Stops listening, closes every connection, removes the socket and engine.json. */
  close(): Promise<void>;
}

/** Whether another live engine answers on `socket` (then this one must not take the name from it). */
async function socketAnswers(socket: string): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const probe = net.connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export async function listenForClients(
  host: Dispatcher,
  workspaceDir: string,
  kind: EngineKind,
): Promise<EngineListener> {
  const net = await import('node:net');
  const socketPath = socketPathFor(workspaceDir);
  // This process holds the workspace's lock, so a socket left there is a dead engine's (or, in theory, a hash's
  // other workspace: then it answers, and is left alone).
  if (process.platform !== 'win32' && fs.existsSync(socketPath)) {
    if (await socketAnswers(socketPath)) throw new Error(`another engine answers on ${socketPath}`);
    fs.rmSync(socketPath, { force: true });
  }
  const address: EngineAddress = {
    socket: socketPath,
    token: crypto.randomBytes(32).toString('hex'),
    pid: process.pid,
    kind,
  };
  const sockets = new Set<Socket>();
  let idleWaiters: (() => void)[] = [];
  const server: Server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    });
    serveConnection(host, socket, address, workspaceDir);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  server.on('error', (error) => console.error(`[sift] engine socket: ${error.message}`));
  if (process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
  writeEngineAddress(workspaceDir, address);

  let listening = true;
  const stopListening = async () => {
    if (!listening) return;
    listening = false;
    removeEngineAddress(workspaceDir, address.token);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    address,
    clients: () => sockets.size,
    idle: () => (sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    stopListening,
    close: async () => {
      const closed = stopListening();
      for (const socket of sockets) socket.destroy();
      await closed;
      idleWaiters = [];
    },
  };
}

function serveConnection(host: Dispatcher, socket: Socket, address: EngineAddress, workspaceDir: string): void {
  let authenticated = false;
  let unsubscribe: (() => void) | null = null;
  const startedJobs = new Set<string>();
  // query.run is a call, not a job: its query is cancelled by its id (a killed `sift query` must not leave it running).
  const runningQueries = new Set<string>();
  const refuse = (message: string) => {
    sendLine(socket, { type: 'error', message } satisfies EngineToClient);
    socket.end();
    socket.destroySoon();
  };
  socket.on('error', () => undefined); // a client that vanished: 'close' follows
  socket.once('close', () => {
    unsubscribe?.();
    // A client that went away mid-job (killed, or its terminal closed) leaves no work running for nobody.
    for (const jobId of startedJobs) void host.dispatch('jobs.cancel', { jobId }, OWNER);
    for (const queryId of runningQueries) void host.dispatch('query.cancel', { queryId }, OWNER);
  });
  readLines(
    socket,
    (line) => {
      let message: ClientToEngine;
      try {
        message = JSON.parse(line) as ClientToEngine;
      } catch {
        return refuse('Not a JSON message: each line must be one JSON object.');
      }
      if (typeof message !== 'object' || message === null) return refuse('Not a message: expected a JSON object.');
      if (!authenticated) {
        if (message.type !== 'hello' || !tokenMatches(message.token, address.token))
          return refuse('Refused: the first message must be {"type":"hello","token":…} with the token of engine.json.');
        authenticated = true;
        unsubscribe = host.onEvent((event) => sendLine(socket, { type: 'event', event }));
        return sendLine(socket, { type: 'welcome', dir: workspaceDir, pid: process.pid, kind: address.kind });
      }
      if (message.type !== 'call' || !Number.isSafeInteger(message.id) || typeof message.method !== 'string')
        return refuse('Not a call: expected {"type":"call","id":integer,"method":string,"input":…}.');
      const { id, method } = message;
      const queryId = method === 'query.run' ? queryIdOf(message.input) : null;
      if (queryId !== null) runningQueries.add(queryId);
      void host.dispatch(method, message.input, OWNER).then((outcome) => {
        if (queryId !== null) runningQueries.delete(queryId);
        if (outcome.ok && isJobMethodName(method)) {
          const { jobId } = outcome.value as { jobId: string };
          if (socket.destroyed) void host.dispatch('jobs.cancel', { jobId }, OWNER);
          else startedJobs.add(jobId);
        }
        sendLine(socket, { type: 'result', id, outcome });
      });
    },
    () => refuse(`Refused: a message longer than ${MAX_LINE_BYTES / 1024 / 1024} MB.`),
  );
  // Jobs that ended need no cancelling when the client leaves.
  const forget = host.onEvent((event) => {
    if (event.channel === 'job' && 'job' in event.event && event.event.type !== 'progress')
      startedJobs.delete(event.event.job.id);
  });
  socket.once('close', forget);
}

function queryIdOf(input: unknown): string | null {
  const queryId = typeof input === 'object' && input !== null ? (input as { queryId?: unknown }).queryId : undefined;
  return typeof queryId === 'string' && queryId !== '' ? queryId : null;
}

function tokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
