/**
 * Monitors and their alerts: a monitor checks bucketed counts (or shares, or the model's auto-action rate) of a
 * source by data time, records one alert per (monitor, series, window) in Sift's store, and delivers it to its
 * webhooks. Adding or changing monitors and webhooks is the owner's (shared/callerAccess.ts lists no monitor method
 * for annotators). A webhook's URL never leaves the host: lists show its host only.
 */
import { z } from 'zod/v3';
import {
  PLAYBOOK_MAX_CHARS,
  everyProblem,
  MONITOR_BUCKETS,
  MONITOR_DIRECTIONS,
  MONITOR_MEASURES,
  MONITOR_SOURCES,
  type MonitorBucket,
  type MonitorDirection,
  type MonitorMeasure,
  type MonitorSource,
  webhookProblem,
} from '../monitors.js';
import { method, nonEmpty } from './base.js';

export type { MonitorBucket, MonitorDirection, MonitorMeasure, MonitorSource } from '../monitors.js';

/** quiet: no open alert; alerting: an open or acknowledged alert; delivery failing: a webhook's last try failed. */
export type MonitorState = 'quiet' | 'alerting' | 'delivery failing';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export type WebhookState = 'untried' | 'ok' | 'failing';

export interface WebhookInfo {
  /** Stable per webhook; names it in `monitors.update` (removeWebhooks) and in delivery records. */
  id: string;
  /** Host only (`https://hooks.example.com/…`): the URL itself is a secret and never leaves the host. */
  shown: string;
  state: WebhookState;
  lastAttemptAt: string | null;
  /** The last failure, in words (an HTTP status, a timeout), never the URL. */
  lastError: string | null;
}

export interface MonitorInfo {
  name: string;
  source: MonitorSource;
  by: string;
  bucket: MonitorBucket;
  measure: MonitorMeasure;
  direction: MonitorDirection;
  threshold: number;
  minCount: number;
  /** The check interval as typed (`5s`, `1m`) and in milliseconds. */
  every: string;
  everyMs: number;
  webhooks: WebhookInfo[];
  /** Markdown: what an alert of this monitor means and what to do, shown with its alerts. */
  playbook: string;
  state: MonitorState;
  openAlerts: number;
  createdAt: string;
  /** Wall-clock time of the last check; null before the first. */
  lastCheckAt: string | null;
  /** The newest bucket (data time) the last check saw. */
  checkedThrough: string | null;
  /** Why the last check failed (a missing table), or null. */
  lastCheckError: string | null;
}

export interface AlertInfo {
  id: string;
  monitor: string;
  series: string;
  /** The window: a run of consecutive anomalous buckets, ISO 8601 UTC, end exclusive. */
  windowStart: string;
  windowEnd: string;
  /** Rows in the window, and what the baseline expected (for share and rate: the expected share × the bucket's rows). */
  count: number;
  expected: number;
  /** The largest |z| in the window, signed. */
  z: number;
  status: AlertStatus;
  /** When the alert was raised (wall clock). */
  createdAt: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  note: string | null;
  /** For "investigate": the spike drill at this window takes these. */
  source: MonitorSource;
  by: string;
  bucket: MonitorBucket;
  /** delivered: every webhook took it; pending: a try is due; failing: a webhook's last try failed; none: no webhooks. */
  delivery: 'none' | 'pending' | 'delivered' | 'failing';
}

export interface DeliveryRecord {
  alertId: string;
  monitor: string;
  webhookId: string;
  webhook: string;
  attempt: number;
  at: string;
  outcome: 'delivered' | 'failed';
  httpStatus: number | null;
  error: string | null;
  /** When the next try is due (null once delivered or given up). */
  nextAttemptAt: string | null;
}

/** For the sparkline: a monitor's recent buckets, each series' values and its expected band. */
export interface MonitorSeries {
  monitor: string;
  measure: MonitorMeasure;
  buckets: string[];
  series: {
    name: string;
    /** Counts, or shares/rates (0..1) for those measures. */
    values: number[];
    expected: (number | null)[];
    /** expected ± threshold × spread; null without enough history. */
    low: (number | null)[];
    high: (number | null)[];
  }[];
}

