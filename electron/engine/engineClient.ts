/**
 * The shell's side of the engine process. It forks engineMain, routes each contract call to it and its events
 * back, and is the Dispatcher the browser-mode server and the Electron IPC wiring use. If the engine dies (a
 * native crash in DuckDB or onnxruntime, a kill), calls in flight and running jobs fail with "the engine stopped:
 * <reason>", the UI is told, and a new engine opens the same workspace: what DuckDB acknowledged is in its WAL.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { type Caller, OWNER } from '../../shared/callerAccess.js';
import type { CallOutcome } from '../../shared/contract.js';
import type { SiftErrorInfo } from '../../shared/errors.js';
import type { HostEvent, JobSummary } from '../../shared/jobs.js';
import { nodeChildProcess } from '../host/lazyBuiltins.js';
import { projectRoot } from '../host/projectPaths.js';
import { annotatorCaller } from '../host/workspace/annotatorTokens.js';
import type { FileAccess } from '../host/workspace/workspace.js';
import type { EngineKind } from './engineAddress.js';
import { ENGINE_OPTIONS_ENV, type EngineOptions, type EngineToShell, type ShellToEngine } from './protocol.js';

/** How to start the engine: Node running the TypeScript entry through tsx, or Electron running a bundle as Node. */
export interface EngineRuntime {
  entry: string;
  execPath: string;
  execArgv: string[];
  env: Record<string, string>;
}

export function nodeRuntime(): EngineRuntime {
  return {
    entry: path.join(projectRoot(), 'electron', 'engine', 'engineMain.ts'),
    execPath: process.execPath,
    execArgv: ['--import', 'tsx'],
    env: {},
  };
}

/** The desktop app: the Electron binary itself, told to behave as plain Node, running the bundled engine. */
export function electronRuntime(electronExecPath: string, bundleDir: string): EngineRuntime {
  return {
    entry: path.join(bundleDir, 'engine.mjs'),
    execPath: electronExecPath,
    execArgv: [],
    env: { ELECTRON_RUN_AS_NODE: '1' },
  };
}

type Pending = (outcome: CallOutcome) => void;

