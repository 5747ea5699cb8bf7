/** The spike view's figures and words: the timeline with its marked windows, the anomaly view of one series. */
import type { Data, Layout } from 'plotly.js';
import type { SpikeOverview } from '../../shared/contract';

export const PALETTE = [
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
export const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The part of the timeline on show: the buckets inside the date range. */
export interface View {
  series: Set<string>;
  from: string;
  to: string;
}

export const inRange = (iso: string, view: View) => (!view.from || iso >= view.from) && (!view.to || iso < view.to);

/**
 * The counts of the chosen series, each with its own marked buckets in its legend group — so isolating a series
 * in the legend keeps its marks — and every marked window as a shaded band that no legend click hides.
 */
export function timeline(overview: SpikeOverview, view: View): { data: Data[]; layout: Partial<Layout> } {
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
export function anomaly(
  overview: SpikeOverview,
  name: string,
  view: View,
): { data: Data[]; layout: Partial<Layout> } | null {
  const series = overview.series.find((s) => s.name === name);
  if (!series) return null;
  const { threshold, minCount } = overview.baselineRule;
  const keep = overview.buckets.map((bucket) => inRange(bucket, view));
  const pick = <T>(values: T[]) => values.filter((_, i) => keep[i]);
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
        marker: {
          // Red where the bucket is marked: z at the threshold and enough items.
          color: pick(series.z.map((z, i) => z !== null && z >= threshold && series.counts[i]! >= minCount)).map(
            (marked) => (marked ? '#d62728' : '#9aa5b8'),
          ),
        },
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
export function explanation(overview: SpikeOverview): string {
  const rule = overview.baselineRule;
  const unit = overview.bucket === '15min' ? '15-minute bucket' : overview.bucket;
  const what = overview.source === 'reports' ? 'reports filed' : 'moderation actions taken';
  const rhythm =
    rule.week > 0
      ? `the same slot a week back (once ${rule.minSeasons} earlier weeks have it), else a day back (once ${rule.minSeasons} earlier days have it)`
      : `the same slot ${rule.season} buckets back (once ${rule.minSeasons} earlier seasons have it)`;
  return `Each point counts the ${what} in one ${unit} (UTC), split by ${overview.by}. A bucket's baseline is the median of ${rhythm} over the last ${rule.seasons} seasons, otherwise of the ${rule.trailing} buckets before it; buckets already marked never count, so a spike does not raise the baselines after it. Its spread is the robust spread of that history (1.4826 × median absolute deviation), never below a Poisson floor of about √baseline (so a few extra reports in a quiet series are not a spike). A bucket is marked when z = (count − baseline) / spread reaches ${rule.threshold} and it holds at least ${rule.minCount} items; neighbouring marked buckets form one window.`;
}
