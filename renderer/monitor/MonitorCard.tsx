/** One monitor on the dashboard: its state, what it watches, its recent buckets against the band, its webhooks. */
import type { AlertInfo, MonitorInfo, MonitorSeries } from '../../shared/contract';
import { when } from '../spikes/spikeCharts';
import { type SparkSeries, Sparkline } from './Sparkline';

export const STATE_CLASS: Record<MonitorInfo['state'], string> = {
  quiet: 'state-quiet',
  alerting: 'state-alerting',
  'delivery failing': 'state-failing',
};

/** The series the sparkline follows: the one of the strongest unresolved alert, else the largest. */
function leadSeries(series: MonitorSeries, alerts: AlertInfo[]): MonitorSeries['series'][number] | undefined {
  const alerting = alerts
    .filter((alert) => alert.status !== 'resolved')
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))[0]?.series;
  const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
  return (
    series.series.find((s) => s.name === alerting) ??
    [...series.series].sort((a, b) => total(b.values) - total(a.values))[0]
  );
}

export function MonitorCard({
  monitor,
  series,
  alerts,
  selected,
  onSelect,
  onCheck,
}: {
  monitor: MonitorInfo;
  series: MonitorSeries | undefined;
  alerts: AlertInfo[];
  selected: boolean;
  onSelect(): void;
  onCheck(): void;
}) {
  const lead = series ? leadSeries(series, alerts) : undefined;
  const spark: SparkSeries | null = lead ? { counts: lead.values, lower: lead.low, upper: lead.high } : null;
  const measure = monitor.measure === 'count' ? 'count' : monitor.measure === 'share' ? 'share' : 'auto-action rate';
  const failing = monitor.webhooks.filter((webhook) => webhook.state === 'failing');
  return (
    <article
      className={`monitor-card ${selected ? 'active' : ''}`}
      data-testid={`monitor-${monitor.name}`}
      data-state={monitor.state}
    >
      <header className="monitor-card-head">
        <button
          className="link monitor-name"
          onClick={onSelect}
          aria-pressed={selected}
          title="Show its alerts and playbook"
        >
          {monitor.name}
        </button>
        <span className={`state-badge ${STATE_CLASS[monitor.state]}`} data-testid="monitor-state">
          {monitor.state}
          {monitor.openAlerts > 0 ? ` · ${monitor.openAlerts}` : ''}
        </span>
      </header>
      <p className="muted monitor-what">
        {monitor.source} by {monitor.by}, {measure} per {monitor.bucket === '15min' ? '15 minutes' : monitor.bucket}, z
        ≥ {monitor.threshold}, every {monitor.every}
      </p>
      {spark && lead ? (
        <div className="monitor-spark">
          <Sparkline
            series={spark}
            label={`${lead.name}: the last ${lead.values.length} buckets against the expected band`}
            testId="monitor-sparkline"
          />
          <span className="muted spark-caption">
            {lead.name}, last {lead.values.length} buckets
            {series && series.buckets.length ? ` to ${when(series.buckets[series.buckets.length - 1]!)}` : ''}
          </span>
        </div>
      ) : (
        <p className="muted">No buckets yet.</p>
      )}
      <p className="muted monitor-checked">
        {monitor.lastCheckError ? (
          <span className="monitor-error">Last check failed: {monitor.lastCheckError}</span>
        ) : monitor.lastCheckAt ? (
          `Checked ${when(monitor.lastCheckAt)}${monitor.checkedThrough ? `, data through ${when(monitor.checkedThrough)}` : ''}`
        ) : (
          'Not checked yet'
        )}
        <button className="link" onClick={onCheck} data-testid="monitor-check">
          Check now
        </button>
      </p>
      {monitor.webhooks.length > 0 && (
        <ul className="webhooks" data-testid="monitor-webhooks">
          {monitor.webhooks.map((webhook) => (
            <li key={webhook.id} className={webhook.state === 'failing' ? 'webhook-failing' : ''}>
              {webhook.shown} <span className="muted">{webhook.state}</span>
              {webhook.lastError ? <span className="monitor-error"> — {webhook.lastError}</span> : null}
            </li>
          ))}
        </ul>
      )}
      {failing.length > 0 && (
        <p className="monitor-error" role="status">
          {failing.length} webhook(s) failing: alerts are not reaching people there.
        </p>
      )}
    </article>
  );
}