export interface CheckResult {
  monitor: string;
  /** Buckets new data touched since the last check, which this check judged. */
  bucketsChecked: number;
  /** Alerts raised by this check (a grown window is updated, not raised again). */
  raised: AlertInfo[];
}

/** Pushed on the host's `monitor` channel: an alert raised (desktop and Web notifications), or anything changed. */
export type MonitorEvent =
  | { type: 'alert'; alert: AlertInfo }
  | { type: 'changed'; monitor: string; what: 'checked' | 'alert' | 'delivery' | 'definition' };

const monitorName = nonEmpty('name').regex(
  /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
  'name is letters, digits, _ . - (up to 64, starting with a letter or digit)',
);
const every = z.string().superRefine((text, ctx) => {
  const problem = everyProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const webhookUrl = z.string().superRefine((url, ctx) => {
  const problem = webhookProblem(url);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const threshold = z.number().min(0.5).max(50);
const minCount = z.number().int().min(0).max(1_000_000);
const playbook = z.string().max(PLAYBOOK_MAX_CHARS);

export const monitorDefinition = z
  .object({
    name: monitorName,
    source: z.enum(MONITOR_SOURCES),
    by: nonEmpty('by'),
    bucket: z.enum(MONITOR_BUCKETS),
    measure: z.enum(MONITOR_MEASURES).optional(),
    direction: z.enum(MONITOR_DIRECTIONS).optional(),
    threshold: threshold.optional(),
    minCount: minCount.optional(),
    every: every.optional(),
    webhooks: z.array(webhookUrl).max(10).optional(),
    playbook: playbook.optional(),
  })
  .strict();

const byName = z.object({ name: monitorName }).strict();
const alertAction = z
  .object({ id: nonEmpty('id'), by: z.string().max(200).optional(), note: z.string().max(2_000).optional() })
  .strict();

export const monitorMethods = {
  'monitors.list': method<MonitorInfo[]>()(z.object({}).strict()),
  /** The same definition again answers the monitor as it is; another under a taken name is refused. */
  'monitors.add': method<MonitorInfo>()(monitorDefinition),
  /** Changes what is given; webhooks are added by URL and removed by id (the URL is never sent back). */
  'monitors.update': method<MonitorInfo>()(
    z
      .object({
        name: monitorName,
        threshold: threshold.optional(),
        minCount: minCount.optional(),
        every: every.optional(),
        direction: z.enum(MONITOR_DIRECTIONS).optional(),
        playbook: playbook.optional(),
        addWebhooks: z.array(webhookUrl).max(10).optional(),
        removeWebhooks: z.array(z.string()).optional(),
      })
      .strict(),
  ),
  /** `removed: false` when there was no such monitor. */
  'monitors.remove': method<{ removed: boolean }>()(byName),
  /** Checks now (the always-on services do so every `every` and when a feed brings data). */
  'monitors.check': method<CheckResult[]>()(z.object({ name: monitorName.optional() }).strict()),
  'monitors.series': method<MonitorSeries>()(
    z.object({ name: monitorName, buckets: z.number().int().min(2).max(2_000).optional() }).strict(),
  ),
  /** Newest first. */
  'alerts.list': method<AlertInfo[]>()(
    z
      .object({
        monitor: monitorName.optional(),
        status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
      })
      .strict(),
  ),
  /** `by` defaults to the OS user running the host. */
  'alerts.acknowledge': method<AlertInfo>()(alertAction),
  'alerts.resolve': method<AlertInfo>()(alertAction),
  /** Every delivery try, newest first (of one alert, or of one monitor's alerts). */
  'alerts.deliveries': method<DeliveryRecord[]>()(
    z
      .object({
        alertId: z.string().optional(),
        monitor: monitorName.optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
      })
      .strict(),
  ),
} as const;
