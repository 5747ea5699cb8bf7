/**
 * Messages on an engine's socket (engineAddress.ts): one JSON object a line. A client first says hello with the
 * token from `.sift/engine.json`; then it makes contract calls, answered by Host.dispatch as the owner, and receives
 * the engine's events (job progress and ends among them).
 */
import type { Socket } from 'node:net';
import type { CallOutcome } from '../../shared/contract.js';
import type { HostEvent } from '../../shared/jobs.js';
import type { EngineKind } from './engineAddress.js';

export type ClientToEngine =
  { type: 'hello'; token: string } | { type: 'call'; id: number; method: string; input: unknown };

export type EngineToClient =
  | { type: 'welcome'; dir: string; pid: number; kind: EngineKind }
  | { type: 'result'; id: number; outcome: CallOutcome }
  | { type: 'event'; event: HostEvent }
  /** A message the engine could not take (not JSON, no such type, no token): the connection ends after it. */
  | { type: 'error'; message: string };

/** A line longer than this is refused: no call's input comes near it, and the engine must not buffer without end. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export function sendLine(socket: Socket, message: ClientToEngine | EngineToClient): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
}

/**
 * Calls `onLine` with each complete line the socket receives (as text), `onOverflow` once if a line grows past
 * MAX_LINE_BYTES.
 */
export function readLines(socket: Socket, onLine: (line: string) => void, onOverflow: () => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const line = Buffer.concat([...pending, chunk.subarray(start, newline)]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
      if (line.trim() !== '') onLine(line);
      if (socket.destroyed) return;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) {
        pending = [];
        onOverflow();
      }
    }
  });
}
