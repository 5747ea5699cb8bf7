/**
 * The Monitor view's state: every monitor with its recent buckets, the alerts not yet resolved, and the reports
 * pinned to the dashboard. It follows the host's events: a raised alert (notified in browser mode), a check, a
 * delivery, a feed that brought rows (the pinned charts draw again).
 */
import { create } from 'zustand';
import type { AlertInfo, MonitorEvent, MonitorInfo, MonitorSeries, ReportSummary } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { notifyAlert } from './webNotifications';

/** Buckets the sparkline shows: a week of hours, two days of quarter hours, a month of days. */
export const SPARK_BUCKETS = { hour: 168, '15min': 192, day: 30 } as const;

interface MonitorViewState {
  monitors: MonitorInfo[];
  /** Open and acknowledged alerts, newest first (resolved ones too while `showResolved`). */
  alerts: AlertInfo[];
  series: Record<string, MonitorSeries>;
  pinned: ReportSummary[];
  /** Counts the times a feed brought rows: pinned charts run again when it moves. */
  dataVersion: number;
  selected: string | null;
  showResolved: boolean;
  loaded: boolean;
  error: string | null;
  note: string | null;
  load(): Promise<void>;
  loadAlerts(): Promise<void>;
  loadSeries(name: string): Promise<void>;
  loadPinned(): Promise<void>;
  select(name: string | null): void;
  setShowResolved(show: boolean): void;
  act(alert: AlertInfo, action: 'acknowledge' | 'resolve'): Promise<void>;
  savePlaybook(name: string, playbook: string): Promise<boolean>;
  checkNow(name: string): Promise<void>;
  /** A `monitor` host event. */
  apply(event: MonitorEvent): void;
  /** A feed took a file: the data moved. */
  dataArrived(): void;
}

/**
 * Alerts raised together (one check over a day of new data) make one notification per monitor, not one each:
 * the strongest alert, and how many came with it.
 */
let pendingAlerts: AlertInfo[] = [];
let notifyTimer: ReturnType<typeof setTimeout> | null = null;
function queueNotification(alert: AlertInfo): void {
  pendingAlerts.push(alert);
  notifyTimer ??= setTimeout(() => {
    const byMonitor = new Map<string, AlertInfo[]>();
    for (const alert of pendingAlerts) byMonitor.set(alert.monitor, [...(byMonitor.get(alert.monitor) ?? []), alert]);
    pendingAlerts = [];
    notifyTimer = null;
    for (const [monitor, alerts] of byMonitor) {
      const strongest = [...alerts].sort((a, b) => Math.abs(b.z) - Math.abs(a.z))[0]!;
      const line = `${strongest.series}: ${strongest.count} in ${strongest.windowStart.slice(0, 16).replace('T', ' ')} UTC, expected ${strongest.expected} (z ${strongest.z.toFixed(1)})`;
      notifyAlert(
        alerts.length === 1 ? `Sift: ${monitor} is alerting` : `Sift: ${monitor} raised ${alerts.length} alerts`,
        alerts.length === 1 ? line : `${line}, and ${alerts.length - 1} more`,
        `sift-alert-${strongest.id}`,
      );
    }
  }, 300);
}

/** A burst of events (a check raising several alerts) reloads once. */
let reloadTimer: ReturnType<typeof setTimeout> | null = null;
let dataTimer: ReturnType<typeof setTimeout> | null = null;
const seriesTimers = new Map<string, ReturnType<typeof setTimeout>>();

