/**
 * A chart of any stored result: the type and columns chosen from the column types (shared/chart.ts), all editable;
 * the host aggregates to what is drawn. Exports as PNG or SVG.
 */
import type { Data, Layout } from 'plotly.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  AGGREGATES,
  CHART_TITLES,
  CHART_TYPES,
  type ChartData,
  type ChartSpec,
  chooseChart,
  columnKind,
} from '../../shared/chart';
import type { ColumnInfo } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { downloadPlot, Plot } from './Plot';

interface Props {
  result: { resultId: string; columns: ColumnInfo[] };
  /** The chart to start from (a report's saved one); otherwise chosen from the columns. */
  spec?: ChartSpec | null;
  onSpecChange?(spec: ChartSpec): void;
  /** Offered when the chart can be kept with something (a report). */
  onSave?(spec: ChartSpec): void;
  title?: string;
}

/** The plotly figure of a chart the host aggregated (also drawn by the Monitor view's pinned reports). */
export function chartFigure(data: ChartData): { data: Data[]; layout: Partial<Layout> } {
  const { spec } = data;
  const yTitle = spec.y === null || spec.aggregate === 'count' ? 'rows' : `${spec.aggregate}(${spec.y})`;
  const axisTitles = {
    xaxis: { title: { text: spec.x }, automargin: true },
    yaxis: { title: { text: yTitle }, automargin: true, rangemode: 'tozero' as const },
  };
  const legend = { orientation: 'h' as const, y: -0.3 };
  switch (spec.type) {
    case 'histogram':
      return {
        data: [
          {
            type: 'bar',
            x: data.x.map((start) => Number(start) + (data.binWidth ?? 0) / 2),
            y: data.series[0]?.y ?? [],
            width: data.binWidth,
            marker: { color: '#4c72b0' },
            hovertemplate: `${spec.x} %{x}<br>%{y} rows<extra></extra>`,
          },
        ],
        layout: { ...axisTitles, yaxis: { ...axisTitles.yaxis, title: { text: 'rows' } }, bargap: 0.02 },
      };
    case 'scatter':
      return {
        data: data.series.map((series) => ({
          type: 'scattergl',
          mode: 'markers',
          name: series.name,
          x: data.x,
          y: series.y,
          marker: { size: 5, opacity: 0.7 },
        })),
        layout: {
          ...axisTitles,
          yaxis: { title: { text: spec.y ?? '' }, automargin: true },
          legend,
          showlegend: data.series.length > 1,
        },
      };
    case 'line':
      return {
        data: data.series.map((series) => ({
          type: 'scatter',
          mode: 'lines+markers',
          name: series.name,
          x: data.x,
          y: series.y,
          marker: { size: 4 },
        })),
        layout: {
          ...axisTitles,
          xaxis: { ...axisTitles.xaxis, type: columnKindIsTime(data) ? 'date' : '-' },
          legend,
          showlegend: data.series.length > 1,
        },
      };
    case 'heatmap':
      return {
        data: [
          {
            type: 'heatmap',
            x: data.x,
            y: data.series.map((series) => series.name),
            z: data.series.map((series) => series.y),
            colorscale: 'Blues',
            hoverongaps: false,
            colorbar: { title: { text: yTitle } },
          },
        ],
        layout: {
          xaxis: { title: { text: spec.x }, automargin: true, type: 'category' },
          yaxis: { title: { text: spec.series ?? '' }, automargin: true, type: 'category' },
        },
      };
    default:
      return {
        data: data.series.map((series) => ({ type: 'bar', name: series.name, x: data.x, y: series.y })),
        layout: {
          ...axisTitles,
          xaxis: { ...axisTitles.xaxis, type: 'category' },
          barmode: spec.type === 'stacked_bar' ? 'stack' : 'group',
          legend,
          showlegend: data.series.length > 1,
        },
      };
  }
}

const columnKindIsTime = (data: ChartData) =>
  data.x.length > 0 && typeof data.x[0] === 'string' && /^\d{4}-\d\d-\d\dT/.test(String(data.x[0]));

