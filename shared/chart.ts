/**
 * Charting any result: which chart a result's column types suggest, and the spec a chart is drawn (and saved with a
 * report) from. The host aggregates in DuckDB to what the chart shows (shared/contract/query.ts `query.chart`), so
 * a result of millions of rows is never shipped to the window.
 */
import { z } from 'zod/v3';

export const CHART_TYPES = ['bar', 'stacked_bar', 'line', 'histogram', 'scatter', 'heatmap'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

export const CHART_TITLES: Record<ChartType, string> = {
  bar: 'Bar',
  stacked_bar: 'Stacked bar',
  line: 'Line (time on x)',
  histogram: 'Histogram',
  scatter: 'Scatter',
  heatmap: 'Heatmap',
};

/** How a measure is summed up per x (and series): a result's rows are often already aggregates, so sum by default. */
export const AGGREGATES = ['sum', 'avg', 'count', 'min', 'max'] as const;

export const chartSpecSchema = z
  .object({
    type: z.enum(CHART_TYPES),
    /** The x column (bars' categories, the line's time, the histogram's values, the heatmap's columns). */
    x: z.string().min(1),
    /** The measure (absent: count rows). */
    y: z.string().min(1).nullable().default(null),
    /** Splits bars and lines into series; the heatmap's rows. */
    series: z.string().min(1).nullable().default(null),
    aggregate: z.enum(AGGREGATES).default('sum'),
  })
  .strict();

export type ChartSpec = z.output<typeof chartSpecSchema>;

export type ColumnKind = 'time' | 'number' | 'category';

export function columnKind(type: string): ColumnKind {
  const upper = type.toUpperCase();
  if (/^(DATE|TIME|TIMESTAMP)/.test(upper)) return 'time';
  if (
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL|NUMERIC)/.test(
      upper,
    )
  )
    return 'number';
  return 'category';
}

/**
 * The chart a result's columns suggest, as Metabase and Superset pick a default: time and a measure → line (a
 * category splits the lines); two categories and a measure → heatmap; a category and a measure → bar; one measure
 * alone → histogram; two measures → scatter; a category alone → bar of counts. Null when nothing can be drawn.
 * Identifier-like columns (names ending in _id) make poor axes and are passed over while another column fits;
 * an hour or day number is an axis (a category), and a timestamp deep in a wide row is an attribute, not the x.
 */
export function chooseChart(columns: { name: string; type: string }[]): ChartSpec | null {
  const idLike = (name: string) => /(^|_)id$/i.test(name);
  // A number named for a calendar unit (hour_utc, day, week) is an ordinal axis, not a measure.
  const ordinal = (name: string) => /(^|_)(hour|day|dow|weekday|week|month|year|minute|bucket)(_|$)/i.test(name);
  const kindOf = (column: { name: string; type: string }): ColumnKind => {
    const kind = columnKind(column.type);
    return kind === 'number' && (ordinal(column.name) || idLike(column.name)) ? 'category' : kind;
  };
  const named = (kind: ColumnKind) => {
    const all = columns.filter((column) => kindOf(column) === kind);
    return [...all.filter((column) => !idLike(column.name)), ...all.filter((column) => idLike(column.name))].map(
      (column) => column.name,
    );
  };
  // A time column is the x axis when the result is shaped like a series (it leads); later ones are attributes.
  const times = columns
    .slice(0, 2)
    .filter((column) => kindOf(column) === 'time')
    .map((column) => column.name);
  const numbers = named('number');
  const categories = [
    ...columns.filter((column) => kindOf(column) === 'category' && ordinal(column.name)).map((column) => column.name),
    ...named('category').filter((name) => !ordinal(name)),
  ];
  const spec = (type: ChartType, x: string, y: string | null, series: string | null = null): ChartSpec => ({
    type,
    x,
    y,
    series,
    aggregate: y ? 'sum' : 'count',
  });
  if (times.length > 0) return spec('line', times[0]!, numbers[0] ?? null, categories[0] ?? null);
  // An id splits nothing usefully: a heatmap needs two categories that are not ids.
  const named2 = categories.filter((name) => !idLike(name));
  if (named2.length >= 2 && numbers.length > 0) return spec('heatmap', named2[0]!, numbers[0]!, named2[1]!);
  if (categories.length >= 1 && numbers.length > 0) return spec('bar', categories[0]!, numbers[0]!);
  if (numbers.length >= 2) return spec('scatter', numbers[0]!, numbers[1]!);
  if (numbers.length === 1) return spec('histogram', numbers[0]!, null);
  if (categories.length >= 1) return spec('bar', categories[0]!, null);
  return null;
}

/** What the host sends back to draw: already aggregated, with the counts it left out. */
export interface ChartData {
  spec: ChartSpec;
  /** x values (categories, times as ISO text, bin starts, or scatter x). */
  x: (string | number)[];
  series: { name: string; y: (number | null)[] }[];
  /** Histogram: the width of each bin. */
  binWidth?: number;
  /** Rows of the result the chart summarises. */
  rows: number;
  /** Categories or series beyond the chart's limit (folded into "other", or a scatter's unsampled points). */
  omitted: { x: number; series: number; points: number };
}

/** Bars and heatmap columns shown at most; the rest are folded into "(other)". */
export const MAX_CATEGORIES = 40;
/** Lines or stacks at most. */
export const MAX_SERIES = 12;
export const HISTOGRAM_BINS = 40;
export const SCATTER_POINTS = 5000;
