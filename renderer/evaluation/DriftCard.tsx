/**
 * Score drift week over week (shared/drift.ts): each category's PSI of a week's scores against the week before (10
 * deciles of the earlier week, ε = 1e-4), and the share of scores above 0.8. Needs no labels; the category shown in
 * the view is drawn bold.
 */
import type { Data, Layout } from 'plotly.js';
import { useEffect, useMemo, useState } from 'react';
import type { WeeklyDrift } from '../../shared/contract';
import { HIGH_SCORE, psiReading } from '../../shared/drift';
import { Plot } from '../components/Plot';
import { isCancelled, runJob } from '../jobs/jobsStore';
import { num, pct } from './format';

/** PSI's usual reading lines: below 0.1 stable, 0.1–0.25 moderate, above 0.25 large. */
const GUIDES = [0.1, 0.25];

export function DriftCard({ model, version, category }: { model: string; version: string; category: string }) {
  const [drift, setDrift] = useState<WeeklyDrift | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    setDrift(null);
    setError(null);
    runJob('drift.weekly', { model, version }).then(
      (result) => !stale && setDrift(result),
      (failure: unknown) => !stale && !isCancelled(failure) && setError((failure as Error).message),
    );
    return () => {
      stale = true;
    };
  }, [model, version]);
  const plot = useMemo(() => (drift ? driftPlot(drift, category) : null), [drift, category]);
  const latest = drift?.weeks.at(-1);
  return (
    <div className="card" data-testid="drift-card">
      <h3>Score drift week over week — PSI against the week before</h3>
      {error && <p className="note">{error}</p>}
      {!drift && !error && <p className="muted">Counting each week&apos;s scores…</p>}
      {drift && drift.weeks.length < 2 && <p className="muted">Drift needs scores in two weeks or more.</p>}
      {drift && plot && drift.weeks.length >= 2 && (
        <>
          <Plot data={plot.data} layout={plot.layout} testId="drift-plot" height={230} />
          <table data-testid="drift-table">
            <thead>
              <tr>
                <th>category</th>
                <th title="PSI of the latest week against the week before">PSI {latest}</th>
                <th>largest PSI</th>
                <th>above {HIGH_SCORE} (week before)</th>
              </tr>
            </thead>
            <tbody>
              {drift.categories.map(({ category: name, points }) => {
                const last = points.at(-1)!;
                const before = points.at(-2);
                const largest = points.reduce<(typeof points)[number] | null>(
                  (top, point) => (point.psi !== null && (top === null || point.psi > top.psi!) ? point : top),
                  null,
                );
                const reading = psiReading(last.psi);
                return (
                  <tr key={name} className={name === category ? 'drift-shown' : ''} data-category={name}>
                    <td>{name}</td>
                    <td className="num" data-testid="drift-latest">
                      {num(last.psi)} {reading && <span className={`psi-${reading}`}>{reading}</span>}
                    </td>
                    <td className="num">{largest ? `${num(largest.psi)} (${largest.week})` : '—'}</td>
                    <td className="num">
                      {pct(last.above)} ({pct(before?.above)})
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function driftPlot(drift: WeeklyDrift, shown: string): { data: Data[]; layout: Partial<Layout> } {
  const data: Data[] = drift.categories.map(({ category, points }) => ({
    type: 'scatter',
    mode: 'lines+markers',
    name: category,
    x: points.map((point) => point.week),
    y: points.map((point) => point.psi),
    line: { width: category === shown ? 3 : 1.2 },
    marker: { size: category === shown ? 6 : 4 },
    customdata: points.map((point) => [point.n, point.above === null ? '—' : pct(point.above)]),
    hovertemplate: `${category}<br>week of %{x}<br>PSI %{y:.3f}<br>%{customdata[0]} scores, %{customdata[1]} above ${HIGH_SCORE}<extra></extra>`,
  }));
  return {
    data,
    layout: {
      xaxis: { type: 'category', tickfont: { size: 10 } },
      yaxis: { title: { text: 'PSI' }, rangemode: 'tozero' },
      shapes: GUIDES.map((y) => ({
        type: 'line',
        xref: 'paper',
        x0: 0,
        x1: 1,
        y0: y,
        y1: y,
        line: { color: '#999', dash: 'dot', width: 1 },
      })),
      legend: { orientation: 'h', y: -0.25, font: { size: 10 } },
      margin: { l: 45, r: 10, t: 10, b: 30 },
    },
  };
}
