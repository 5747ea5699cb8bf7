/**
 * The release report: one self-contained HTML page of a gate run (`sift gate --report DIR`, and the app's Release
 * check saves the same page). Every gate with its verdict, the candidate's and the baseline's precision–recall curves
 * per category (inline SVG), their slices, and the drift and robustness gates when the run has them. The page holds
 * no script and loads nothing (its Content-Security-Policy forbids it), so it opens offline and anywhere; every name
 * in it (model, version, category, slice value) comes from the user's data and is escaped (shared/htmlText.ts).
 */
import type { InputOf } from './contract.js';
import type { CategoryEvaluation, EvaluationResult } from './contract/evaluation.js';
import { type GateName, type GateReport, type GateResult, meetsTarget } from './gates.js';
import { html, type Markup } from './htmlText.js';
import { type ChartGuide, unitChartSvg } from './svgChart.js';

/** The four verdicts a gate can have, as the report and the Release check word them. */
export type GateVerdict = 'passed' | 'failed' | 'insufficient data' | 'not applicable';

export function gateVerdict(result: GateResult): GateVerdict {
  return result.status ?? (result.passed ? 'passed' : 'failed');
}

/** Gates whose figure must reach the target; every other gate's must stay at or under it. */
const MINIMUM_GATES: readonly GateName[] = ['recall_at_precision', 'precision_at_recall'];

/** Gates whose figure is the candidate's fall below the baseline: their target is the largest drop allowed. */
const DROP_GATES: readonly GateName[] = ['max_recall_drop', 'max_precision_drop'];

/** "≥ 0.900", "≤ 0.010", or "drop ≤ 0.010" (the figures beside it are the two versions' own, not the drop). */
export function targetText(result: Pick<GateResult, 'gate' | 'target'>): string {
  const side = MINIMUM_GATES.includes(result.gate) ? '≥' : '≤';
  return `${DROP_GATES.includes(result.gate) ? 'drop ' : ''}${side} ${figureText(result.target)}`;
}

/** Three decimals for a rate; a whole number (a latency target in ms, a count) as it is. */
export function figureText(value: number | null): string {
  return value === null ? '—' : Number.isInteger(value) && Math.abs(value) > 1 ? String(value) : value.toFixed(3);
}

export function intervalText(interval: [number, number] | null): string {
  return interval ? `[${interval[0].toFixed(3)}, ${interval[1].toFixed(3)}]` : '—';
}

/** A table the caller adds as it is (drift per week, robustness per transform): headers and already-made cells. */
export interface ReportTable {
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
}

export interface ReleaseReportInput {
  report: GateReport;
  /** When the gate ran (ISO 8601). */
  generatedAt: string;
  /** Both versions evaluated on the same items (eval.run with sameItemsAs): their curves and slices. */
  candidate: EvaluationResult | null;
  baseline: EvaluationResult | null;
  /** Drift and robustness details beyond their gates' rows, when the run measured them. */
  tables?: ReportTable[];
}

/**
 * The two evaluations the page draws, each version on exactly the labelled items both scored (the items the gates
 * judged). One failed evaluation leaves that version's curves out; the verdicts stand on their own.
 */
export async function reportEvaluations(
  report: GateReport,
  evaluate: (input: InputOf<'eval.run'>) => Promise<EvaluationResult>,
  labels?: string,
): Promise<Pick<ReleaseReportInput, 'candidate' | 'baseline'>> {
  const of = (version: string, other: string | null) =>
    evaluate({
      model: report.model,
      version,
      ...(labels ? { labels } : {}),
      ...(other ? { sameItemsAs: { model: report.model, version: other } } : {}),
    }).catch(() => null);
  const [candidate, baseline] = await Promise.all([
    of(report.candidate, report.baseline),
    report.baseline ? of(report.baseline, report.candidate) : null,
  ]);
  return { candidate, baseline };
}

