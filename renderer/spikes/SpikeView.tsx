/** "Why did reports spike?": the timeline with marked windows and model version changes, then a drill-down. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { NeedsData, useMissingTables } from '../components/NeedsData';
import { SPIKE_SOURCE_TABLES } from '../../shared/canonical';
import type { SpikeBucket, SpikeDimension, SpikeSource, SpikeWindowInfo } from '../../shared/contract';
import { Plot } from '../components/Plot';
import { useWorkspace } from '../workspaceStore';
import { anomaly, explanation, PALETTE, timeline, type View, when } from './spikeCharts';
import { SpikeDrill } from './SpikeDrill';
import { DIMENSIONS, useSpikes } from './spikesStore';

const SOURCES = Object.keys(SPIKE_SOURCE_TABLES) as SpikeSource[];
const SOURCE_LABEL: Record<SpikeSource, string> = { reports: 'reports', actions: 'moderation actions' };
/** Marked windows listed before "Show all": the list grows with the page, never in a scroll pane of its own. */
const WINDOWS_SHOWN = 10;

export function SpikeView() {
  const { controls, overview, selected, loading, error, setControls, load, select } = useSpikes();

  const missing = useMissingTables('spikes');
  const loaded = useWorkspace((state) => state.info !== null);
  const ready = loaded && missing.length === 0;
  // The sources whose canonical table this workspace has: a missing one is offered as such, never charted as an error.
  const tables = useWorkspace((state) => state.tables);
  const available = SOURCES.filter((source) => tables.some((table) => table.name === SPIKE_SOURCE_TABLES[source]));
  const sourceMissing = ready && !available.includes(controls.source);
  useEffect(() => {
    if (!ready) return;
    if (sourceMissing)
      setControls({ source: available[0]! }); // reloads
    else if (!overview) void load();
    // Loads on first show (and once the data arrives in an empty workspace); controls reload through setControls.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, sourceMissing]);

  // Which series are drawn (the largest eight at first), the date range, and the series in the anomaly view.
  const [chosen, setChosen] = useState<Set<string> | null>(null);
  const [range, setRange] = useState({ from: '', to: '' });
  const [focus, setFocus] = useState<string | null>(null);
  const [allWindows, setAllWindows] = useState(false);
  useEffect(() => {
    setChosen(null);
    setFocus(null);
    setAllWindows(false);
  }, [overview]);
  // A picked window's drill-down is brought into view at once (its progress first, then its findings).
  const drillRef = useRef<HTMLDivElement>(null);
  // Opened at a window (a monitor's "investigate"): its drill-down is what the user came for.
  useEffect(() => {
    if (ready && useSpikes.getState().selected) drillRef.current?.scrollIntoView({ block: 'start' });
  }, [ready]);
  const pick = (window: SpikeWindowInfo) => {
    void select(window);
    const drill = drillRef.current;
    const scroller = drill?.closest('.spikes');
    if (!drill || !scroller) return;
    const top = drill.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    if (top < 0 || top > scroller.clientHeight / 3) drill.scrollIntoView({ block: 'start', behavior: 'smooth' });
  };
  const view = useMemo<View>(
    () => ({
      series: chosen ?? new Set(overview?.series.slice(0, 8).map((series) => series.name) ?? []),
      from: range.from ? `${range.from}:00` : '',
      to: range.to ? `${range.to}:00` : '',
    }),
    [chosen, overview, range],
  );
  const focusSeries = focus ?? selected?.series ?? overview?.windows[0]?.series ?? overview?.series[0]?.name ?? null;
  const chart = useMemo(() => (overview ? timeline(overview, view) : null), [overview, view]);
  const anomalyChart = useMemo(
    () => (overview && focusSeries ? anomaly(overview, focusSeries, view) : null),
    [overview, focusSeries, view],
  );
  // The windows table follows the filters: windows of the series on show, overlapping the date range.
  const shownWindows = (overview?.windows ?? []).filter(
    (window) =>
      view.series.has(window.series) && (!view.to || window.start < view.to) && (!view.from || window.end > view.from),
  );
  const toggleSeries = (name: string) => {
    const next = new Set(view.series);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setChosen(next);
  };

  if (!ready) {
    return (
      <section className="spikes" data-testid="spike-view">
        {loaded && <NeedsData view="spikes" missing={missing} />}
      </section>
    );
  }
  return (
    <section className="spikes" data-testid="spike-view">
      <div className="toolbar">
        <label>
          Source{' '}
          <select
            value={controls.source}
            onChange={(event) => setControls({ source: event.target.value as SpikeSource })}
            data-testid="spike-source"
          >
            {SOURCES.map((source) => (
              <option key={source} value={source} disabled={!available.includes(source)}>
                {SOURCE_LABEL[source]}
                {available.includes(source) ? '' : ` (no ${SPIKE_SOURCE_TABLES[source]} table)`}
              </option>
            ))}
          </select>
        </label>
        <label>
          By{' '}
          <select
            value={controls.by}
            onChange={(event) => setControls({ by: event.target.value as SpikeDimension })}
            data-testid="spike-by"
          >
            {DIMENSIONS[controls.source].map((dimension) => (
              <option key={dimension} value={dimension}>
                {dimension}
              </option>
            ))}
          </select>
        </label>
        <label>
          Bucket{' '}
          <select
            value={controls.bucket}
            onChange={(event) => setControls({ bucket: event.target.value as SpikeBucket })}
          >
            <option value="15min">15 minutes</option>
            <option value="hour">hour</option>
            <option value="day">day</option>
          </select>
        </label>
        <label title="Buckets whose z-score against their baseline reaches this are marked">
          z ≥{' '}
          <input
            className="num-input"
            type="number"
            step={0.5}
            min={1}
            value={controls.threshold}
            onChange={(event) =>
              Number(event.target.value) > 0 && setControls({ threshold: Number(event.target.value) })
            }
          />
        </label>
        <span className="status">
          {loading
            ? 'Computing…'
            : overview
              ? `${overview.windows.length} marked window(s)${shownWindows.length !== overview.windows.length ? `, ${shownWindows.length} in the series and dates shown` : ''}`
              : ''}
        </span>
      </div>
      {available.length < SOURCES.length && (
        <div className="note" data-testid="spike-source-note">
          {SOURCES.filter((source) => !available.includes(source)).map((source) => (
            <span key={source}>
              This workspace has no <b>{SPIKE_SOURCE_TABLES[source]}</b> table, so the chart counts{' '}
              {available.map((other) => SOURCE_LABEL[other]).join(' and ')} instead. To chart {SOURCE_LABEL[source]}{' '}
              too, import them and map them onto <b>{SPIKE_SOURCE_TABLES[source]}</b> (Import…).
            </span>
          ))}
        </div>
      )}
      {error && <div className="error-box">{error}</div>}
      {overview && overview.series.length > 0 && (
        <div className="toolbar spike-filters" data-testid="spike-filters">
          <span className="muted">Series:</span>
          {overview.series.map((series, index) => (
            <label key={series.name} className="series-chip" style={{ borderColor: PALETTE[index % PALETTE.length] }}>
              <input
                type="checkbox"
                checked={view.series.has(series.name)}
                onChange={() => toggleSeries(series.name)}
                data-testid={`spike-series-${series.name}`}
              />{' '}
              {series.name} <span className="muted">{series.total.toLocaleString('en-US')}</span>
            </label>
          ))}
          <label>
            from{' '}
            <input
              type="datetime-local"
              value={range.from}
              onChange={(event) => setRange({ ...range, from: event.target.value })}
              data-testid="spike-from"
            />
          </label>
          <label>
            to{' '}
            <input
              type="datetime-local"
              value={range.to}
              onChange={(event) => setRange({ ...range, to: event.target.value })}
              data-testid="spike-to"
            />
          </label>
          {(range.from || range.to) && (
            <button className="link" onClick={() => setRange({ from: '', to: '' })}>
              whole range
            </button>
          )}
        </div>
      )}
      <div className="spike-body">
        <div className="spike-chart">
          {chart && <Plot data={chart.data} layout={chart.layout} testId="spike-timeline" />}
          {overview && overview.series.length > 0 && (
            <p className="muted spike-explanation" data-testid="spike-explanation">
              {explanation(overview)}
            </p>
          )}
        </div>
        <div className="spike-columns">
          <div className="spike-windows">
            <h3>Marked windows{shownWindows.length > 0 ? ` (${shownWindows.length})` : ''}</h3>
            <table data-testid="spike-windows">
              <thead>
                <tr>
                  <th>series</th>
                  <th>start (UTC)</th>
                  <th>end</th>
                  <th>z</th>
                  <th>count / expected</th>
                </tr>
              </thead>
              <tbody>
                {(allWindows ? shownWindows : shownWindows.slice(0, WINDOWS_SHOWN)).map((window) => (
                  <tr
                    key={`${window.series}-${window.start}`}
                    className={selected === window ? 'active' : ''}
                    onClick={() => pick(window)}
                  >
                    <td>{window.series}</td>
                    <td>{when(window.start)}</td>
                    <td>{when(window.end)}</td>
                    <td className="num">{window.z.toFixed(1)}</td>
                    <td className="num">
                      {window.count} / {window.expected}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {shownWindows.length > WINDOWS_SHOWN && (
              <button className="link" onClick={() => setAllWindows(!allWindows)} data-testid="spike-windows-all">
                {allWindows ? `Show the first ${WINDOWS_SHOWN}` : `Show all ${shownWindows.length}`}
              </button>
            )}
          </div>
          <div className="spike-drill" data-testid="spike-drill" ref={drillRef}>
            <SpikeDrill />
          </div>
        </div>
        {anomalyChart && focusSeries && (
          <div className="card spike-anomaly" data-testid="spike-anomaly">
            <h3>
              Anomaly view of{' '}
              <select
                value={focusSeries}
                onChange={(event) => setFocus(event.target.value)}
                data-testid="spike-anomaly-series"
                aria-label="Series"
              >
                {overview!.series.map((series) => (
                  <option key={series.name}>{series.name}</option>
                ))}
              </select>
              : the count against its baseline and the band it must leave to be marked; z below
            </h3>
            <Plot data={anomalyChart.data} layout={anomalyChart.layout} testId="spike-anomaly-plot" height={380} />
          </div>
        )}
      </div>
    </section>
  );
}
