/** "Why did reports spike?": the timeline with marked windows and model version changes, then a drill-down. */
import type { Data, Layout } from 'plotly.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import { NeedsData, useMissingTables } from '../components/NeedsData';
import { SPIKE_SOURCE_TABLES } from '../../shared/canonical';
import type { SpikeBucket, SpikeDimension, SpikeOverview, SpikeSource, SpikeWindowInfo } from '../../shared/contract';
import { Plot } from '../components/Plot';
import { TermTable } from '../components/TermTable';
import { useExplore } from '../explore/exploreStore';
import { useNavigation } from '../navigation';
import { useWorkspace } from '../workspaceStore';
import { DIMENSIONS, useSpikes } from './spikesStore';

const PALETTE = [
  '#3355cc',
  '#e07b39',
  '#2a9d8f',
  '#8e44ad',
  '#c0392b',
  '#7f8c8d',
  '#d4a017',
  '#16a085',
  '#2c3e50',
  '#e84393',
  '#6c5ce7',
  '#00b894',
];
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const SOURCES = Object.keys(SPIKE_SOURCE_TABLES) as SpikeSource[];
const SOURCE_LABEL: Record<SpikeSource, string> = { reports: 'reports', actions: 'moderation actions' };
/** Marked windows listed before "Show all": the list grows with the page, never in a scroll pane of its own. */
const WINDOWS_SHOWN = 10;

/** The part of the timeline on show: the buckets inside the date range. */
interface View {
  series: Set<string>;
  from: string;
  to: string;
}

const inRange = (iso: string, view: View) => (!view.from || iso >= view.from) && (!view.to || iso < view.to);

/**
 * The counts of the chosen series, each with its own marked buckets in its legend group — so isolating a series
 * in the legend keeps its marks — and every marked window as a shaded band that no legend click hides.
 */
function timeline(overview: SpikeOverview, view: View): { data: Data[]; layout: Partial<Layout> } {
  const keep = overview.buckets.map((bucket) => inRange(bucket, view));
  const x = overview.buckets.filter((_, i) => keep[i]);
  const data: Data[] = [];
  overview.series.forEach((series, index) => {
    if (!view.series.has(series.name)) return;
    const color = PALETTE[index % PALETTE.length]!;
    data.push({
      type: 'scatter',
      mode: 'lines',
      name: series.name,
      legendgroup: series.name,
      x,
      y: series.counts.filter((_, i) => keep[i]),
      line: { width: 1.5, color },
      hovertemplate: `${series.name}: %{y}<extra>%{x}</extra>`,
    });
    const marks = { x: [] as string[], y: [] as number[], text: [] as string[] };
    for (const window of overview.windows.filter((w) => w.series === series.name)) {
      overview.buckets.forEach((bucket, i) => {
        if (keep[i] && bucket >= window.start && bucket < window.end) {
          marks.x.push(bucket);
          marks.y.push(series.counts[i]!);
          marks.text.push(`z ${series.z[i] ?? ''}, expected ${series.baseline[i] ?? '—'}`);
        }
      });
    }
    if (marks.x.length) {
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: `${series.name} marked`,
        legendgroup: series.name,
        showlegend: false,
        ...marks,
        marker: { color: '#d62728', size: 8, symbol: 'circle-open', line: { width: 2 } },
        hovertemplate: `${series.name} %{text}<extra>%{x}</extra>`,
      });
    }
  });
  const bands = overview.windows
    .filter(
      (window) =>
        view.series.has(window.series) &&
        (!view.to || window.start < view.to) &&
        (!view.from || window.end > view.from),
    )
    .map((window) => ({
      type: 'rect' as const,
      xref: 'x' as const,
      yref: 'paper' as const,
      x0: window.start,
      x1: window.end,
      y0: 0,
      y1: 1,
      fillcolor: '#d62728',
      opacity: 0.08,
      line: { width: 0 },
      layer: 'below' as const,
    }));
  const markers = overview.markers.filter((marker) => inRange(marker.at, view));
  const layout: Partial<Layout> = {
    xaxis: {
      type: 'date',
      title: { text: `${overview.bucket === '15min' ? '15-minute' : overview.bucket} bucket start (UTC)` },
    },
    yaxis: {
      title: { text: `${overview.source === 'reports' ? 'reports' : 'moderation actions'} per bucket` },
      rangemode: 'tozero',
    },
    legend: { orientation: 'h', y: -0.25 },
    shapes: [
      ...bands,
      ...markers.map((marker) => ({
        type: 'line' as const,
        xref: 'x' as const,
        yref: 'paper' as const,
        x0: marker.at,
        x1: marker.at,
        y0: 0,
        y1: 1,
        line: { color: '#555', dash: 'dash' as const, width: 1 },
      })),
    ],
    // A version change's label sits above the plotting area, where no data is drawn (inside it, it covered the
    // spike's peak that so often follows a deployment), and reads towards the middle of the chart.
    annotations: markers.map((marker) => ({
      x: marker.at,
      y: 1,
      xref: 'x',
      yref: 'paper',
      yanchor: 'bottom',
      yshift: 2,
      xanchor: x.length > 1 && marker.at > x[Math.floor(x.length * 0.6)]! ? 'right' : 'left',
      text: `${marker.model} ${marker.previous} → ${marker.version}`,
      showarrow: false,
      font: { size: 10, color: '#555' },
    })),
    // Room above the plot for the labels, below the chart's toolbar.
    margin: { l: 50, r: 20, t: markers.length ? 56 : 36, b: 40 },
  };
  return { data, layout };
}

