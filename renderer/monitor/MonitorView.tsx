/**
 * The live dashboard: every monitor's state with its recent buckets and band, the alerts not yet resolved (each one
 * investigated in the spike drill, acknowledged, resolved), the picked monitor's playbook, and the pinned report
 * charts. It follows the host's events (App.tsx routes them here) without a reload.
 */
import { useEffect, useState } from 'react';
import type { AlertInfo, SpikeDimension } from '../../shared/contract';
import { errorMessage, isDesktop } from '../api/client';
import { useNavigation } from '../navigation';
import { useSpikes } from '../spikes/spikesStore';
import { AlertList } from './AlertList';
import { MonitorCard } from './MonitorCard';
import { MonitorForm } from './MonitorForm';
import { useMonitor } from './monitorStore';
import { PinnedCharts } from './PinnedCharts';
import { PlaybookPanel } from './PlaybookPanel';
import { useWebNotifications } from './webNotifications';
import './monitor.css';

export function MonitorView() {
  const state = useMonitor();
  const { monitors, alerts, series, pinned, dataVersion, selected, showResolved, loaded, error, note } = state;
  const notifications = useWebNotifications();
  const go = useNavigation((s) => s.go);
  const [adding, setAdding] = useState(false);
  const [investigating, setInvestigating] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void useMonitor.getState().load();
    void useMonitor.getState().loadPinned();
  }, []);

  const monitor = monitors.find((m) => m.name === selected) ?? null;
  const alerting = monitors.filter((m) => m.state !== 'quiet').length;
  const openCount = alerts.filter((a) => a.status === 'open').length;

  const investigate = async (alert: AlertInfo) => {
    if (alert.source !== 'reports' && alert.source !== 'actions') return;
    const threshold = monitors.find((m) => m.name === alert.monitor)?.threshold ?? 3;
    setInvestigating(alert.id);
    setProblem(null);
    try {
      await useSpikes.getState().investigate(
        { source: alert.source, by: alert.by as SpikeDimension, bucket: alert.bucket, threshold },
        {
          series: alert.series,
          start: alert.windowStart,
          end: alert.windowEnd,
          z: alert.z,
          count: alert.count,
          expected: alert.expected,
        },
      );
      go('spikes');
    } catch (failure) {
      setProblem(errorMessage(failure));
    } finally {
      setInvestigating(null);
    }
  };

  return (
    <section className="monitor-view" data-testid="monitor-view">
      <div className="toolbar monitor-toolbar" data-testid="monitor-toolbar">
        <button className="primary" onClick={() => setAdding(!adding)} data-testid="monitor-add">
          Add monitor…
        </button>
        {notifications.state === 'default' && (
          <button
            onClick={() => void notifications.enable()}
            data-testid="notifications-enable"
            title="Let this browser show a notification when a monitor raises an alert"
          >
            Enable notifications
          </button>
        )}
        <span className="status" data-testid="notifications-state">
          {notifications.state === 'granted'
            ? 'Notifications on'
            : notifications.state === 'denied'
              ? 'Notifications blocked in this browser'
              : notifications.state === 'unsupported'
                ? 'This browser shows no notifications'
                : ''}
        </span>
        <span className="spacer" />
        <span className="status" data-testid="monitor-summary" aria-live="polite">
          {loaded
            ? `${monitors.length} monitor(s), ${alerting} alerting · ${openCount} open alert(s)`
            : 'Loading monitors…'}
        </span>
      </div>
      {(error || problem) && <div className="error-box">{error ?? problem}</div>}
      {note && (
        <div className="note" role="status" data-testid="monitor-note">
          {note}
        </div>
      )}
      <div className="monitor-body">
        {adding && (
          <MonitorForm
            onCancel={() => setAdding(false)}
            onAdded={(added) => {
              setAdding(false);
              useMonitor.setState({
                selected: added.name,
                note: `Added ${added.name}; it checks every ${added.every}.`,
              });
              void useMonitor.getState().load();
            }}
          />
        )}
        {loaded && monitors.length === 0 && !adding && (
          <p className="muted" data-testid="monitors-empty">
            No monitors yet. A monitor counts reports, actions or content per bucket and alerts when a bucket leaves its
            expected band; add one here or with <code>sift monitor add</code>.
          </p>
        )}
        <div className="monitor-cards" data-testid="monitor-cards">
          {monitors.map((m) => (
            <MonitorCard
              key={m.name}
              monitor={m}
              series={series[m.name]}
              alerts={alerts.filter((a) => a.monitor === m.name)}
              selected={m.name === selected}
              onSelect={() => state.select(m.name)}
              onCheck={() => void state.checkNow(m.name)}
            />
          ))}
        </div>
        <div className="monitor-columns">
          <div className="card monitor-alerts" data-testid="monitor-alerts">
            <div className="playbook-head">
              <h3>
                {showResolved ? 'Alerts' : 'Open alerts'}
                {alerts.length ? ` (${alerts.length})` : ''}
              </h3>
              <label className="toggle">
                <input
                  type="checkbox"
                  checked={showResolved}
                  onChange={(event) => state.setShowResolved(event.target.checked)}
                />
                resolved too
              </label>
            </div>
            <AlertList
              alerts={alerts}
              investigating={investigating}
              onInvestigate={(alert) => void investigate(alert)}
              onAct={(alert, action) => void state.act(alert, action)}
              onPick={(alert) => state.select(alert.monitor)}
            />
            {!isDesktop && notifications.state === 'default' && alerts.length > 0 && (
              <p className="muted">
                Enable notifications to hear of the next alert while this tab is in the background.
              </p>
            )}
          </div>
          {monitor && (
            <div className="card monitor-playbook">
              <PlaybookPanel monitor={monitor} onSave={(text) => state.savePlaybook(monitor.name, text)} />
            </div>
          )}
        </div>
        <h3 className="monitor-section">Pinned charts</h3>
        <PinnedCharts reports={pinned} dataVersion={dataVersion} />
      </div>
    </section>
  );
}
