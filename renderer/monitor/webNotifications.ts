/**
 * New alerts as Web Notifications in browser mode, once the user allows them. The desktop app is told by the host
 * (Electron's Notification, in the engine's always-on composition), so the window does not notify twice there.
 * The permission is asked from a click (browsers refuse a request that no user gesture started).
 */
import { create } from 'zustand';
import { isDesktop } from '../api/client';

export type NotificationState = NotificationPermission | 'unsupported' | 'desktop';

function currentState(): NotificationState {
  if (isDesktop) return 'desktop';
  if (typeof window === 'undefined' || !('Notification' in window)) return 'unsupported';
  return window.Notification.permission;
}

export const useWebNotifications = create<{ state: NotificationState; enable(): Promise<void> }>((set) => ({
  state: currentState(),
  async enable() {
    if (currentState() === 'unsupported' || currentState() === 'desktop') return;
    set({ state: await window.Notification.requestPermission() });
  },
}));

/** Shows one alert as a notification when the user allowed them; a click brings the window forward. */
export function notifyAlert(title: string, body: string, tag: string): void {
  if (currentState() !== 'granted') return;
  try {
    const notification = new window.Notification(title, { body, tag });
    notification.onclick = () => window.focus();
  } catch {
    // Some browsers allow notifications only from a service worker; the alert is still listed in the view.
  }
}