export function ResultChart({ result, spec: initial, onSpecChange, onSave, title }: Props) {
  const suggested = useMemo(() => chooseChart(result.columns), [result.columns]);
  const [spec, setSpec] = useState<ChartSpec | null>(initial ?? suggested);
  const [data, setData] = useState<ChartData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const plotHost = useRef<HTMLDivElement>(null);

  useEffect(() => setSpec(initial ?? suggested), [initial, suggested]);
  useEffect(() => {
    if (!spec) return;
    let current = true;
    setError(null);
    api['query.chart']({ resultId: result.resultId, spec }).then(
      (loaded) => current && setData(loaded),
      (err: unknown) => current && (setData(null), setError(errorMessage(err))),
    );
    return () => {
      current = false;
    };
  }, [result.resultId, spec]);

  const change = (patch: Partial<ChartSpec>) => {
    if (!spec) return;
    const next = { ...spec, ...patch };
    if (patch.y !== undefined)
      next.aggregate = patch.y === null ? 'count' : next.aggregate === 'count' ? 'sum' : next.aggregate;
    setSpec(next);
    onSpecChange?.(next);
  };
  const drawn = useMemo(() => (data ? chartFigure(data) : null), [data]);
  const save = (format: 'png' | 'svg') =>
    plotHost.current &&
    void downloadPlot(
      plotHost.current.querySelector<HTMLElement>('.plot') ?? plotHost.current,
      format,
      title ?? 'chart',
    );
  if (!spec) return <div className="empty">This result has no column a chart can show.</div>;
  const numeric = result.columns.filter((column) => columnKind(column.type) === 'number');
  const omitted = data
    ? [
        data.omitted.x ? `${data.omitted.x} more ${spec.x} values` : '',
        data.omitted.series ? `${data.omitted.series} more series` : '',
        data.omitted.points
          ? `${data.omitted.points.toLocaleString('en-US')} points not drawn (a sample of the rows)`
          : '',
      ].filter(Boolean)
    : [];
  return (
    <div className="result-chart" data-testid="result-chart" data-chart-type={spec.type}>
      <div className="form-row chart-controls">
        <label>
          Chart{' '}
          <select
            value={spec.type}
            onChange={(event) => change({ type: event.target.value as ChartSpec['type'] })}
            data-testid="chart-type"
          >
            {CHART_TYPES.map((type) => (
              <option key={type} value={type}>
                {CHART_TITLES[type]}
              </option>
            ))}
          </select>
        </label>
        <label>
          x{' '}
          <select value={spec.x} onChange={(event) => change({ x: event.target.value })} data-testid="chart-x">
            {result.columns.map((column) => (
              <option key={column.name}>{column.name}</option>
            ))}
          </select>
        </label>
        {spec.type !== 'histogram' && (
          <label>
            y{' '}
            <select
              value={spec.y ?? ''}
              onChange={(event) => change({ y: event.target.value || null })}
              data-testid="chart-y"
            >
              <option value="">(count rows)</option>
              {numeric.map((column) => (
                <option key={column.name}>{column.name}</option>
              ))}
            </select>
          </label>
        )}
        {spec.y !== null && spec.type !== 'histogram' && spec.type !== 'scatter' && (
          <select
            value={spec.aggregate}
            onChange={(event) => change({ aggregate: event.target.value as ChartSpec['aggregate'] })}
            aria-label="Aggregate"
            data-testid="chart-aggregate"
          >
            {AGGREGATES.filter((aggregate) => aggregate !== 'count').map((aggregate) => (
              <option key={aggregate}>{aggregate}</option>
            ))}
          </select>
        )}
        {spec.type !== 'histogram' && (
          <label>
            {spec.type === 'heatmap' ? 'rows' : 'series'}{' '}
            <select
              value={spec.series ?? ''}
              onChange={(event) => change({ series: event.target.value || null })}
              data-testid="chart-series"
            >
              <option value="">(none)</option>
              {result.columns
                .filter((column) => column.name !== spec.x && columnKind(column.type) !== 'number')
                .map((column) => (
                  <option key={column.name}>{column.name}</option>
                ))}
            </select>
          </label>
        )}
        <span className="spacer" />
        <span className="chart-actions">
          {onSave && (
            <button onClick={() => onSave(spec)} data-testid="chart-save" title="Open this report as this chart">
              Save chart with report
            </button>
          )}
          <button onClick={() => save('png')} data-testid="chart-png">
            PNG
          </button>
          <button onClick={() => save('svg')} data-testid="chart-svg">
            SVG
          </button>
        </span>
      </div>
      {error && <div className="error-box">{error}</div>}
      {data && (
        <p className="muted chart-note" data-testid="chart-note">
          {data.rows.toLocaleString('en-US')} rows, aggregated by the host
          {omitted.length ? `; ${omitted.join(', ')} folded into “(other)” or left out` : ''}.
        </p>
      )}
      <div ref={plotHost} className="chart-plot">
        {drawn && <Plot data={drawn.data} layout={drawn.layout} testId="chart-plot" height={420} />}
      </div>
    </div>
  );
}
