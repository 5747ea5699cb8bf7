/**
 * A client of a running engine (engineListener.ts): the Dispatcher a `sift` command, `sift serve` or a second window
 * uses when another process already holds the workspace. Its calls are answered by that engine's Host.dispatch; its
 * events are the engine's. If the connection drops (the engine crashed or closed), calls in flight and jobs followed
 * through it fail with ENGINE_STOPPED, naming the process that held the workspace.
 */
import type { Socket } from 'node:net';
import type { Caller } from '../../shared/callerAccess.js';
import { type CallOutcome, isJobMethodName } from '../../shared/contract.js';
import type { SiftErrorInfo } from '../../shared/errors.js';
import type { HostEvent, JobSummary } from '../../shared/jobs.js';
import { annotatorCaller } from '../host/workspace/annotatorTokens.js';
import { type EngineAddress, type EngineKind, processAlive, readEngineAddress } from './engineAddress.js';
import { type EngineToClient, readLines, sendLine } from './socketProtocol.js';

const KIND_NAMES: Record<EngineKind, string> = {
  app: 'the Sift app',
  serve: 'sift serve',
  watch: 'sift watch run',
  cli: 'another sift command',
};

/** How long a connection waits for the engine's welcome before taking the address as no engine's. */
const WELCOME_TIMEOUT_MS = 10_000;

export class EngineConnection {
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: CallOutcome) => void>();
  private readonly listeners = new Set<(event: HostEvent) => void>();
  /** Jobs started through this connection and not yet ended: failed here if the connection drops. */
  private readonly jobs = new Map<string, JobSummary>();
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly dir: string,
    readonly pid: number,
    readonly kind: EngineKind,
  ) {
    socket.once('close', () => this.failInFlight());
  }

  /**
   * Connects to the engine `.sift/engine.json` names, or answers null when there is none to reach: no address, a
   * dead pid, a socket that refuses, a token no longer the engine's (a stale file, ignored).
   */
  static async connect(workspaceDir: string, options: { welcomeMs?: number } = {}): Promise<EngineConnection | null> {
    const address = readEngineAddress(workspaceDir);
    if (!address || !processAlive(address.pid)) return null;
    return EngineConnection.connectTo(address, options.welcomeMs ?? WELCOME_TIMEOUT_MS);
  }

  private static async connectTo(address: EngineAddress, welcomeMs: number): Promise<EngineConnection | null> {
    const net = await import('node:net');
    return new Promise((resolve) => {
      const socket = net.connect(address.socket);
      let connection: EngineConnection | null = null;
      const fail = () => {
        clearTimeout(unanswered);
        socket.destroy();
        resolve(null);
      };
      // A socket that accepts and never welcomes (a wedged engine, or a stranger's listener at a stale address) is
      // no engine to reach: without this a command would wait on it forever.
      const unanswered = setTimeout(fail, welcomeMs);
      socket.once('error', fail);
      socket.once('close', () => resolve(connection));
      socket.once('connect', () => sendLine(socket, { type: 'hello', token: address.token }));
      readLines(
        socket,
        (line) => {
          const message = parse(line);
          if (!message) return fail();
          if (connection) return connection.receive(message);
          if (message.type !== 'welcome') return fail();
          clearTimeout(unanswered);
          socket.off('error', fail);
          socket.on('error', () => undefined); // 'close' follows, and fails what is in flight
          connection = new EngineConnection(socket, message.dir, message.pid, message.kind);
          resolve(connection);
        },
        fail,
      );
    });
  }

  /** Who holds the workspace, for messages: "sift serve (PID 123)". */
  holder(): string {
    return `${KIND_NAMES[this.kind]} (PID ${this.pid})`;
  }

  workspaceDir(): string {
    return this.dir;
  }

  callerForToken(token: string | null): Caller | null {
    return annotatorCaller(this.dir, token);
  }

  /** One contract call, answered by the engine as the owner (the engine decides who a socket client is); never throws. */
  dispatch(method: string, input: unknown): Promise<CallOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, error: this.stoppedError() });
    const id = this.nextId++;
    return new Promise<CallOutcome>((resolve) => {
      this.pending.set(id, (outcome) => {
        if (outcome.ok && isJobMethodName(method)) {
          const { jobId } = outcome.value as { jobId: string };
          const now = new Date().toISOString();
          this.jobs.set(jobId, {
            id: jobId,
            method,
            title: method,
            status: 'running',
            progress: null,
            message: '',
            startedAt: now,
          });
        }
        resolve(outcome);
      });
      sendLine(this.socket, { type: 'call', id, method, input });
    });
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` once the connection has ended (closed here, or the engine went away). */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.socket.once('close', listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.end();
    await closed;
  }

  private receive(message: EngineToClient): void {
    if (message.type === 'result') {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message.outcome);
    } else if (message.type === 'event') {
      const { event } = message;
      if (event.channel === 'job' && 'job' in event.event) {
        const { job } = event.event;
        if (event.event.type !== 'progress') this.jobs.delete(job.id);
        else if (this.jobs.has(job.id)) this.jobs.set(job.id, job);
      }
      for (const listener of this.listeners) listener(event);
    }
  }

  private stoppedError(): SiftErrorInfo {
    return {
      code: 'ENGINE_STOPPED',
      message: `The engine holding ${this.dir} (${this.holder()}) closed or stopped; run that again.`,
    };
  }

  private failInFlight(): void {
    if (this.closed) return;
    this.closed = true;
    const error = this.stoppedError();
    for (const resolve of this.pending.values()) resolve({ ok: false, error });
    this.pending.clear();
    const finishedAt = new Date().toISOString();
    for (const job of this.jobs.values()) {
      const event: HostEvent = {
        channel: 'job',
        event: { type: 'failed', job: { ...job, status: 'failed', error, finishedAt } },
      };
      for (const listener of this.listeners) listener(event);
    }
    this.jobs.clear();
  }
}

function parse(line: string): EngineToClient | null {
  try {
    const message = JSON.parse(line) as EngineToClient;
    return typeof message === 'object' && message !== null ? message : null;
  } catch {
    return null;
  }
}
