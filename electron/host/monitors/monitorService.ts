/**
 * The monitors of one open workspace: their definitions, checks (one at a time, by data time: checks.ts), alerts
 * and deliveries (delivery.ts). Checks run when asked (`monitors.check`), and — once the always-on services call
 * `start()` — every monitor's `every`, and at once when a feed reports new data (`dataChanged()`). Retries of
 * failed deliveries run whenever they are due while the workspace is open. Raised alerts go out on the host's
 * `monitor` channel (the desktop notification, the Monitor view).
 */
import os from 'node:os';
import type {
  AlertInfo,
  AlertStatus,
  CheckResult,
  DeliveryRecord,
  MonitorInfo,
  MonitorSeries,
  ParsedInputOf,
} from '../../../shared/contract.js';
import type { HostEvent } from '../../../shared/jobs.js';
import { shownWebhook } from '../../../shared/monitors.js';
import { computePool } from '../compute/workerPool.js';
import type { Workspace } from '../workspace/workspace.js';
import { checkMonitor } from './checks.js';
import { judgeMonitorSeriesTask } from './computeTasks.js';
import { addMonitor, removeMonitor, updateMonitor } from './definitions.js';
import { DEFAULT_DELIVERY, deliverDue, type DeliveryOptions } from './delivery.js';
import { getAlert, getMonitor, listAlerts, listMonitors, MONITOR_DDL, readRows } from './monitorStore.js';
import { readSeries } from './series.js';
import type { DuckDBConnection } from '@duckdb/node-api';

const defaultActor = () => {
  try {
    return os.userInfo().username || 'owner';
  } catch {
    return 'owner';
  }
};

