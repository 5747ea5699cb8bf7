/**
 * The monitors as an always-on service (electron/host/alwaysOn.ts): every monitor checks every `every`, and all
 * check at once when a feed takes a file (its `taken` event), so an alert follows new data by the time of a check,
 * not of an interval. A burst of files while a check runs asks for one more check, not one per file.
 */
import type { HostEvent } from '../../../shared/jobs.js';
import type { HostServices } from '../services.js';

export class MonitorsAlwaysOn {
  readonly name = 'monitors';
  private unsubscribe: (() => void) | null = null;
  private checking: Promise<unknown> | null = null;
  private again = false;

  constructor(private readonly host: HostServices) {}

  async start(): Promise<void> {
    this.unsubscribe = this.host.onEvent((event) => this.onEvent(event));
    await this.host.monitors.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.host.monitors.stop();
    await this.checking?.catch(() => undefined);
  }

  hasWork(): boolean {
    return this.host.monitors.monitorCount > 0;
  }

  private onEvent(event: HostEvent): void {
    if (event.channel !== 'feed' || event.event.type !== 'taken') return;
    if (this.checking) {
      this.again = true;
      return;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.host.monitors.dataChanged().catch((error: unknown) => {
          console.error(`sift: monitors: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        });
      } while (this.again && this.unsubscribe);
    };
    this.checking = run().finally(() => (this.checking = null));
  }
}
