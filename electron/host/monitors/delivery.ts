/**
 * Delivering alerts to webhooks: the outbox (alert_outbox, filled in the check's transaction) is worked through
 * whenever a try is due. Each try is a POST of the alert as JSON with a Slack-compatible `text`, times out, and is
 * recorded (alert_deliveries); a failed one is tried again with exponential backoff until `maxAttempts`. Every try
 * of one alert to one webhook carries the same `Idempotency-Key`, so a receiver that saw a try whose answer was
 * lost (a timeout after it arrived) can drop the repeat. The URL is used for the request only: it is never logged,
 * never recorded, never in an error.
 */
import { createHash } from 'node:crypto';
import type { AlertInfo } from '../../../shared/contract.js';
import { alertFields } from '../../../shared/alertNotice.js';
import { toErrorInfo } from '../../../shared/errors.js';
import type { Workspace } from '../workspace/workspace.js';
import { alertFromRow, readRows } from './monitorStore.js';

export interface DeliveryOptions {
  timeoutMs: number;
  /** The wait before try `attempt + 1`, after `attempt` failed tries. */
  backoffMs: (attempt: number) => number;
  maxAttempts: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 10_000,
  backoffMs: (attempt) => Math.min(1_000 * 2 ** (attempt - 1), 300_000),
  maxAttempts: 8,
};

/** The header and its value: stable per (alert, webhook). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const idempotencyKey = (alertId: string, webhookId: string) =>
  `sift-${createHash('sha256').update(`${alertId}\u0000${webhookId}`).digest('hex').slice(0, 32)}`;

const utc = (iso: string) => iso.replace('T', ' ').replace(/:00\.000Z$/, ' UTC');

/** What a webhook receives; `text` is what Slack (and Mattermost, Teams' incoming webhooks) shows. */
export function alertPayload(alert: AlertInfo, playbook: string) {
  const direction = alert.z < 0 ? 'fell to' : 'rose to';
  const text =
    `:rotating_light: Sift alert — ${alert.monitor}: ${alert.series} ${direction} ${alert.count} ` +
    `(expected ${alert.expected}, z ${alert.z}) in ${utc(alert.windowStart)} – ${utc(alert.windowEnd)}` +
    (playbook ? `\nPlaybook: ${playbook.split('\n')[0]!.slice(0, 200)}` : '');
  return {
    text,
    alert_id: alert.id,
    ...alertFields(alert),
    source: alert.source,
    by: alert.by,
    bucket: alert.bucket,
    raised_at: alert.createdAt,
  };
}

/** Why a try failed, in words that never contain the URL. */
function failureOf(error: unknown, url: string, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = cause?.code ?? cause?.message ?? toErrorInfo(error).message;
  return message.split(url).join('(the webhook)');
}

async function post(url: string, body: string, key: string, timeoutMs: number): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDEMPOTENCY_HEADER]: key, 'user-agent': 'Sift' },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer().catch(() => undefined);
  return response.status;
}

export interface DeliveryPass {
  delivered: string[];
  failed: string[];
  /** The monitors whose alerts were tried. */
  monitors: string[];
  /** When the next try is due (epoch ms), or null when none is. */
  nextDueAt: number | null;
}

/** Makes every try that is due, at once, and records each. */
export async function deliverDue(
  workspace: Workspace,
  options: DeliveryOptions,
  now = Date.now(),
): Promise<DeliveryPass> {
  const due = await workspace.withStore((store) =>
    readRows(
      store,
      `SELECT o.attempts, o.webhook_id, w.url, m.playbook, a.*, m.source, m.dimension, m.bucket, 'pending' AS delivery
       FROM alert_outbox o
       JOIN monitor_webhooks w ON w.id = o.webhook_id
       JOIN monitor_alerts a ON a.id = o.alert_id
       JOIN monitors m ON m.name = a.monitor
       WHERE o.delivered_at IS NULL AND o.next_attempt_at IS NOT NULL AND o.next_attempt_at <= $now
       ORDER BY o.next_attempt_at`,
      { now },
    ),
  );
  const pass: DeliveryPass = { delivered: [], failed: [], monitors: [], nextDueAt: null };
  const tries = due.map(async (row) => {
    const alert = alertFromRow(row);
    const url = String(row.url);
    const webhookId = String(row.webhook_id);
    const attempt = Number(row.attempts) + 1;
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await post(
        url,
        JSON.stringify(alertPayload(alert, String(row.playbook))),
        idempotencyKey(alert.id, webhookId),
        options.timeoutMs,
      );
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (caught) {
      error = failureOf(caught, url, options.timeoutMs);
    }
    const at = Date.now();
    const next = error === null || attempt >= options.maxAttempts ? null : at + options.backoffMs(attempt);
    await workspace.withStore(async (store) => {
      await store.run('BEGIN TRANSACTION');
      await store.run(
        'INSERT INTO alert_deliveries VALUES ($alert, $webhook, $attempt, $at, $outcome, $status, $error, $next)',
        {
          alert: alert.id,
          webhook: webhookId,
          attempt,
          at,
          outcome: error === null ? 'delivered' : 'failed',
          status,
          error,
          next,
        },
      );
      await store.run(
        'UPDATE alert_outbox SET attempts = $attempt, next_attempt_at = $next, delivered_at = $delivered WHERE alert_id = $alert AND webhook_id = $webhook',
        { attempt, next, delivered: error === null ? at : null, alert: alert.id, webhook: webhookId },
      );
      await store.run('COMMIT');
    });
    (error === null ? pass.delivered : pass.failed).push(alert.id);
    if (!pass.monitors.includes(alert.monitor)) pass.monitors.push(alert.monitor);
  });
  await Promise.all(tries);
  const [next] = await workspace.withStore((store) =>
    readRows(store, 'SELECT min(next_attempt_at) AS next FROM alert_outbox WHERE delivered_at IS NULL'),
  );
  pass.nextDueAt = next?.next === null || next?.next === undefined ? null : Number(next.next);
  return pass;
}