/** The anomaly view of one series: its counts against the baseline and the band a bucket must leave to be marked, and z below. */
function anomaly(overview: SpikeOverview, name: string, view: View): { data: Data[]; layout: Partial<Layout> } | null {
  const series = overview.series.find((s) => s.name === name);
  if (!series) return null;
  const threshold = overview.baselineRule.threshold;
  const keep = overview.buckets.map((bucket) => inRange(bucket, view));
  const pick = <T,>(values: T[]) => values.filter((_, i) => keep[i]);
  const x = pick(overview.buckets);
  const upper = pick(
    series.baseline.map((b, i) => (b === null || series.spread[i] === null ? null : b + threshold * series.spread[i]!)),
  );
  const lower = pick(
    series.baseline.map((b, i) =>
      b === null || series.spread[i] === null ? null : Math.max(0, b - threshold * series.spread[i]!),
    ),
  );
  return {
    data: [
      {
        type: 'scatter',
        mode: 'lines',
        name: `baseline − ${threshold}·spread`,
        x,
        y: lower,
        line: { width: 0 },
        hoverinfo: 'skip',
        showlegend: false,
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: `expected range (baseline ± ${threshold}·spread)`,
        x,
        y: upper,
        fill: 'tonexty',
        fillcolor: 'rgba(51, 85, 204, 0.12)',
        line: { width: 0 },
        hoverinfo: 'skip',
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: 'baseline',
        x,
        y: pick(series.baseline),
        line: { color: '#3355cc', dash: 'dot', width: 1.5 },
        hovertemplate: 'baseline %{y}<extra>%{x}</extra>',
      },
      {
        type: 'scatter',
        mode: 'lines',
        name: 'count',
        x,
        y: pick(series.counts),
        line: { color: '#222', width: 1.5 },
        hovertemplate: 'count %{y}<extra>%{x}</extra>',
      },
      {
        type: 'bar',
        name: 'z-score',
        x,
        y: pick(series.z),
        yaxis: 'y2',
        marker: { color: pick(series.z).map((z) => (z !== null && z >= threshold ? '#d62728' : '#9aa5b8')) },
        hovertemplate: 'z %{y}<extra>%{x}</extra>',
      },
    ],
    layout: {
      grid: { rows: 2, columns: 1, roworder: 'top to bottom' },
      xaxis: { type: 'date', anchor: 'y2' },
      yaxis: { title: { text: 'count' }, domain: [0.38, 1], rangemode: 'tozero' },
      yaxis2: { title: { text: 'z' }, domain: [0, 0.3] },
      shapes: [
        {
          type: 'line',
          xref: 'paper',
          yref: 'y2',
          x0: 0,
          x1: 1,
          y0: threshold,
          y1: threshold,
          line: { color: '#d62728', dash: 'dash', width: 1 },
        },
      ],
      legend: { orientation: 'h', y: -0.18 },
      margin: { l: 60, r: 20, t: 10, b: 40 },
    },
  };
}

