/**
 * A chart of a stored result, aggregated in DuckDB (the results store) to what the chart draws: at most
 * MAX_CATEGORIES bars or heatmap columns (the rest folded into "(other)" when the measure adds up), MAX_SERIES
 * lines or stacks, HISTOGRAM_BINS bins, SCATTER_POINTS sampled points. The window never receives the rows themselves.
 */
import type { ColumnInfo } from '../../../shared/contract.js';
import {
  type ChartData,
  type ChartSpec,
  columnKind,
  HISTOGRAM_BINS,
  MAX_CATEGORIES,
  MAX_SERIES,
  SCATTER_POINTS,
} from '../../../shared/chart.js';
import { SiftError } from '../../../shared/errors.js';
import { quoteIdent, type Workspace } from '../workspace/workspace.js';

const OTHER = '(other)';
const NULL_LABEL = '(null)';

function check(spec: ChartSpec, columns: ColumnInfo[]): void {
  const typeOf = (name: string) => columns.find((column) => column.name === name)?.type;
  for (const [field, name] of [
    ['x', spec.x],
    ['y', spec.y],
    ['series', spec.series],
  ] as const) {
    if (name !== null && typeOf(name) === undefined)
      throw new SiftError({ code: 'BAD_REQUEST', message: `spec.${field}: the result has no column "${name}".` });
  }
  if (spec.y !== null && spec.aggregate !== 'count' && columnKind(typeOf(spec.y)!) !== 'number') {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `spec.y: "${spec.y}" is ${typeOf(spec.y)}, not a number; count it instead, or choose a numeric column.`,
    });
  }
  if (spec.type === 'histogram' && columnKind(typeOf(spec.x)!) !== 'number') {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `spec.x: a histogram needs a numeric column; "${spec.x}" is ${typeOf(spec.x)} (a bar chart counts its values).`,
    });
  }
  if (
    spec.type === 'scatter' &&
    (spec.y === null || columnKind(typeOf(spec.x)!) !== 'number' || columnKind(typeOf(spec.y)!) !== 'number')
  ) {
    throw new SiftError({ code: 'BAD_REQUEST', message: 'spec: a scatter plot needs two numeric columns, x and y.' });
  }
  if (spec.type === 'heatmap' && spec.series === null)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: 'spec.series: a heatmap needs a second category for its rows.',
    });
}

