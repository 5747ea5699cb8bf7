/**
 * A small line chart drawn as inline SVG on the unit square (precision–recall curves in the release report): a page
 * saved to disk needs no script and no network to show it, and the chart stays a few kilobytes.
 */
import { html, type Markup } from './htmlText.js';

export interface ChartSeries {
  name: string;
  points: { x: number; y: number }[];
  color: string;
  dashed?: boolean;
}

/** A target drawn across the chart: a horizontal line at `y` or a vertical one at `x`. */
export interface ChartGuide {
  label: string;
  x?: number;
  y?: number;
}

export interface UnitChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  guides?: ChartGuide[];
  width?: number;
  height?: number;
}

const MARGIN = { left: 46, right: 12, top: 12, bottom: 58 };
const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

/** Coordinates with one decimal: enough for a screen, and the page stays small. */
const at = (value: number) => (Math.round(value * 10) / 10).toString();
const clamp = (value: number) => Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));

/** An SVG element (role img, its title read by screen readers) of a chart whose axes both run from 0 to 1. */
export function unitChartSvg(chart: UnitChart): Markup {
  const width = chart.width ?? 420;
  const height = chart.height ?? 320;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => at(MARGIN.left + clamp(x) * plotWidth);
  const py = (y: number) => at(MARGIN.top + (1 - clamp(y)) * plotHeight);
  const grid = TICKS.map(
    (tick) =>
      html`<line class="grid" x1="${px(0)}" x2="${px(1)}" y1="${py(tick)}" y2="${py(tick)}" />
        <line class="grid" x1="${px(tick)}" x2="${px(tick)}" y1="${py(0)}" y2="${py(1)}" />
        <text class="tick" x="${px(tick)}" y="${at(MARGIN.top + plotHeight + 14)}" text-anchor="middle"
          >${tick.toFixed(1)}</text
        >
        <text class="tick" x="${at(MARGIN.left - 6)}" y="${at(Number(py(tick)) + 4)}" text-anchor="end"
          >${tick.toFixed(1)}</text
        >`,
  );
  const guides = (chart.guides ?? []).map((guide) =>
    guide.y !== undefined
      ? html`<line class="guide" x1="${px(0)}" x2="${px(1)}" y1="${py(guide.y)}" y2="${py(guide.y)}"
          ><title>${guide.label}</title></line
        >`
      : html`<line class="guide" x1="${px(guide.x ?? 0)}" x2="${px(guide.x ?? 0)}" y1="${py(0)}" y2="${py(1)}"
          ><title>${guide.label}</title></line
        >`,
  );
  const lines = chart.series
    .filter((series) => series.points.length > 0)
    .map(
      (series) =>
        html`<polyline
          fill="none"
          stroke="${series.color}"
          stroke-width="2"
          ${series.dashed ? html` stroke-dasharray="6 4"` : ''}
          points="${series.points.map((point) => `${px(point.x)},${py(point.y)}`).join(' ')}"
          ><title>${series.name}</title></polyline
        >`,
    );
  const legend = chart.series.map((series, index) => {
    const x = MARGIN.left + index * 150;
    const y = height - 10;
    return html`<line
        x1="${at(x)}"
        x2="${at(x + 22)}"
        y1="${at(y - 4)}"
        y2="${at(y - 4)}"
        stroke="${series.color}"
        stroke-width="2"
        ${series.dashed ? html` stroke-dasharray="6 4"` : ''}
      />
      <text class="legend" x="${at(x + 28)}" y="${at(y)}">${series.name}</text>`;
  });
  return html`<svg
    class="chart"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    role="img"
    aria-label="${chart.title}"
  >
    <title>${chart.title}</title>
    ${grid}
    <rect class="frame" x="${px(0)}" y="${py(1)}" width="${at(plotWidth)}" height="${at(plotHeight)}" fill="none" />
    ${guides} ${lines}
    <text
      class="axis"
      x="${at(MARGIN.left + plotWidth / 2)}"
      y="${at(MARGIN.top + plotHeight + 32)}"
      text-anchor="middle"
    >
      ${chart.xLabel}
    </text>
    <text class="axis" transform="translate(12 ${at(MARGIN.top + plotHeight / 2)}) rotate(-90)" text-anchor="middle">
      ${chart.yLabel}
    </text>
    ${legend}
  </svg>`;
}