export class MonitorService {
  /** How deliveries time out and back off; tests shorten them. */
  delivery: DeliveryOptions = DEFAULT_DELIVERY;
  private tables: Promise<void> | null = null;
  private checks: Promise<unknown> = Promise.resolve();
  private timers = new Map<string, NodeJS.Timeout>();
  private started = false;
  private closed = false;
  private delivering: Promise<void> | null = null;
  private deliverAgain = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly workspace: Workspace,
    private readonly emit: (event: HostEvent) => void,
  ) {}

  private async store<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.tables ??= this.workspace.withStore((conn) => conn.run(MONITOR_DDL)).then(() => undefined);
    this.tables.catch(() => (this.tables = null));
    await this.tables;
    return this.workspace.withStore(work);
  }

  private changed(monitor: string, what: 'checked' | 'alert' | 'delivery' | 'definition'): void {
    this.emit({ channel: 'monitor', event: { type: 'changed', monitor, what } });
  }

  list(): Promise<MonitorInfo[]> {
    return this.store((conn) => listMonitors(conn));
  }

  async add(input: ParsedInputOf<'monitors.add'>): Promise<MonitorInfo> {
    const monitor = await this.store((conn) => addMonitor(conn, input));
    this.monitorCount = (await this.list()).length;
    this.changed(monitor.name, 'definition');
    this.schedule(monitor);
    return monitor;
  }

  async update(input: ParsedInputOf<'monitors.update'>): Promise<MonitorInfo> {
    const monitor = await this.store((conn) => updateMonitor(conn, input));
    this.changed(monitor.name, 'definition');
    this.schedule(monitor);
    return monitor;
  }

  async remove(name: string): Promise<{ removed: boolean }> {
    const removed = await this.store((conn) => removeMonitor(conn, name));
    clearInterval(this.timers.get(name));
    this.timers.delete(name);
    if (removed) this.monitorCount = Math.max(0, this.monitorCount - 1);
    if (removed) this.changed(name, 'definition');
    return { removed };
  }

  /** Checks one monitor, or all; one check at a time. New alerts are delivered before this answers (first try). */
  check(name?: string): Promise<CheckResult[]> {
    const run = this.checks.then(() => this.checkNow(name));
    this.checks = run.catch(() => undefined);
    return run;
  }

  private async checkNow(name?: string): Promise<CheckResult[]> {
    const monitors = name === undefined ? await this.list() : [await this.store((conn) => getMonitor(conn, name))];
    const results: CheckResult[] = [];
    for (const monitor of monitors) {
      const outcome = await checkMonitor(this.workspace, monitor).catch((error: unknown) => {
        // One monitor's missing table does not stop the others; it is recorded on the monitor.
        if (name !== undefined) throw error;
        return { bucketsChecked: 0, raised: [], updated: [] };
      });
      const raised = await this.store((conn) => listAlerts(conn, { ids: outcome.raised }));
      for (const alert of raised) this.emit({ channel: 'monitor', event: { type: 'alert', alert } });
      if (outcome.raised.length + outcome.updated.length > 0) this.changed(monitor.name, 'alert');
      this.changed(monitor.name, 'checked');
      results.push({ monitor: monitor.name, bucketsChecked: outcome.bucketsChecked, raised });
    }
    if (results.some((result) => result.raised.length > 0)) await this.deliver();
    return results;
  }

  /** Makes the delivery tries that are due; a call during a pass runs another pass after it. */
  deliver(): Promise<void> {
    if (this.delivering) {
      this.deliverAgain = true;
      return this.delivering;
    }
    this.delivering = (async () => {
      do {
        this.deliverAgain = false;
        const pass = await deliverDue(this.workspace, this.delivery);
        for (const monitor of pass.monitors) this.changed(monitor, 'delivery');
        this.planRetry(pass.nextDueAt);
      } while (this.deliverAgain && !this.closed);
    })().finally(() => (this.delivering = null));
    return this.delivering;
  }

  private planRetry(dueAt: number | null): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (dueAt === null || this.closed) return;
    this.retryTimer = setTimeout(() => void this.deliver().catch(reportError), Math.max(0, dueAt - Date.now()));
    // A command that checked once exits; the outbox keeps what is still to try for the always-on services.
    if (!this.started) this.retryTimer.unref();
  }

  /** Monitors defined (as of start, add and remove): whether the always-on services have work. */
  monitorCount = 0;

  /** Runs every monitor every `every` (and the deliveries due) until stop or close. */
  async start(): Promise<void> {
    this.started = true;
    const monitors = await this.list();
    this.monitorCount = monitors.length;
    for (const monitor of monitors) this.schedule(monitor);
    await this.deliver();
  }

  /** Ends the schedule (calls still answer); retries still due run while the workspace stays open. */
  async stop(): Promise<void> {
    this.started = false;
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    this.retryTimer?.unref();
    await this.checks;
  }

  /** New data arrived (a feed committed a file): every monitor checks at once. */
  dataChanged(): Promise<CheckResult[]> {
    return this.check();
  }

  private schedule(monitor: MonitorInfo): void {
    if (!this.started || this.closed) return;
    clearInterval(this.timers.get(monitor.name));
    this.timers.set(
      monitor.name,
      setInterval(() => void this.check(monitor.name).catch(reportError), monitor.everyMs),
    );
  }

  async series(name: string, buckets = 48): Promise<MonitorSeries> {
    const monitor = await this.store((conn) => getMonitor(conn, name));
    const data = await this.workspace.withConnection((conn) => readSeries(conn, monitor));
    const from = Math.max(0, data.buckets.length - buckets);
    const band = (value: number | null, spread: number | null, sign: number) =>
      value === null || spread === null ? null : Math.max(0, value + sign * monitor.threshold * spread);
    return {
      monitor: name,
      measure: monitor.measure,
      buckets: data.buckets.slice(from).map((ms) => new Date(ms).toISOString()),
      series: (await computePool().run(judgeMonitorSeriesTask, [monitor, data])).map((series) => ({
        name: series.name,
        values: series.values.slice(from),
        expected: series.expected.slice(from),
        low: series.expected.slice(from).map((value, i) => band(value, series.spread[from + i] ?? null, -1)),
        high: series.expected.slice(from).map((value, i) => band(value, series.spread[from + i] ?? null, 1)),
      })),
    };
  }

  alerts(filter: { monitor?: string; status?: AlertStatus; limit?: number }): Promise<AlertInfo[]> {
    return this.store((conn) => listAlerts(conn, filter));
  }

  async setStatus(id: string, status: 'acknowledged' | 'resolved', by?: string, note?: string): Promise<AlertInfo> {
    const alert = await this.store(async (conn) => {
      await getAlert(conn, id);
      const who = by?.trim() || defaultActor();
      const column = status === 'acknowledged' ? 'acknowledged' : 'resolved';
      await conn.run(
        `UPDATE monitor_alerts SET status = $status, ${column}_by = $who, ${column}_at = $now, note = coalesce($note, note) WHERE id = $id`,
        { status, who, now: Date.now(), note: note ?? null, id },
      );
      return getAlert(conn, id);
    });
    this.changed(alert.monitor, 'alert');
    return alert;
  }

  deliveries(filter: { alertId?: string; monitor?: string; limit?: number }): Promise<DeliveryRecord[]> {
    return this.store(async (conn) => {
      const rows = await readRows(
        conn,
        `SELECT d.*, a.monitor, w.url FROM alert_deliveries d
         JOIN monitor_alerts a ON a.id = d.alert_id LEFT JOIN monitor_webhooks w ON w.id = d.webhook_id
         WHERE ($alert IS NULL OR d.alert_id = $alert) AND ($monitor IS NULL OR a.monitor = $monitor)
         ORDER BY d.tried_at DESC, d.attempt DESC LIMIT ${filter.limit ?? 200}`,
        { alert: filter.alertId ?? null, monitor: filter.monitor ?? null },
      );
      return rows.map((row) => ({
        alertId: String(row.alert_id),
        monitor: String(row.monitor),
        webhookId: String(row.webhook_id),
        webhook: row.url === null ? '(removed)' : shownWebhook(String(row.url)),
        attempt: Number(row.attempt),
        at: new Date(Number(row.tried_at)).toISOString(),
        outcome: String(row.outcome) as DeliveryRecord['outcome'],
        httpStatus: row.http_status === null ? null : Number(row.http_status),
        error: row.error === null ? null : String(row.error),
        nextAttemptAt: row.next_attempt_at === null ? null : new Date(Number(row.next_attempt_at)).toISOString(),
      }));
    });
  }

  /** Stops the timers and waits for a check or delivery pass in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.checks;
    await this.delivering?.catch(() => undefined);
  }
}

function reportError(error: unknown): void {
  console.error(`sift: monitor: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
}
