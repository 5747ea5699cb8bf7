/**
 * What a notification of an alert says: one title and one line, the same on the desktop (Electron's Notification,
 * electron/alertNotifications.ts) and in the browser (the Web Notifications API, in the Monitor view).
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
