/** Adding, changing and removing monitors and their webhooks (the owner's: shared/callerAccess.ts). */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { MonitorInfo, ParsedInputOf } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { dimensionProblem, MONITOR_DEFAULTS, parseEvery } from '../../../shared/monitors.js';
import { getMonitor, newWebhookId, readRows } from './monitorStore.js';

type Definition = ParsedInputOf<'monitors.add'>;
type Change = ParsedInputOf<'monitors.update'>;

const badRequest = (message: string) => new SiftError({ code: 'BAD_REQUEST', message });

async function addWebhooks(conn: DuckDBConnection, monitor: string, urls: string[], now: number): Promise<void> {
  const existing = await webhookUrls(conn, monitor);
  let order = 0;
  for (const url of new Set(urls)) {
    if (existing.has(url)) continue;
    await conn.run('INSERT INTO monitor_webhooks VALUES ($id, $monitor, $url, $at)', {
      id: newWebhookId(),
      monitor,
      url,
      at: now + order++,
    });
  }
}

/** The webhook URLs a monitor posts to (never sent back to a client: only compared here). */
async function webhookUrls(conn: DuckDBConnection, monitor: string): Promise<Set<string>> {
  const rows = await readRows(conn, 'SELECT url FROM monitor_webhooks WHERE monitor = $monitor', { monitor });
  return new Set(rows.map((row) => String(row.url)));
}

function sameDefinition(existing: MonitorInfo, input: Definition, measure: string, urls: Set<string>): boolean {
  const given = (value: unknown, current: unknown) => value === undefined || value === current;
  return (
    existing.source === input.source &&
    existing.by === input.by &&
    existing.bucket === input.bucket &&
    existing.measure === measure &&
    given(input.direction, existing.direction) &&
    given(input.threshold, existing.threshold) &&
    given(input.minCount, existing.minCount) &&
    given(input.playbook, existing.playbook) &&
    (input.every === undefined || parseEvery(input.every) === existing.everyMs) &&
    // The same webhooks again are the same add; a new one is a change (monitors.update adds it).
    (input.webhooks ?? []).every((url) => urls.has(url))
  );
}

export async function addMonitor(conn: DuckDBConnection, input: Definition, now = Date.now()): Promise<MonitorInfo> {
  const measure = input.measure ?? MONITOR_DEFAULTS.measure;
  const problem = dimensionProblem(input.source, input.by, measure);
  if (problem) throw badRequest(`monitors.add: by: ${problem}`);
  const taken = await readRows(conn, 'SELECT name FROM monitors WHERE name = $name', { name: input.name });
  if (taken.length > 0) {
    // The same add again (a script run twice) answers the monitor; a different one is refused, not merged.
    const existing = await getMonitor(conn, input.name);
    if (sameDefinition(existing, input, measure, await webhookUrls(conn, input.name))) return existing;
    throw badRequest(
      `monitors.add: name: a monitor named "${input.name}" exists already with another definition: remove it first, or change it with monitors.update.`,
    );
  }
  const every = input.every ?? MONITOR_DEFAULTS.every;
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(
      `INSERT INTO monitors (name, source, dimension, bucket, measure, direction, threshold, min_count, every, playbook, created_at)
       VALUES ($name, $source, $by, $bucket, $measure, $direction, $threshold, $minCount, $every, $playbook, $now)`,
      {
        name: input.name,
        source: input.source,
        by: input.by,
        bucket: input.bucket,
        measure,
        direction: input.direction ?? MONITOR_DEFAULTS.direction,
        threshold: input.threshold ?? MONITOR_DEFAULTS.threshold,
        minCount: input.minCount ?? MONITOR_DEFAULTS.minCount,
        every,
        playbook: input.playbook ?? '',
        now,
      },
    );
    await addWebhooks(conn, input.name, input.webhooks ?? [], now);
    await conn.run('COMMIT');
  } catch (error) {
    await conn.run('ROLLBACK');
    throw error;
  }
  return getMonitor(conn, input.name);
}

export async function updateMonitor(conn: DuckDBConnection, change: Change, now = Date.now()): Promise<MonitorInfo> {
  const before = await getMonitor(conn, change.name);
  const unknown = (change.removeWebhooks ?? []).filter((id) => !before.webhooks.some((hook) => hook.id === id));
  if (unknown.length > 0)
    throw badRequest(
      `monitors.update: removeWebhooks: ${change.name} has no webhook ${unknown.join(', ')} (monitor list shows their ids).`,
    );
  const sets: string[] = [];
  const params: Record<string, DuckDBValue> = { name: change.name };
  const set = (column: string, value: string | number | undefined) => {
    if (value === undefined) return;
    sets.push(`${column} = $${column}`);
    params[column] = value;
  };
  set('threshold', change.threshold);
  set('min_count', change.minCount);
  set('every', change.every === undefined ? undefined : change.every);
  set('direction', change.direction);
  set('playbook', change.playbook);
  if (change.every !== undefined && parseEvery(change.every) === null) throw badRequest('monitors.update: every');
  await conn.run('BEGIN TRANSACTION');
  try {
    if (sets.length > 0) await conn.run(`UPDATE monitors SET ${sets.join(', ')} WHERE name = $name`, params);
    for (const id of change.removeWebhooks ?? []) {
      await conn.run('DELETE FROM monitor_webhooks WHERE id = $id', { id });
      await conn.run('DELETE FROM alert_outbox WHERE webhook_id = $id', { id });
    }
    await addWebhooks(conn, change.name, change.addWebhooks ?? [], now);
    await conn.run('COMMIT');
  } catch (error) {
    await conn.run('ROLLBACK');
    throw error;
  }
  return getMonitor(conn, change.name);
}

/** Removes the monitor with its webhooks, its alerts and their delivery records. */
export async function removeMonitor(conn: DuckDBConnection, name: string): Promise<boolean> {
  const found = await readRows(conn, 'SELECT name FROM monitors WHERE name = $name', { name });
  if (found.length === 0) return false;
  const alertsOf = 'SELECT id FROM monitor_alerts WHERE monitor = $name';
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`DELETE FROM alert_outbox WHERE alert_id IN (${alertsOf})`, { name });
    await conn.run(`DELETE FROM alert_deliveries WHERE alert_id IN (${alertsOf})`, { name });
    await conn.run('DELETE FROM monitor_alerts WHERE monitor = $name', { name });
    await conn.run('DELETE FROM monitor_buckets WHERE monitor = $name', { name });
    await conn.run('DELETE FROM monitor_webhooks WHERE monitor = $name', { name });
    await conn.run('DELETE FROM monitors WHERE name = $name', { name });
    await conn.run('COMMIT');
  } catch (error) {
    await conn.run('ROLLBACK');
    throw error;
  }
  return true;
}