const COLORS = { candidate: '#3355cc', baseline: '#e07b39' };
const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1d2330}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}th,td{border-bottom:1px solid #dde1e8;padding:4px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.muted{color:#5b6475}
.verdict{display:inline-block;white-space:nowrap;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px}
.passed{background:#dff3e4;color:#17612c}.failed{background:#fbe0de;color:#a3231a}
.insufficient-data{background:#fdf0d5;color:#7a5300}.not-applicable{background:#e8eaef;color:#4a5261}
.banner{padding:10px 14px;border-radius:6px;margin:12px 0;font-size:16px}
.category{display:grid;grid-template-columns:minmax(0,440px) minmax(0,1fr);gap:16px;align-items:start}
@media (max-width:900px){.category{grid-template-columns:minmax(0,1fr)}}
svg.chart{max-width:100%;height:auto}svg .grid{stroke:#eceef2}svg .frame{stroke:#9aa1ad}svg .guide{stroke:#a3231a;stroke-dasharray:2 3}
svg text{font:11px system-ui,sans-serif;fill:#4a5261}svg .axis{font-size:12px;fill:#1d2330}`;

const verdictBadge = (verdict: GateVerdict) =>
  html`<span class="verdict ${verdict.replace(' ', '-')}">${verdict}</span>`;

/** Every column of a verdict; `compact` (a category's own section, beside its chart) leaves out what it repeats. */
function gateRows(gates: GateResult[], compact = false): Markup {
  return html`<table>
    <thead>
      <tr>
        ${compact ? '' : html`<th>category</th>`}
        <th>gate</th>
        <th class="num">candidate</th>
        <th class="num">baseline</th>
        <th class="num">target</th>
        ${compact ? '' : html`<th class="num">interval (candidate &minus; baseline)</th>`}
        <th class="num">n</th>
        <th>verdict</th>
      </tr>
    </thead>
    <tbody>
      ${gates.map(
        (gate) =>
          html`<tr>
            ${compact ? '' : html`<td>${gate.category}</td>`}
            <td>${gate.gate}${gate.optional ? ' (optional)' : ''}</td>
            <td class="num">${figureText(gate.candidate)}</td>
            <td class="num">${figureText(gate.baseline)}</td>
            <td class="num">${targetText(gate)}</td>
            ${compact ? '' : html`<td class="num">${intervalText(gate.interval)}</td>`}
            <td class="num">${gate.n.toLocaleString('en-US')}</td>
            <td>
              ${verdictBadge(gateVerdict(gate))}${gate.reason ? html` <span class="muted">${gate.reason}</span>` : ''}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The targets a category's precision–recall gates set, drawn across its chart. */
function guidesOf(gates: GateResult[]): ChartGuide[] {
  return gates.flatMap((gate): ChartGuide[] =>
    gate.gate === 'recall_at_precision'
      ? [{ label: `${gate.category}: recall ${targetText(gate)}`, x: gate.target }]
      : gate.gate === 'precision_at_recall'
        ? [{ label: `${gate.category}: precision ${targetText(gate)}`, y: gate.target }]
        : [],
  );
}

const rateCell = (rate: { value: number | null } | undefined) =>
  html`<td class="num">${rate ? figureText(rate.value) : '—'}</td>`;

function slicesTable(candidate: CategoryEvaluation, baseline: CategoryEvaluation | undefined): Markup {
  if (candidate.slices.length === 0) return html`<p class="muted">No slices with labelled items.</p>`;
  const baselineRow = (dimension: string, value: string) =>
    baseline?.slices.find((slice) => slice.dimension === dimension && slice.value === value);
  return html`<table>
    <thead>
      <tr>
        <th>slice</th>
        <th class="num">items</th>
        <th class="num">recall (candidate)</th>
        <th class="num">recall (baseline)</th>
        <th class="num">FPR (candidate)</th>
        <th class="num">FPR (baseline)</th>
      </tr>
    </thead>
    <tbody>
      ${candidate.slices.map((slice) => {
        const other = baselineRow(slice.dimension, slice.value);
        return html`<tr>
          <td>${slice.dimension.replace('_', ' ')}: ${slice.value}</td>
          <td class="num">${slice.n.toLocaleString('en-US')}</td>
          ${rateCell(slice.recall)}${rateCell(other?.recall)}${rateCell(slice.fpr)}${rateCell(other?.fpr)}
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function categorySection(input: ReleaseReportInput, category: string): Markup {
  const { report } = input;
  const gates = report.gates.filter((gate) => gate.category === category);
  const candidate = input.candidate?.categories.find((c) => c.category === category);
  const baseline = input.baseline?.categories.find((c) => c.category === category);
  const series = [
    ...(candidate
      ? [{ evaluation: candidate, version: report.candidate, color: COLORS.candidate, dashed: false }]
      : []),
    ...(baseline && report.baseline
      ? [{ evaluation: baseline, version: report.baseline, color: COLORS.baseline, dashed: true }]
      : []),
  ];
  const chart = unitChartSvg({
    title: `Precision–recall of ${category}: candidate vs baseline`,
    xLabel: 'recall',
    yLabel: 'precision',
    series: series.map(({ evaluation, version, color, dashed }) => ({
      name: `${version} (AP ${figureText(evaluation.averagePrecision)})`,
      color,
      dashed,
      points: evaluation.pr.map((point) => ({ x: point.recall, y: point.precision })),
    })),
    guides: guidesOf(gates),
  });
  return html`<section id="category-${category}">
    <h2>${category}</h2>
    <p class="muted">
      ${candidate ? `${candidate.n.toLocaleString('en-US')} labelled items, ${candidate.positives.toLocaleString('en-US')} positives.` : 'Not evaluated.'}
    </p>
    <div class="category">
      <div>
        ${series.length > 0 ? chart : html`<p class="muted">No curve: no labelled items scored by both versions.</p>`}
      </div>
      <div>${gates.length > 0 ? gateRows(gates, true) : html`<p class="muted">No gate for this category.</p>`}</div>
    </div>
    ${
      candidate
        ? html`<h3>Slices of ${category} (at each version's own remove threshold)</h3>
            ${slicesTable(candidate, baseline)}`
        : ''
    }
  </section>`;
}

/** A transform's drop against its limit: within, over, or "no limit" when the gate file sets none for it. */
export function dropVerdict(drop: number | null, limit: number | null): GateVerdict | 'no limit' {
  if (limit === null) return 'no limit';
  if (drop === null) return 'insufficient data';
  return meetsTarget(drop, limit, false) ? 'passed' : 'failed';
}

/**
 * The robustness run's figures as a table: each category (with its robustness gate's verdict) by transform, the
 * recall on clean text and under the transform, the drop and the limit; then the latency p99 measured.
 */
function robustnessFigures(report: GateReport): Markup {
  const figures = report.robustness;
  if (!figures) return html``;
  if (!figures.applicable)
    return html`<p class="muted">No robustness figures: ${figures.reason ?? 'the candidate has no runtime here'}</p>`;
  const verdictOf = (category: string) =>
    report.gates.find((gate) => gate.gate === 'robustness' && gate.category === category);
  return html`<h3>Recall under each transform (candidate ${report.candidate})</h3>
    <table data-table="robustness">
      <thead>
        <tr>
          <th>category</th>
          <th>transform</th>
          <th class="num">n</th>
          <th class="num">recall (clean)</th>
          <th class="num">recall (transformed)</th>
          <th class="num">drop</th>
          <th class="num">limit</th>
          <th>verdict</th>
        </tr>
      </thead>
      <tbody>
        ${figures.categories.map((row) => {
          const gate = verdictOf(row.category);
          return row.transforms.map(
            (transform, index) =>
              html`<tr>
                ${
                  index === 0
                    ? html`<td rowspan="${row.transforms.length}">
                        ${row.category}
                        <div class="muted">at ${figureText(row.threshold)}</div>
                        ${gate ? verdictBadge(gateVerdict(gate)) : html`<span class="muted">no gate</span>`}
                      </td>`
                    : ''
                }
                <td>${transform.transform}</td>
                <td class="num">${row.n.toLocaleString('en-US')}</td>
                <td class="num">${figureText(row.cleanRecall)}</td>
                <td class="num">${figureText(transform.recall)}</td>
                <td class="num">${figureText(transform.drop)}</td>
                <td class="num">${transform.limit === null ? '—' : `≤ ${figureText(transform.limit)}`}</td>
                <td>${dropVerdictCell(dropVerdict(transform.drop, transform.limit))}</td>
              </tr>`,
          );
        })}
      </tbody>
    </table>
    <p class="muted">
      ${
        figures.latency
          ? `Latency p99 measured: ${figures.latency.p99Ms.toFixed(2)} ms per item over ${figures.latency.items.toLocaleString('en-US')} items.`
          : 'No latency measured in this run.'
      }
    </p>`;
}

const dropVerdictCell = (verdict: GateVerdict | 'no limit') =>
  verdict === 'no limit' ? html`<span class="muted">no limit</span>` : verdictBadge(verdict);

function extraTable(table: ReportTable): Markup {
  return html`<h3>${table.title}</h3>
    <table>
      <thead>
        <tr>
          ${table.columns.map((column) => html`<th>${column}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${table.rows.map(
          (row) =>
            html`<tr>
              ${row.map((cell) => html`<td${typeof cell === 'number' ? html` class="num"` : ''}>${typeof cell === 'number' ? figureText(cell) : (cell ?? '—')}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** The page, as text: write it as `report.html` beside the run's JSON. */
export function releaseReportHtml(input: ReleaseReportInput): string {
  const { report } = input;
  const counts = new Map<GateVerdict, number>();
  for (const gate of report.gates) counts.set(gateVerdict(gate), (counts.get(gateVerdict(gate)) ?? 0) + 1);
  const categories = [
    ...new Set([
      ...report.gates.map((gate) => gate.category),
      ...(input.candidate?.categories ?? []).map((c) => c.category),
    ]),
  ];
  const drift = report.gates.filter((gate) => gate.gate === 'max_psi');
  const robustness = report.gates.filter((gate) => gate.gate === 'robustness' || gate.gate === 'latency_p99_ms');
  const title = `Release report: ${report.model} ${report.candidate}${report.baseline ? ` vs ${report.baseline}` : ''}`;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <h1>${title}</h1>
        <p class="muted">
          Generated ${input.generatedAt}. Both versions judged on the same ${report.items.toLocaleString('en-US')}
          labelled items${input.candidate ? ` (labels: ${input.candidate.labelSource})` : ''}. The same verdicts, as
          JSON: report.json beside this page.
        </p>
        <div
          class="banner ${report.passed ? 'passed' : 'failed'}"
          data-verdict="${report.passed ? 'passed' : 'failed'}"
        >
          ${report.passed ? 'May ship: every gate passed.' : 'Blocked: at least one gate did not pass.'}
          ${[...counts].map(([verdict, count]) => html` ${verdictBadge(verdict)} ${count}`)}
        </div>
        <h2>Every gate</h2>
        ${report.gates.length > 0 ? gateRows(report.gates) : html`<p class="muted">The gate file declares no gate.</p>`}
        ${categories.map((category) => categorySection(input, category))}
        ${
          drift.length > 0
            ? html`<h2>Drift</h2>
                ${gateRows(drift)}`
            : ''
        }
        ${
          robustness.length > 0
            ? html`<h2>Robustness and latency</h2>
                ${gateRows(robustness)} ${robustnessFigures(report)}`
            : ''
        }
        ${(input.tables ?? []).map(extraTable)}
      </body>
    </html> `;
  return page.text;
}
