/** The Evaluate view's charts, as Plotly figures: reliability diagram, confidence distribution, precision–recall. */
import type { Data, Layout } from 'plotly.js';
import type { CategoryEvaluation } from '../../shared/contract';
import { COLORS, num } from './format';

export function reliabilityPlot(
  a: CategoryEvaluation,
  strategy: 'uniform' | 'quantile',
  b?: CategoryEvaluation,
): { data: Data[]; layout: Partial<Layout> } {
  const trace = (c: CategoryEvaluation, name: string, color: string, dash?: 'dash'): Data[] => {
    const bins = c.reliability[strategy];
    return [
      {
        type: 'scatter',
        mode: 'lines+markers',
        name: `${name} calibration`,
        x: bins.map((bin) => bin.meanPredicted),
        y: bins.map((bin) => bin.fractionPositive),
        line: { color, dash },
        marker: { size: 7 },
        hovertemplate: 'predicted %{x:.3f}<br>observed %{y:.3f}<extra></extra>',
      },
      {
        type: 'bar',
        name: `${name} items per bin`,
        x: bins.map((bin) => (bin.lower + bin.upper) / 2),
        width: bins.map((bin) => Math.max(0.004, bin.upper - bin.lower) * 0.9),
        y: bins.map((bin) => bin.count),
        yaxis: 'y2',
        marker: { color, opacity: 0.18 },
        hovertemplate: '%{y} items<extra></extra>',
      },
    ];
  };
  const data: Data[] = [
    {
      type: 'scatter',
      mode: 'lines',
      name: 'perfect calibration',
      x: [0, 1],
      y: [0, 1],
      line: { color: '#999', dash: 'dot', width: 1 },
      hoverinfo: 'skip',
    },
    ...trace(a, 'A', COLORS.a),
    ...(b ? trace(b, 'B', COLORS.b, 'dash') : []),
  ];
  return {
    data,
    layout: {
      xaxis: { title: { text: 'mean predicted score' }, range: [0, 1] },
      yaxis: { title: { text: 'fraction positive' }, range: [0, 1] },
      // automargin keeps the right-hand title clear of its tick labels (they overlapped with a fixed margin).
      yaxis2: {
        overlaying: 'y',
        side: 'right',
        title: { text: 'items per bin', standoff: 8 },
        showgrid: false,
        rangemode: 'tozero',
        automargin: true,
      },
      legend: { orientation: 'h', y: -0.3 },
      barmode: 'overlay',
      margin: { l: 55, r: 70, t: 20, b: 40 },
    },
  };
}

export function distributionPlot(
  c: CategoryEvaluation,
  logCounts: boolean,
  remove: number,
  escalate: number,
): { data: Data[]; layout: Partial<Layout> } {
  const centers = c.histogram.edges.slice(0, -1).map((edge, k) => (edge + c.histogram.edges[k + 1]!) / 2);
  const line = (x: number, color: string) => ({
    type: 'line' as const,
    x0: x,
    x1: x,
    y0: 0,
    y1: 1,
    yref: 'paper' as const,
    line: { color, width: 3 },
  });
  return {
    data: [
      {
        type: 'bar',
        name: 'negative (true label 0)',
        x: centers,
        y: c.histogram.negative,
        marker: { color: COLORS.neg, opacity: 0.6 },
      },
      {
        type: 'bar',
        name: 'positive (true label 1)',
        x: centers,
        y: c.histogram.positive,
        marker: { color: COLORS.pos, opacity: 0.7 },
      },
    ],
    layout: {
      barmode: 'overlay',
      bargap: 0.05,
      xaxis: { title: { text: 'score' }, range: [0, 1] },
      yaxis: { title: { text: logCounts ? 'items (log)' : 'items' }, type: logCounts ? 'log' : 'linear' },
      legend: { orientation: 'h', y: -0.3 },
      // Shape 0 is the remove threshold, shape 1 the escalate threshold; both can be dragged.
      shapes: [line(remove, '#d62728'), line(escalate, '#e0a030')],
      annotations: [
        {
          x: remove,
          y: 1,
          yref: 'paper',
          text: 'remove ≥',
          showarrow: false,
          xanchor: 'left',
          font: { color: '#d62728', size: 11 },
        },
        {
          x: escalate,
          y: 0.92,
          yref: 'paper',
          text: 'escalate ≥',
          showarrow: false,
          xanchor: 'left',
          font: { color: '#b07800', size: 11 },
        },
      ],
    },
  };
}

export function prPlot(a: CategoryEvaluation, b?: CategoryEvaluation): { data: Data[]; layout: Partial<Layout> } {
  const trace = (c: CategoryEvaluation, name: string, color: string, dash?: 'dash'): Data => ({
    type: 'scatter',
    mode: 'lines',
    name: `${name} (AP ${num(c.averagePrecision)})`,
    x: [...c.pr.map((p) => p.recall), 0],
    y: [...c.pr.map((p) => p.precision), 1],
    line: { shape: 'vh', color, dash },
    hovertemplate: 'recall %{x:.3f}<br>precision %{y:.3f}<extra></extra>',
  });
  return {
    data: [trace(a, 'A', COLORS.a), ...(b ? [trace(b, 'B', COLORS.b, 'dash')] : [])],
    layout: {
      xaxis: { title: { text: 'recall' }, range: [0, 1.02] },
      yaxis: { title: { text: 'precision' }, range: [0, 1.02] },
      legend: { orientation: 'h', y: -0.3 },
    },
  };
}