export const useMonitor = create<MonitorViewState>((set, get) => ({
  monitors: [],
  alerts: [],
  series: {},
  pinned: [],
  dataVersion: 0,
  selected: null,
  showResolved: false,
  loaded: false,
  error: null,
  note: null,
  async load() {
    try {
      const monitors = await api['monitors.list']({});
      const selected = get().selected;
      set({
        monitors,
        loaded: true,
        error: null,
        selected: selected && monitors.some((m) => m.name === selected) ? selected : (monitors[0]?.name ?? null),
      });
      await Promise.all([get().loadAlerts(), ...monitors.map((monitor) => get().loadSeries(monitor.name))]);
    } catch (error) {
      set({ error: errorMessage(error), loaded: true });
    }
  },
  async loadAlerts() {
    const lists = await Promise.all(
      (get().showResolved ? [undefined] : (['open', 'acknowledged'] as const)).map((status) =>
        api['alerts.list']({ ...(status ? { status } : {}), limit: 500 }),
      ),
    );
    // Newest raised first, and of one check's alerts the strongest. An acknowledged alert keeps its place (the
    // keyboard's focus stays on it).
    const alerts = lists
      .flat()
      .sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || Math.abs(b.z) - Math.abs(a.z) || a.id.localeCompare(b.id),
      );
    set({ alerts });
  },
  async loadSeries(name) {
    const monitor = get().monitors.find((m) => m.name === name);
    if (!monitor) return;
    try {
      const series = await api['monitors.series']({ name, buckets: SPARK_BUCKETS[monitor.bucket] });
      set({ series: { ...get().series, [name]: series } });
    } catch {
      // A source table not there yet: the monitor's card says why from its last check.
    }
  },
  async loadPinned() {
    try {
      const reports = await api['reports.list']({});
      set({ pinned: reports.filter((report) => report.pinned) });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  select(name) {
    set({ selected: name });
  },
  setShowResolved(showResolved) {
    set({ showResolved });
    void get().loadAlerts();
  },
  async act(alert, action) {
    try {
      const updated = await api[action === 'acknowledge' ? 'alerts.acknowledge' : 'alerts.resolve']({ id: alert.id });
      set({
        alerts: get()
          .alerts.map((a) => (a.id === updated.id ? updated : a))
          .filter((a) => get().showResolved || a.status !== 'resolved'),
        note: `${alert.monitor} · ${alert.series}: ${updated.status}${updated.status === 'resolved' ? '' : ` by ${updated.acknowledgedBy ?? '—'}`}.`,
      });
      set({ monitors: await api['monitors.list']({}) });
    } catch (error) {
      set({ note: errorMessage(error) });
    }
  },
  async savePlaybook(name, playbook) {
    try {
      const updated = await api['monitors.update']({ name, playbook });
      set({
        monitors: get().monitors.map((m) => (m.name === name ? updated : m)),
        note: `Saved the playbook of ${name}.`,
      });
      return true;
    } catch (error) {
      set({ note: errorMessage(error) });
      return false;
    }
  },
  async checkNow(name) {
    try {
      const [result] = await api['monitors.check']({ name });
      set({
        note: `${name}: ${result?.bucketsChecked ?? 0} bucket(s) checked, ${result?.raised.length ?? 0} alert(s) raised.`,
      });
      await get().load();
    } catch (error) {
      set({ note: errorMessage(error) });
    }
  },
  apply(event) {
    if (event.type === 'alert') queueNotification(event.alert);
    if (!get().loaded) return; // the view was never opened: it loads afresh when it is
    if (event.type === 'changed' && (event.what === 'checked' || event.what === 'definition')) {
      const name = event.monitor;
      clearTimeout(seriesTimers.get(name));
      seriesTimers.set(
        name,
        setTimeout(() => void get().loadSeries(name), 150),
      );
    }
    if (reloadTimer) clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      void api['monitors.list']({}).then(
        (monitors) => {
          const known = new Set(get().monitors.map((m) => m.name));
          set({ monitors });
          for (const monitor of monitors) if (!known.has(monitor.name)) void get().loadSeries(monitor.name);
          if (!get().selected && monitors[0]) set({ selected: monitors[0].name });
        },
        () => undefined,
      );
      void get()
        .loadAlerts()
        .catch(() => undefined);
    }, 150);
  },
  dataArrived() {
    // A feed taking many files at once redraws once.
    if (dataTimer) clearTimeout(dataTimer);
    dataTimer = setTimeout(() => {
      dataTimer = null;
      set({ dataVersion: get().dataVersion + 1 });
    }, 300);
  },
}));
