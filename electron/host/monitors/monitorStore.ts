/**
 * Monitors, their webhooks, their alerts and every delivery try, in Sift's store (`.sift/store.duckdb`, which user
 * SQL cannot reach: docs/safety.md). Times are epoch milliseconds. A webhook's URL is read here and by the
 * deliverer only; everything else sees its host (shared/monitors.ts's shownWebhook).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { AlertInfo, AlertStatus, MonitorInfo, WebhookInfo } from '../../../shared/contract.js';
import { formatEvery, parseEvery, shownWebhook } from '../../../shared/monitors.js';
import { SiftError } from '../../../shared/errors.js';

export const MONITOR_DDL = `
  CREATE TABLE IF NOT EXISTS monitors (
    name VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, dimension VARCHAR NOT NULL, bucket VARCHAR NOT NULL,
    measure VARCHAR NOT NULL, direction VARCHAR NOT NULL, threshold DOUBLE NOT NULL, min_count BIGINT NOT NULL,
    every VARCHAR NOT NULL, playbook VARCHAR NOT NULL, created_at BIGINT NOT NULL,
    last_check_at BIGINT, checked_through BIGINT, last_check_error VARCHAR);
  CREATE TABLE IF NOT EXISTS monitor_webhooks (
    id VARCHAR PRIMARY KEY, monitor VARCHAR NOT NULL, url VARCHAR NOT NULL, added_at BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS monitor_buckets (
    monitor VARCHAR NOT NULL, bucket_start BIGINT NOT NULL, row_count BIGINT NOT NULL, PRIMARY KEY (monitor, bucket_start));
  CREATE TABLE IF NOT EXISTS monitor_alerts (
    id VARCHAR PRIMARY KEY, monitor VARCHAR NOT NULL, series VARCHAR NOT NULL, window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL, count DOUBLE NOT NULL, expected DOUBLE NOT NULL, z DOUBLE NOT NULL,
    status VARCHAR NOT NULL, created_at BIGINT NOT NULL, acknowledged_by VARCHAR, acknowledged_at BIGINT,
    resolved_by VARCHAR, resolved_at BIGINT, note VARCHAR);
  CREATE TABLE IF NOT EXISTS alert_outbox (
    alert_id VARCHAR NOT NULL, webhook_id VARCHAR NOT NULL, attempts INTEGER NOT NULL, next_attempt_at BIGINT,
    delivered_at BIGINT, PRIMARY KEY (alert_id, webhook_id));
  CREATE TABLE IF NOT EXISTS alert_deliveries (
    alert_id VARCHAR NOT NULL, webhook_id VARCHAR NOT NULL, attempt INTEGER NOT NULL, tried_at BIGINT NOT NULL,
    outcome VARCHAR NOT NULL, http_status INTEGER, error VARCHAR, next_attempt_at BIGINT);`;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** An alert's id: the same (monitor, series, window start) always names the same alert. */
export function alertId(monitor: string, series: string, windowStart: number): string {
  return createHash('sha256').update(`${monitor}\u0000${series}\u0000${windowStart}`).digest('hex').slice(0, 20);
}

export const newWebhookId = () => `wh_${randomBytes(6).toString('hex')}`;

