/**
 * The always-on services of an open workspace: the work that runs by itself, not because a call asked for it —
 * folder feeds (feeds/) and monitors. One registry, one start and one stop, so the engine process of the app and of
 * `sift serve` and the headless `sift watch run` run the same services the same way, and the engine can ask whether
 * any of them has work (a feed or a monitor registered, or work in flight) before it ends with a closed window.
 *
 * A service plugs in by adding its factory to ALWAYS_ON below. Its contract: `start` begins its own timers and
 * returns at once (it reconciles what a crash left first); `stop` ends them, interrupts or finishes work in flight,
 * and leaves nothing half-written; `hasWork` answers from what it holds (no I/O). A service reads the workspace
 * through `HostServices` afresh, and a workspace switch stops every service and starts new ones on the new workspace.
 */
import { FeedService } from './feeds/feedService.js';
import { MonitorsAlwaysOn } from './monitors/monitorsAlwaysOn.js';
import type { HostServices } from './services.js';

export interface AlwaysOnService {
  /** For logs and errors: `feeds`, `monitors`. */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether it has something to do while nobody is connected (a registered feed or monitor, work in flight). */
  hasWork(): boolean;
}

export type AlwaysOnFactory = (host: HostServices) => AlwaysOnService;

/** The always-on services, in the order they start (and stop in reverse). */
const ALWAYS_ON: AlwaysOnFactory[] = [(host) => new FeedService(host), (host) => new MonitorsAlwaysOn(host)];

export class AlwaysOn {
  private running: AlwaysOnService[] | null = null;
  /** Start and stop calls, one after another (a stop during a start waits for it). */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: HostServices,
    private readonly factories: readonly AlwaysOnFactory[] = ALWAYS_ON,
  ) {}

  /** Whether start() has run (and stop() not since). */
  get isRunning(): boolean {
    return this.running !== null;
  }

  /** The services running now, by name (for tests and status). */
  services(): readonly AlwaysOnService[] {
    return this.running ?? [];
  }

  /** Starts every service (idempotent). A service that fails to start is reported and the others still run. */
  start(): Promise<void> {
    return this.queue(async () => {
      if (this.running) return;
      const started: AlwaysOnService[] = [];
      for (const make of this.factories) {
        const service = make(this.host);
        try {
          await service.start();
          started.push(service);
        } catch (error) {
          console.error(`sift: the ${service.name} service did not start: ${errorText(error)}`);
        }
      }
      this.running = started;
    });
  }

  /** Stops every service, the last started first (idempotent). */
  stop(): Promise<void> {
    return this.queue(async () => {
      const running = this.running;
      this.running = null;
      for (const service of [...(running ?? [])].reverse()) {
        await service.stop().catch((error: unknown) => {
          console.error(`sift: the ${service.name} service did not stop cleanly: ${errorText(error)}`);
        });
      }
    });
  }

  /** Whether any running service has work: the engine outlives a closed window while this is true. */
  hasWork(): boolean {
    return (this.running ?? []).some((service) => service.hasWork());
  }

  private queue(work: () => Promise<void>): Promise<void> {
    const next = this.turn.then(work);
    this.turn = next.catch(() => undefined);
    return next;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
