/**
 * How an alert reads outside Sift. A notification: one title and one line, the same on the desktop (Electron's
 * Notification, electron/alertNotifications.ts) and in the browser (the Web Notifications API, in the Monitor view).
 * Its fields for machines: the same names in `sift alerts --json` and in a webhook's JSON.
 */
import type { AlertInfo } from './contract/monitors.js';

const utc = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function alertNotice(alert: AlertInfo): { title: string; body: string; tag: string } {
  const moved = alert.z < 0 ? 'fell to' : 'rose to';
  return {
    title: `Sift alert: ${alert.monitor}`,
    body: `${alert.series} ${moved} ${alert.count} (expected ${alert.expected}, z ${alert.z}) from ${utc(alert.windowStart)} to ${utc(alert.windowEnd)} UTC`,
    // One notification per alert: a second event for the same alert replaces the first.
    tag: `sift-alert-${alert.id}`,
  };
}

/** The fields scripts and webhook receivers read, under the names issue 24 gives them (more may follow, none changes). */
export function alertFields(alert: AlertInfo) {
  return {
    monitor: alert.monitor,
    series: alert.series,
    window_start: alert.windowStart,
    window_end: alert.windowEnd,
    count: alert.count,
    expected: alert.expected,
    z: alert.z,
    status: alert.status,
  };
}
