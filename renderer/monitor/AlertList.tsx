/**
 * The alerts not yet resolved, newest first. Each row is reachable by keyboard (Tab, or ↑/↓ between rows) and
 * acts on its keys: i or Enter investigates, a acknowledges, r resolves; the same as its buttons.
 */
import { type KeyboardEvent, useState } from 'react';
import type { AlertInfo } from '../../shared/contract';
import { when } from '../spikes/spikeCharts';

/** Alerts listed before "Show all": the pinned charts below stay within reach. */
const ALERTS_SHOWN = 10;

export const ALERT_KEYS = { investigate: ['i', 'Enter'], acknowledge: ['a'], resolve: ['r'] } as const;

/** The spike drill reads reports and actions; a monitor of the input itself has no drill yet. */
export const canInvestigate = (alert: AlertInfo) => alert.source === 'reports' || alert.source === 'actions';

export function AlertList({
  alerts,
  onInvestigate,
  onAct,
  investigating,
  onPick,
}: {
  alerts: AlertInfo[];
  onInvestigate(alert: AlertInfo): void;
  onAct(alert: AlertInfo, action: 'acknowledge' | 'resolve'): void;
  investigating: string | null;
  /** A row focused or clicked: its monitor's playbook is shown beside the list. */
  onPick(alert: AlertInfo): void;
}) {
  const [all, setAll] = useState(false);
  const onKey = (event: KeyboardEvent<HTMLTableRowElement>, alert: AlertInfo) => {
    if (event.target !== event.currentTarget || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    const row = event.currentTarget;
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      const next = (key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null;
      next?.focus();
    } else if ((ALERT_KEYS.investigate as readonly string[]).includes(key) && canInvestigate(alert))
      onInvestigate(alert);
    else if ((ALERT_KEYS.acknowledge as readonly string[]).includes(key) && alert.status === 'open')
      onAct(alert, 'acknowledge');
    else if ((ALERT_KEYS.resolve as readonly string[]).includes(key) && alert.status !== 'resolved')
      onAct(alert, 'resolve');
    else return;
    event.preventDefault();
  };
  if (alerts.length === 0)
    return (
      <p className="muted" data-testid="alerts-empty">
        No open alerts.
      </p>
    );
  return (
    <>
      <table className="alert-list" data-testid="alert-list">
        <thead>
          <tr>
            <th>monitor · series</th>
            <th>window (UTC)</th>
            <th className="num">count / expected</th>
            <th className="num">z</th>
            <th>status</th>
            <th>
              <span className="sr-only">actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(all ? alerts : alerts.slice(0, ALERTS_SHOWN)).map((alert) => (
            <tr
              key={alert.id}
              tabIndex={0}
              className={`alert-row alert-${alert.status}`}
              data-testid="alert-row"
              data-alert-id={alert.id}
              data-status={alert.status}
              onKeyDown={(event) => onKey(event, alert)}
              onFocus={() => onPick(alert)}
              onClick={() => onPick(alert)}
              aria-label={`${alert.monitor} ${alert.series} ${when(alert.windowStart)}, ${alert.status}. Keys: i investigate, a acknowledge, r resolve`}
            >
              <td>
                <b>{alert.monitor}</b> · {alert.series}
              </td>
              <td className="alert-window">
                {when(alert.windowStart)} – {when(alert.windowEnd).slice(11)}
              </td>
              <td className="num">
                {alert.count} / {alert.expected}
              </td>
              <td className="num">{alert.z.toFixed(1)}</td>
              <td>
                <span className={`status-${alert.status}`} data-testid="alert-status">
                  {alert.status}
                </span>
                {alert.delivery === 'failing' && <span className="monitor-error"> · delivery failing</span>}
                {alert.acknowledgedBy && alert.status !== 'open' && (
                  <span className="muted"> · {alert.resolvedBy ?? alert.acknowledgedBy}</span>
                )}
              </td>
              <td className="alert-actions">
                <button
                  onClick={() => onInvestigate(alert)}
                  disabled={!canInvestigate(alert) || investigating !== null}
                  title={
                    canInvestigate(alert)
                      ? 'Open the spike drill at this window: terms, near-duplicate clusters, accounts (i)'
                      : 'The spike drill reads reports and actions; this monitor watches the input itself'
                  }
                  data-testid="alert-investigate"
                >
                  {investigating === alert.id ? 'Opening…' : 'Investigate'}
                </button>
                <button
                  onClick={() => onAct(alert, 'acknowledge')}
                  disabled={alert.status !== 'open'}
                  title="Someone is on it (a)"
                  data-testid="alert-acknowledge"
                >
                  Acknowledge
                </button>
                <button
                  onClick={() => onAct(alert, 'resolve')}
                  disabled={alert.status === 'resolved'}
                  title="Dealt with (r)"
                  data-testid="alert-resolve"
                >
                  Resolve
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {alerts.length > ALERTS_SHOWN && (
        <button className="link" onClick={() => setAll(!all)} data-testid="alerts-all">
          {all ? `Show the first ${ALERTS_SHOWN}` : `Show all ${alerts.length}`}
        </button>
      )}
    </>
  );
}
