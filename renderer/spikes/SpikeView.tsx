/** "Why did reports spike?": the timeline with marked windows and model version changes, then a drill-down. */
import type { Data, Layout } from 'plotly.js';
import { useEffect, useMemo } from 'react';
import { NeedsData, useMissingTables } from '../components/NeedsData';
import type { SpikeBucket, SpikeDimension, SpikeOverview, SpikeSource } from '../../shared/contract';
import { Plot } from '../components/Plot';
import { useExplore } from '../explore/exploreStore';
import { useNavigation } from '../navigation';
import { DIMENSIONS, useSpikes } from './spikesStore';

const PALETTE = ['#3355cc', '#e07b39', '#2a9d8f', '#8e44ad', '#c0392b', '#7f8c8d', '#d4a017', '#16a085', '#2c3e50', '#e84393', '#6c5ce7', '#00b894'];
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function timeline(overview: SpikeOverview): { data: Data[]; layout: Partial<Layout> } {
  const x = overview.buckets;
  const data: Data[] = overview.series.slice(0, 8).map((series, index) => ({
    type: 'scatter',
    mode: 'lines',
    name: series.name,
    x,
    y: series.counts,
    line: { width: 1.5, color: PALETTE[index % PALETTE.length] },
    hovertemplate: `${series.name}: %{y}<extra>%{x}</extra>`,
  }));
  // Marked buckets: a red dot on each bucket of each window, on its own series.
  const shown = new Map(overview.series.map((series) => [series.name, series]));
  const markX: string[] = [];
  const markY: number[] = [];
  const markText: string[] = [];
  for (const window of overview.windows) {
    const series = shown.get(window.series);
    if (!series) continue;
    for (let i = 0; i < x.length; i++) {
      if (x[i]! >= window.start && x[i]! < window.end) {
        markX.push(x[i]!);
        markY.push(series.counts[i]!);
        markText.push(`${window.series}: z ${series.z[i] ?? ''}`);
      }
    }
  }
  data.push({ type: 'scatter', mode: 'markers', name: 'marked', x: markX, y: markY, text: markText, marker: { color: '#d62728', size: 8, symbol: 'circle-open', line: { width: 2 } }, hovertemplate: '%{text}<extra>%{x}</extra>' });
  const layout: Partial<Layout> = {
    xaxis: { type: 'date', title: { text: 'bucket start (UTC)' } },
    yaxis: { title: { text: 'count' }, rangemode: 'tozero' },
    legend: { orientation: 'h', y: -0.25 },
    shapes: overview.markers.map((marker) => ({ type: 'line', xref: 'x', yref: 'paper', x0: marker.at, x1: marker.at, y0: 0, y1: 1, line: { color: '#555', dash: 'dash', width: 1 } })),
    annotations: overview.markers.map((marker) => ({ x: marker.at, y: 1, xref: 'x', yref: 'paper', text: `${marker.model} ${marker.previous} → ${marker.version}`, showarrow: false, xanchor: 'left', yanchor: 'top', font: { size: 10, color: '#555' } })),
  };
  return { data, layout };
}