/** What the counts are and when a bucket is marked, in words. */
function explanation(overview: SpikeOverview): string {
  const rule = overview.baselineRule;
  const unit = overview.bucket === '15min' ? '15-minute bucket' : overview.bucket;
  const what = overview.source === 'reports' ? 'reports filed' : 'moderation actions taken';
  return `Each point counts the ${what} in one ${unit} (UTC), split by ${overview.by}. A bucket's baseline is the mean of the same slot in earlier seasons (${rule.season} buckets back, once ${rule.minSeasons} seasons exist), otherwise of the ${rule.trailing} buckets before it; its spread is the standard deviation of that history, never below √baseline (so one extra report in a quiet series is not a spike). A bucket is marked when z = (count − baseline) / spread reaches ${rule.threshold}; neighbouring marked buckets form one window.`;
}

export function SpikeView() {
  const { controls, overview, selected, drill, loading, drilling, error, setControls, load, select } = useSpikes();
  const go = useNavigation((state) => state.go);

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

  const queryItems = (ids: string[]) => {
    useExplore
      .getState()
      .newTab(
        `SELECT content_id, user_id, created_at, text\nFROM content\nWHERE content_id IN (${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})\nORDER BY created_at;`,
        'Spike items',
      );
    go('explore');
    void useExplore.getState().run({ mode: 'all' });
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
            {!selected && <p className="muted">Pick a marked window to see what is behind it.</p>}
            {drilling && <p>Looking inside the window…</p>}
            {selected && drill && (
              <>
                <h3>
                  {selected.series}, {when(selected.start)} – {when(selected.end)}: {drill.items} items (
                  {drill.baselineItems} in the week before)
                </h3>
                <div className="drill-grid">
                  <div>
                    <h4>Near-duplicate clusters</h4>
                    {drill.clusters.length === 0 && <p className="muted">None of three or more.</p>}
                    {drill.clusters.map((cluster, index) => (
                      <div key={index} className="cluster" data-testid="spike-cluster">
                        <div className="cluster-head">
                          <b>{cluster.size} items</b> from {cluster.authors} account(s)
                          {cluster.newAccounts > 0 ? `, ${cluster.newAccounts} created in the week before` : ''} ·{' '}
                          {when(cluster.firstAt)} – {when(cluster.lastAt)}
                          <button className="link" onClick={() => queryItems(cluster.contentIds)}>
                            Query these items
                          </button>
                        </div>
                        {cluster.samples.map((sample) => (
                          <div key={sample} className="cluster-sample">
                            {sample}
                          </div>
                        ))}
                      </div>
                    ))}
                  </div>
                  <div>
                    <h4>Top terms against the week before</h4>
                    <TermTable
                      terms={drill.terms.map((t) => ({
                        term: t.term,
                        focus: t.focusCount,
                        baseline: t.baselineCount,
                        z: t.z,
                      }))}
                      focus="window"
                      baseline="before"
                      testId="spike-terms"
                    />
                  </div>
                  <div>
                    <h4>{controls.source === 'reports' ? 'Most reported accounts' : 'Accounts most acted on'}</h4>
                    <table>
                      <tbody>
                        {drill.targets.map((target) => (
                          <tr key={target.userId}>
                            <td>{target.userId}</td>
                            <td className="num">{target.reports}</td>
                            <td className="muted">
                              {target.accountCreatedAt ? `joined ${when(target.accountCreatedAt)}` : ''}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    <h4>Top {controls.source === 'reports' ? 'reporters' : 'actors'}</h4>
                    <table>
                      <tbody>
                        {drill.reporters.map((reporter) => (
                          <tr key={reporter.reporterId}>
                            <td>{reporter.reporterId}</td>
                            <td className="num">{reporter.reports}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </div>
              </>
            )}
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
