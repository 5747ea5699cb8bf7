/**
 * A check by data time: the buckets new data touched since the monitor's last check (their row counts differ from
 * the ones recorded then, or are new) are judged again, whenever the rows arrived; a bucket that grows later is
 * judged again. An anomalous bucket next to an alert of the same series that is not resolved extends that alert's
 * window, one inside a window updates it, any other raises a new alert — one per (monitor, series, window),
 * which the store's key and the alert's id (a hash of the three) keep so even across two processes. A new alert is
 * queued for every webhook of the monitor in the same transaction (alert_outbox), so none is lost to a crash.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MonitorInfo } from '../../../shared/contract.js';
import { BUCKET_MS } from '../../../shared/monitors.js';
import { toErrorInfo } from '../../../shared/errors.js';
import { computePool } from '../compute/workerPool.js';
import type { Workspace } from '../workspace/workspace.js';
import { judgeMonitorSeriesTask } from './computeTasks.js';
import { alertId, readRows } from './monitorStore.js';
import { type JudgedSeries, readSeries, type SeriesData } from './series.js';

export interface CheckOutcome {
  bucketsChecked: number;
  raised: string[];
  updated: string[];
}

interface OpenWindow {
  id: string;
  series: string;
  start: number;
  end: number;
  status: string;
  fresh: boolean;
  changed: boolean;
}

function anomalous(monitor: MonitorInfo, series: JudgedSeries, i: number, last: number): boolean {
  const z = series.z[i];
  if (z === null || z === undefined) return false;
  const up = series.up[i]!;
  // A drop is judged once the bucket is complete (data exists after it), and only where enough was expected.
  const down = z <= -monitor.threshold && (series.expectedCount[i] ?? 0) >= monitor.minCount && i < last;
  return monitor.direction === 'up' ? up : monitor.direction === 'down' ? down : up || down;
}

/** Sums the window's rows and expectation and keeps its largest |z| (signed). */
function windowTotals(data: SeriesData, series: JudgedSeries, start: number, end: number) {
  let count = 0;
  let expected = 0;
  let z = 0;
  data.buckets.forEach((bucket, i) => {
    if (bucket < start || bucket >= end) return;
    count += series.count[i]!;
    expected += series.expectedCount[i] ?? 0;
    const zi = series.z[i] ?? 0;
    if (Math.abs(zi) > Math.abs(z)) z = zi;
  });
  return { count, expected, z };
}

async function recordBuckets(store: DuckDBConnection, monitor: string, rows: [number, number][]): Promise<void> {
  for (let at = 0; at < rows.length; at += 1000) {
    const values = rows
      .slice(at, at + 1000)
      .map(([bucket, count]) => `($monitor, ${bucket}, ${count})`)
      .join(', ');
    await store.run(`INSERT OR REPLACE INTO monitor_buckets VALUES ${values}`, { monitor });
  }
}