export class EngineClient {
  private child: ChildProcess | null = null;
  private ready: Promise<void> = Promise.resolve();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: HostEvent) => void>();
  private readonly runningJobs = new Map<string, JobSummary>();
  private closing = false;
  private dir: string;
  /** Why the last start failed, when it did: calls are answered with it until a start succeeds. */
  private startError: string | null = null;
  /** The engine's process id, for tests and diagnostics. */
  pid: number | undefined;

  private constructor(
    dir: string,
    private readonly fileAccess: FileAccess,
    private readonly runtime: EngineRuntime,
    private readonly kind: EngineKind,
  ) {
    this.dir = path.resolve(dir);
  }

  static async start(options: {
    dir: string;
    fileAccess: FileAccess;
    runtime?: EngineRuntime;
    kind?: EngineKind;
  }): Promise<EngineClient> {
    const client = new EngineClient(
      options.dir,
      options.fileAccess,
      options.runtime ?? nodeRuntime(),
      options.kind ?? 'app',
    );
    client.spawn();
    await client.ready;
    if (client.startError) {
      await client.close();
      throw new Error(client.startError);
    }
    return client;
  }

  /** The workspace the engine has open (it follows workspace.open). */
  workspaceDir(): string {
    return this.dir;
  }

  /** Read here, not in the engine: checking a token needs no DuckDB and no round trip. */
  callerForToken(token: string | null): Caller | null {
    return annotatorCaller(this.dir, token);
  }

  private spawn(): void {
    const child = nodeChildProcess().fork(this.runtime.entry, [], {
      execPath: this.runtime.execPath,
      execArgv: this.runtime.execArgv,
      env: {
        ...process.env,
        ...this.runtime.env,
        [ENGINE_OPTIONS_ENV]: JSON.stringify({
          dir: this.dir,
          fileAccess: this.fileAccess,
          kind: this.kind,
        } satisfies EngineOptions),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.pid = child.pid;
    this.ready = new Promise<void>((resolve) => {
      const settle = (error: string | null) => {
        this.startError = error;
        resolve();
      };
      child.on('message', (message: EngineToShell) => {
        if (message.type === 'ready') {
          this.dir = message.dir;
          settle(null);
        } else if (message.type === 'failed') settle(`The engine could not open ${this.dir}: ${message.message}`);
        else this.receive(message);
      });
      // 'close', not 'exit': it comes after the IPC channel has delivered everything, a last 'failed' included.
      child.once('close', (code, signal) => {
        settle(`The engine stopped while opening ${this.dir} (${signal ?? `exit code ${code}`}).`);
        this.onExit(child, signal ?? `exit code ${code}`);
      });
    });
  }

  private receive(message: EngineToShell): void {
    if (message.type === 'result') {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message.outcome);
    } else if (message.type === 'event') {
      const { event } = message;
      if (event.channel === 'job') {
        if (event.event.type === 'progress') this.runningJobs.set(event.event.job.id, event.event.job);
        else if ('job' in event.event) this.runningJobs.delete(event.event.job.id);
      }
      this.emit(event);
    }
  }

  private emit(event: HostEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private onExit(child: ChildProcess, reason: string): void {
    if (child !== this.child) return;
    this.child = null;
    if (this.closing) return;
    const error: SiftErrorInfo = {
      code: 'ENGINE_STOPPED',
      message: `The engine stopped: ${reason}. Sift restarted it on the same workspace; run that again.`,
    };
    for (const resolve of this.pending.values()) resolve({ ok: false, error });
    this.pending.clear();
    const finishedAt = new Date().toISOString();
    for (const job of this.runningJobs.values())
      this.emit({ channel: 'job', event: { type: 'failed', job: { ...job, status: 'failed', error, finishedAt } } });
    this.runningJobs.clear();
    this.emit({ channel: 'engine', event: { type: 'stopped', reason } });
    this.spawn();
    void this.ready.then(() => {
      if (!this.startError) this.emit({ channel: 'engine', event: { type: 'restarted' } });
      this.emit({ channel: 'workspace', event: { type: 'opened' } });
    });
  }

  /** One contract call, answered by the engine; never throws. */
  async dispatch(method: string, input: unknown, caller: Caller = OWNER): Promise<CallOutcome> {
    await this.ready;
    const child = this.child;
    if (this.startError || !child)
      return { ok: false, error: { code: 'ENGINE_STOPPED', message: this.startError ?? 'The engine is not running.' } };
    const id = this.nextId++;
    return new Promise<CallOutcome>((resolve) => {
      this.pending.set(id, resolve);
      const message: ShellToEngine = { type: 'call', id, method, input, caller };
      child.send(message, (error) => {
        if (!error) return;
        this.pending.delete(id);
        resolve({
          ok: false,
          error: { code: 'ENGINE_STOPPED', message: `The engine could not be reached: ${error.message}` },
        });
      });
    });
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Asks the engine to close its workspace and exit; kills it if it has not within `graceMs`. With `outlive`
   * (a closing window), an engine whose feeds or monitors have work stays on, headless, and is let go.
   */
  async close(graceMs = 10_000, options: { outlive?: boolean } = {}): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (options.outlive && (await this.staysOn(child))) {
      if (child.connected) child.disconnect();
      child.unref();
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected)
      child.send({ type: 'close' } satisfies ShellToEngine, () => child.connected && child.disconnect());
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Whether the engine stays on once let go (its answer to `release`; no answer within 5 s: no). */
  private staysOn(child: ChildProcess): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(false), 5_000);
      const onMessage = (message: EngineToShell) => message.type === 'released' && settle(message.staysOn);
      const settle = (stays: boolean) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(stays);
      };
      child.on('message', onMessage);
      child.send({ type: 'release' } satisfies ShellToEngine, (error) => error && settle(false));
    });
  }
}