export async function chartStoredResult(
  workspace: Workspace,
  stored: { table: string; rowCount: number; columns: ColumnInfo[] },
  spec: ChartSpec,
): Promise<ChartData> {
  check(spec, stored.columns);
  const T = stored.table;
  const x = quoteIdent(spec.x);
  const y = spec.y === null ? null : quoteIdent(spec.y);
  return workspace.withResults(async (conn) => {
    const rows = async (sql: string, params: Record<string, string | number> = {}) =>
      (await conn.runAndReadAll(sql, params)).getRowsJson();

    if (spec.type === 'histogram') {
      const [[min, max, n]] = (await rows(`SELECT min(${x})::DOUBLE, max(${x})::DOUBLE, count(${x}) FROM ${T}`)) as [
        [number | null, number | null, string],
      ];
      if (min === null || max === null)
        return {
          spec,
          x: [],
          series: [{ name: 'count', y: [] }],
          rows: stored.rowCount,
          omitted: { x: 0, series: 0, points: 0 },
        };
      const width = max > min ? (max - min) / HISTOGRAM_BINS : 1;
      const counts = new Map(
        (
          await rows(
            `SELECT least(floor((${x} - $min) / $width), ${HISTOGRAM_BINS - 1})::INTEGER AS bin, count(*) FROM ${T} WHERE ${x} IS NOT NULL GROUP BY bin`,
            { min, width },
          )
        ).map(([bin, count]) => [Number(bin), Number(count)]),
      );
      const bins = max > min ? HISTOGRAM_BINS : 1;
      return {
        spec,
        x: Array.from({ length: bins }, (_, i) => min + i * width),
        series: [{ name: 'count', y: Array.from({ length: bins }, (_, i) => counts.get(i) ?? 0) }],
        binWidth: width,
        rows: Number(n),
        omitted: { x: 0, series: 0, points: 0 },
      };
    }

    if (spec.type === 'scatter') {
      const sample =
        stored.rowCount > SCATTER_POINTS ? `USING SAMPLE reservoir(${SCATTER_POINTS} ROWS) REPEATABLE (7)` : '';
      const group =
        spec.series === null ? `'${spec.y}'` : `coalesce(${quoteIdent(spec.series)}::VARCHAR, '${NULL_LABEL}')`;
      const points = await rows(
        `SELECT ${x}::DOUBLE, ${y}::DOUBLE, ${group} FROM (SELECT * FROM ${T} ${sample}) WHERE ${x} IS NOT NULL AND ${y} IS NOT NULL`,
      );
      // Each point is its own x; a series holds its y where the point is its own, null elsewhere.
      const names = [...new Set(points.map((point) => String(point[2])))].slice(0, MAX_SERIES);
      return {
        spec,
        x: points.map((point) => Number(point[0])),
        series: names.map((name) => ({
          name,
          y: points.map((point) => (String(point[2]) === name ? Number(point[1]) : null)),
        })),
        rows: stored.rowCount,
        omitted: { x: 0, series: 0, points: Math.max(0, stored.rowCount - points.length) },
      };
    }

    // Grouped charts: bar, stacked bar, line, heatmap.
    const timeX =
      spec.type === 'line' && columnKind(stored.columns.find((column) => column.name === spec.x)!.type) === 'time';
    const xExpr = timeX ? `strftime(${x}::TIMESTAMP, '%Y-%m-%dT%H:%M:%S')` : `coalesce(${x}::VARCHAR, '${NULL_LABEL}')`;
    const sExpr =
      spec.series === null
        ? `'${spec.y ?? 'count'}'`
        : `coalesce(${quoteIdent(spec.series)}::VARCHAR, '${NULL_LABEL}')`;
    const measure = spec.aggregate === 'count' || y === null ? 'count(*)' : `${spec.aggregate}(${y})`;
    // Folding the tail into "(other)" is honest only for a measure that adds up.
    const additive = spec.aggregate === 'count' || spec.aggregate === 'sum' || y === null;
    const grouped = await rows(
      `SELECT ${xExpr} AS x, ${sExpr} AS s, ${measure}::DOUBLE AS m, count(*) AS n FROM ${T} GROUP BY ALL`,
    );
    const totals = (index: 0 | 1) => {
      const sums = new Map<string, number>();
      for (const row of grouped)
        sums.set(
          String(row[index]),
          (sums.get(String(row[index])) ?? 0) + (additive ? Number(row[2] ?? 0) : Number(row[3])),
        );
      return [...sums.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key);
    };
    const seriesLimit = spec.type === 'heatmap' ? MAX_CATEGORIES : MAX_SERIES;
    const allSeries = totals(1);
    const keptSeries = new Set(allSeries.slice(0, seriesLimit));
    const allX = timeX ? [...new Set(grouped.map((row) => String(row[0])))].sort() : totals(0);
    const keptX = new Set(timeX ? allX : allX.slice(0, MAX_CATEGORIES));
    const foldX = !timeX && additive && allX.length > keptX.size;
    const foldSeries = additive && allSeries.length > keptSeries.size;
    const xs = [...allX.filter((value) => keptX.has(value)), ...(foldX ? [OTHER] : [])];
    const names = [...allSeries.filter((name) => keptSeries.has(name)), ...(foldSeries ? [OTHER] : [])];
    const cells = new Map<string, number>();
    for (const [xValue, sValue, m] of grouped) {
      const xKey = keptX.has(String(xValue)) ? String(xValue) : foldX ? OTHER : null;
      const sKey = keptSeries.has(String(sValue)) ? String(sValue) : foldSeries ? OTHER : null;
      if (xKey === null || sKey === null || m === null) continue;
      const key = `${xKey}\u0000${sKey}`;
      cells.set(key, (additive ? (cells.get(key) ?? 0) : 0) + Number(m));
    }
    return {
      spec,
      x: xs,
      series: names.map((name) => ({
        name,
        y: xs.map((xValue) => cells.get(`${xValue}\u0000${name}`) ?? (additive ? 0 : null)),
      })),
      rows: stored.rowCount,
      omitted: { x: allX.length - keptX.size, series: allSeries.length - keptSeries.size, points: 0 },
    };
  });
}