export async function checkMonitor(
  workspace: Workspace,
  monitor: MonitorInfo,
  now = Date.now(),
): Promise<CheckOutcome> {
  let data: SeriesData;
  try {
    data = await workspace.withConnection((conn) => readSeries(conn, monitor));
  } catch (error) {
    const message = toErrorInfo(error).message;
    await workspace.withStore((store) =>
      store.run('UPDATE monitors SET last_check_at = $now, last_check_error = $message WHERE name = $name', {
        now,
        message,
        name: monitor.name,
      }),
    );
    throw error;
  }
  const step = BUCKET_MS[monitor.bucket];
  // In the compute pool: the baseline over every bucket of every series is JavaScript the engine's loop need not wait on.
  const judged = await computePool().run(judgeMonitorSeriesTask, [monitor, data]);
  const last = data.buckets.length - 1;
  return workspace.withStore(async (store) => {
    const seen = new Map(
      (
        await readRows(store, 'SELECT bucket_start, row_count FROM monitor_buckets WHERE monitor = $name', {
          name: monitor.name,
        })
      ).map((row) => [Number(row.bucket_start), Number(row.row_count)]),
    );
    const touched = data.buckets.flatMap((bucket, i) => (seen.get(bucket) === data.rowsPerBucket[i] ? [] : [i]));
    const earliest = touched.length > 0 ? data.buckets[touched[0]!]! : Number.POSITIVE_INFINITY;
    const windows: OpenWindow[] = (
      await readRows(
        store,
        'SELECT id, series, window_start, window_end, status FROM monitor_alerts WHERE monitor = $name AND window_end >= $earliest',
        { name: monitor.name, earliest: Number.isFinite(earliest) ? earliest : Number.MAX_SAFE_INTEGER },
      )
    ).map((row) => ({
      id: String(row.id),
      series: String(row.series),
      start: Number(row.window_start),
      end: Number(row.window_end),
      status: String(row.status),
      fresh: false,
      changed: false,
    }));
    for (const series of judged) {
      for (const i of touched) {
        if (!anomalous(monitor, series, i, last)) continue;
        const bucket = data.buckets[i]!;
        const mine = windows.filter((window) => window.series === series.name);
        const inside = mine.find((window) => window.start <= bucket && bucket < window.end);
        const before = mine.find((window) => window.end === bucket && window.status !== 'resolved');
        if (inside) inside.changed = true;
        else if (before) Object.assign(before, { end: bucket + step, changed: true });
        else
          windows.push({
            id: alertId(monitor.name, series.name, bucket),
            series: series.name,
            start: bucket,
            end: bucket + step,
            status: 'open',
            fresh: true,
            changed: true,
          });
      }
    }
    const changed = windows.filter((window) => window.changed);
    const webhooks = (
      await readRows(store, 'SELECT id FROM monitor_webhooks WHERE monitor = $name', { name: monitor.name })
    ).map((row) => String(row.id));
    // The newest bucket of a monitor that judges drops is judged again when later data completes it.
    const judgesDrops = monitor.direction !== 'up';
    const recorded = touched
      .filter((i) => !(judgesDrops && i === last))
      .map((i): [number, number] => [data.buckets[i]!, data.rowsPerBucket[i]!]);
    const raised: string[] = [];
    await store.run('BEGIN TRANSACTION');
    try {
      for (const window of changed) {
        const series = judged.find((entry) => entry.name === window.series)!;
        const totals = windowTotals(data, series, window.start, window.end);
        const params = { id: window.id, end: window.end, ...totals };
        if (window.fresh) {
          const inserted = await store.runAndReadAll(
            `INSERT INTO monitor_alerts (id, monitor, series, window_start, window_end, count, expected, z, status, created_at)
             VALUES ($id, $monitor, $series, $start, $end, $count, $expected, $z, 'open', $now)
             ON CONFLICT DO NOTHING RETURNING id`,
            { ...params, monitor: monitor.name, series: window.series, start: window.start, now },
          );
          if (inserted.getRowsJson().length === 0) continue;
          raised.push(window.id);
          for (const webhook of webhooks)
            await store.run(
              'INSERT INTO alert_outbox VALUES ($alert, $webhook, 0, $now, NULL) ON CONFLICT DO NOTHING',
              {
                alert: window.id,
                webhook,
                now,
              },
            );
        } else {
          await store.run(
            'UPDATE monitor_alerts SET window_end = $end, count = $count, expected = $expected, z = $z WHERE id = $id',
            params,
          );
        }
      }
      await recordBuckets(store, monitor.name, recorded);
      await store.run(
        `UPDATE monitors SET last_check_at = $now, last_check_error = NULL,
           checked_through = CASE WHEN $through::BIGINT IS NULL THEN checked_through
             ELSE greatest(coalesce(checked_through, $through::BIGINT), $through::BIGINT) END WHERE name = $name`,
        { now, through: last >= 0 ? data.buckets[last]! : null, name: monitor.name },
      );
      await store.run('COMMIT');
    } catch (error) {
      await store.run('ROLLBACK');
      throw error;
    }
    return {
      bucketsChecked: touched.length,
      raised,
      updated: changed.filter((window) => !window.fresh).map((window) => window.id),
    };
  });
}
