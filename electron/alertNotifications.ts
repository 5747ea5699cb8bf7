/**
 * Desktop notifications of alerts: each alert a monitor raises (the host's `monitor` channel, type `alert`)
 * becomes one Electron Notification in the main process. Electron is passed in (main.ts), so the wiring is tested
 * without it (tests/unit/monitors.test.ts).
 */
import { alertNotice } from '../shared/alertNotice.js';
import type { AlertInfo } from '../shared/contract.js';
import type { HostEvent } from '../shared/jobs.js';

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface NotificationMaker {
  isSupported(): boolean;
  make(options: { title: string; body: string }): NotificationLike;
}

export function wireAlertNotifications(
  host: { onEvent(listener: (event: HostEvent) => void): () => void },
  notifications: NotificationMaker,
  onClick: (alert: AlertInfo) => void = () => undefined,
): () => void {
  return host.onEvent((event) => {
    if (event.channel !== 'monitor' || event.event.type !== 'alert' || !notifications.isSupported()) return;
    const alert = event.event.alert;
    const { title, body } = alertNotice(alert);
    const notification = notifications.make({ title, body });
    notification.on('click', () => onClick(alert));
    notification.show();
  });
}
