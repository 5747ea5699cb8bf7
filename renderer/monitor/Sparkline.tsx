/**
 * A monitor's recent buckets at a glance: the count as a line over its expected band (baseline ± threshold·spread),
 * buckets outside it marked. Plain SVG: a dashboard of many monitors draws many of these, and plotly is heavy.
 */
export interface SparkSeries {
  counts: number[];
  /** Per bucket, the band a count must leave to be marked (null: no baseline yet). */
  lower: (number | null)[];
  upper: (number | null)[];
}

const WIDTH = 220;
const HEIGHT = 44;
const PAD = 3;

export function Sparkline({ series, label, testId }: { series: SparkSeries; label: string; testId?: string }) {
  const { counts, lower, upper } = series;
  const n = counts.length;
  if (n === 0) return <span className="muted">no data yet</span>;
  const top = Math.max(1, ...counts, ...upper.map((value) => value ?? 0));
  const x = (i: number) => PAD + (n === 1 ? (WIDTH - 2 * PAD) / 2 : (i * (WIDTH - 2 * PAD)) / (n - 1));
  const y = (value: number) => HEIGHT - PAD - (Math.max(0, value) / top) * (HEIGHT - 2 * PAD);
  const point = (i: number, value: number) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`;
  // The band, one polygon per run of buckets that have a baseline.
  const bands: string[] = [];
  let run: number[] = [];
  const closeRun = () => {
    if (run.length > 1)
      bands.push(
        [...run.map((i) => point(i, upper[i]!)), ...run.reverse().map((i) => point(i, lower[i] ?? 0))].join(' '),
      );
    run = [];
  };
  counts.forEach((_, i) => (upper[i] === null || upper[i] === undefined ? closeRun() : run.push(i)));
  closeRun();
  const outside = counts.flatMap((count, i) => (upper[i] != null && count > upper[i]! ? [i] : []));
  return (
    <svg
      className="sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-buckets={n}
      data-outside={outside.length}
    >
      <title>{label}</title>
      {bands.map((points, index) => (
        <polygon key={index} points={points} className="spark-band" />
      ))}
      <polyline points={counts.map((count, i) => point(i, count)).join(' ')} className="spark-line" />
      {outside.map((i) => (
        <circle key={i} cx={x(i)} cy={y(counts[i]!)} r={2.5} className="spark-mark" />
      ))}
    </svg>
  );
}