export function SpikeView() {
  const { controls, overview, selected, drill, loading, drilling, error, setControls, load, select } = useSpikes();
  const go = useNavigation((state) => state.go);

  const missing = useMissingTables('spikes');
  const ready = missing.length === 0;
  useEffect(() => {
    if (ready && !overview) void load();
    // Loads on first show (and once the data arrives in an empty workspace); controls reload through setControls.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready]);

  const chart = useMemo(() => (overview ? timeline(overview) : null), [overview]);

  const queryItems = (ids: string[]) => {
    useExplore.getState().newTab(`SELECT content_id, user_id, created_at, text\nFROM content\nWHERE content_id IN (${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})\nORDER BY created_at;`, 'Spike items');
    go('explore');
    void useExplore.getState().run({ mode: 'all' });
  };

  if (!ready) {
    return (
      <section className="spikes" data-testid="spike-view">
        <NeedsData view="spikes" missing={missing} />
      </section>
    );
  }
  return (
    <section className="spikes" data-testid="spike-view">
      <div className="toolbar">
        <label>
          Source{' '}
          <select value={controls.source} onChange={(event) => setControls({ source: event.target.value as SpikeSource })} data-testid="spike-source">
            <option value="reports">reports</option>
            <option value="actions">moderation actions</option>
          </select>
        </label>
        <label>
          By{' '}
          <select value={controls.by} onChange={(event) => setControls({ by: event.target.value as SpikeDimension })} data-testid="spike-by">
            {DIMENSIONS[controls.source].map((dimension) => (
              <option key={dimension} value={dimension}>
                {dimension}
              </option>
            ))}
          </select>
        </label>
        <label>
          Bucket{' '}
          <select value={controls.bucket} onChange={(event) => setControls({ bucket: event.target.value as SpikeBucket })}>
            <option value="15min">15 minutes</option>
            <option value="hour">hour</option>
            <option value="day">day</option>
          </select>
        </label>
        <label title="Buckets whose z-score against their baseline reaches this are marked">
          z ≥{' '}
          <input className="num-input" type="number" step={0.5} min={1} value={controls.threshold} onChange={(event) => Number(event.target.value) > 0 && setControls({ threshold: Number(event.target.value) })} />
        </label>
        <span className="status">{loading ? 'Computing…' : overview ? `${overview.windows.length} marked window(s)` : ''}</span>
      </div>
      {error && <div className="error-box">{error}</div>}
      <div className="spike-body">
        <div className="spike-chart">{chart && <Plot data={chart.data} layout={chart.layout} testId="spike-timeline" />}</div>
        <div className="spike-columns">
          <div className="spike-windows">
            <h3>Marked windows</h3>
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
                {overview?.windows.slice(0, 50).map((window) => (
                  <tr key={`${window.series}-${window.start}`} className={selected === window ? 'active' : ''} onClick={() => void select(window)}>
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
          </div>
          <div className="spike-drill" data-testid="spike-drill">
            {!selected && <p className="muted">Pick a marked window to see what is behind it.</p>}
            {drilling && <p>Looking inside the window…</p>}
            {selected && drill && (
              <>
                <h3>
                  {selected.series}, {when(selected.start)} – {when(selected.end)}: {drill.items} items ({drill.baselineItems} in the week before)
                </h3>
                <div className="drill-grid">
                  <div>
                    <h4>Near-duplicate clusters</h4>
                    {drill.clusters.length === 0 && <p className="muted">None of three or more.</p>}
                    {drill.clusters.map((cluster, index) => (
                      <div key={index} className="cluster" data-testid="spike-cluster">
                        <div className="cluster-head">
                          <b>{cluster.size} items</b> from {cluster.authors} account(s){cluster.newAccounts > 0 ? `, ${cluster.newAccounts} created in the week before` : ''} · {when(cluster.firstAt)} – {when(cluster.lastAt)}
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
                    <table data-testid="spike-terms">
                      <thead>
                        <tr>
                          <th>term</th>
                          <th>window</th>
                          <th>before</th>
                          <th>z</th>
                        </tr>
                      </thead>
                      <tbody>
                        {drill.terms.slice(0, 12).map((term) => (
                          <tr key={term.term}>
                            <td>{term.term}</td>
                            <td className="num">{term.focusCount}</td>
                            <td className="num">{term.baselineCount}</td>
                            <td className="num">{term.z.toFixed(1)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                  <div>
                    <h4>Most reported accounts</h4>
                    <table>
                      <tbody>
                        {drill.targets.map((target) => (
                          <tr key={target.userId}>
                            <td>{target.userId}</td>
                            <td className="num">{target.reports}</td>
                            <td className="muted">{target.accountCreatedAt ? `joined ${when(target.accountCreatedAt)}` : ''}</td>
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
      </div>
    </section>
  );
}