export async function readRows(conn: DuckDBConnection, sql: string, params?: Record<string, DuckDBValue>) {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Webhooks of every monitor with their state, derived from the last try of each. */
async function webhooksByMonitor(conn: DuckDBConnection): Promise<Map<string, WebhookInfo[]>> {
  const rows = await readRows(
    conn,
    `SELECT w.id, w.monitor, w.url, d.tried_at, d.outcome, d.error
     FROM monitor_webhooks w
     LEFT JOIN (SELECT webhook_id, max(tried_at) AS tried_at, arg_max(outcome, tried_at) AS outcome,
                       arg_max(error, tried_at) AS error
                FROM alert_deliveries GROUP BY webhook_id) d ON d.webhook_id = w.id
     ORDER BY w.added_at, w.id`,
  );
  const byMonitor = new Map<string, WebhookInfo[]>();
  for (const row of rows) {
    const outcome = text(row.outcome);
    const list = byMonitor.get(String(row.monitor)) ?? [];
    list.push({
      id: String(row.id),
      shown: shownWebhook(String(row.url)),
      state: outcome === null ? 'untried' : outcome === 'delivered' ? 'ok' : 'failing',
      lastAttemptAt: iso(num(row.tried_at)),
      lastError: outcome === 'failed' ? text(row.error) : null,
    });
    byMonitor.set(String(row.monitor), list);
  }
  return byMonitor;
}

export async function listMonitors(conn: DuckDBConnection, name?: string): Promise<MonitorInfo[]> {
  const rows = await readRows(
    conn,
    `SELECT m.*, (SELECT count(*) FROM monitor_alerts a WHERE a.monitor = m.name AND a.status <> 'resolved') AS open_alerts
     FROM monitors m ${name === undefined ? '' : 'WHERE m.name = $name'} ORDER BY m.created_at, m.name`,
    name === undefined ? undefined : { name },
  );
  const webhooks = await webhooksByMonitor(conn);
  return rows.map((row) => {
    const hooks = webhooks.get(String(row.name)) ?? [];
    const openAlerts = Number(row.open_alerts);
    const everyMs = parseEvery(String(row.every)) ?? 300_000;
    return {
      name: String(row.name),
      source: String(row.source) as MonitorInfo['source'],
      by: String(row.dimension),
      bucket: String(row.bucket) as MonitorInfo['bucket'],
      measure: String(row.measure) as MonitorInfo['measure'],
      direction: String(row.direction) as MonitorInfo['direction'],
      threshold: Number(row.threshold),
      minCount: Number(row.min_count),
      every: formatEvery(everyMs),
      everyMs,
      webhooks: hooks,
      playbook: String(row.playbook),
      state: hooks.some((hook) => hook.state === 'failing')
        ? 'delivery failing'
        : openAlerts > 0
          ? 'alerting'
          : 'quiet',
      openAlerts,
      createdAt: iso(Number(row.created_at))!,
      lastCheckAt: iso(num(row.last_check_at)),
      checkedThrough: iso(num(row.checked_through)),
      lastCheckError: text(row.last_check_error),
    };
  });
}

export async function getMonitor(conn: DuckDBConnection, name: string): Promise<MonitorInfo> {
  const [monitor] = await listMonitors(conn, name);
  if (!monitor) throw new SiftError({ code: 'NOT_FOUND', message: `There is no monitor named "${name}".` });
  return monitor;
}

const ALERT_SELECT = `
  SELECT a.*, m.source, m.dimension, m.bucket,
    (SELECT CASE WHEN count(*) = 0 THEN 'none'
                 WHEN count(*) FILTER (WHERE o.delivered_at IS NULL AND o.attempts > 0) > 0 THEN 'failing'
                 WHEN count(*) FILTER (WHERE o.delivered_at IS NULL) > 0 THEN 'pending'
                 ELSE 'delivered' END
     FROM alert_outbox o WHERE o.alert_id = a.id) AS delivery
  FROM monitor_alerts a JOIN monitors m ON m.name = a.monitor`;

export function alertFromRow(row: Record<string, unknown>): AlertInfo {
  return {
    id: String(row.id),
    monitor: String(row.monitor),
    series: String(row.series),
    windowStart: iso(Number(row.window_start))!,
    windowEnd: iso(Number(row.window_end))!,
    count: Math.round(Number(row.count) * 1000) / 1000,
    expected: Math.round(Number(row.expected) * 10) / 10,
    z: Math.round(Number(row.z) * 100) / 100,
    status: String(row.status) as AlertStatus,
    createdAt: iso(Number(row.created_at))!,
    acknowledgedBy: text(row.acknowledged_by),
    acknowledgedAt: iso(num(row.acknowledged_at)),
    resolvedBy: text(row.resolved_by),
    resolvedAt: iso(num(row.resolved_at)),
    note: text(row.note),
    source: String(row.source) as AlertInfo['source'],
    by: String(row.dimension),
    bucket: String(row.bucket) as AlertInfo['bucket'],
    delivery: String(row.delivery ?? 'none') as AlertInfo['delivery'],
  };
}

export async function listAlerts(
  conn: DuckDBConnection,
  filter: { monitor?: string; status?: AlertStatus; ids?: string[]; limit?: number },
): Promise<AlertInfo[]> {
  const where: string[] = [];
  const params: Record<string, DuckDBValue> = {};
  if (filter.monitor !== undefined) {
    where.push('a.monitor = $monitor');
    params.monitor = filter.monitor;
  }
  if (filter.status !== undefined) {
    where.push('a.status = $status');
    params.status = filter.status;
  }
  if (filter.ids !== undefined) {
    if (filter.ids.length === 0) return [];
    where.push(`a.id IN (${filter.ids.map((_, i) => `$id${i}`).join(', ')})`);
    filter.ids.forEach((id, i) => (params[`id${i}`] = id));
  }
  const rows = await readRows(
    conn,
    `${ALERT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY a.created_at DESC, a.window_start DESC, a.series LIMIT ${filter.limit ?? 1000}`,
    params,
  );
  return rows.map(alertFromRow);
}

export async function getAlert(conn: DuckDBConnection, id: string): Promise<AlertInfo> {
  const [alert] = await listAlerts(conn, { ids: [id] });
  if (!alert) throw new SiftError({ code: 'NOT_FOUND', message: `There is no alert with id "${id}".` });
  return alert;
}
