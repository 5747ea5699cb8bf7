import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReportDir, writeReleaseReport } from '../../electron/cli/releaseReportFiles';
import type { CategoryEvaluation, EvaluationResult } from '../../shared/contract';
import { type GateReport, gateReportJson, type GateResult, type GateRobustness } from '../../shared/gates';
import { escapeHtml, html } from '../../shared/htmlText';
import { dropVerdict, gateVerdict, releaseReportHtml } from '../../shared/releaseReport';
import { openTempHost, tempDir, writeTemp } from './support';

const HOSTILE = '<script>alert(1)</script>';
const HOSTILE_ATTRIBUTE = '"><img src=x onerror=alert(2)>';

function gate(category: string, overrides: Partial<GateResult> = {}): GateResult {
  return {
    category,
    gate: 'recall_at_precision',
    candidate: 0.91,
    baseline: 0.93,
    target: 0.9,
    passed: true,
    n: 120,
    interval: null,
    ...overrides,
  };
}

function evaluated(category: string, version: string, recallShift: number): CategoryEvaluation {
  const pr = [0, 0.25, 0.5, 0.75, 1].map((recall) => ({
    recall: Math.max(0, recall - recallShift),
    precision: 1 - recall / 2,
    threshold: 1 - recall,
  }));
  const rate = (value: number) => ({ value, interval: [value - 0.05, value + 0.05] as [number, number], n: 50 });
  return {
    category,
    pr,
    n: 200,
    positives: 60,
    averagePrecision: 0.8 - recallShift,
    slices: [
      {
        dimension: 'language',
        value: `${version === 'v2' ? HOSTILE : 'en'}`,
        n: 100,
        positives: 30,
        recall: rate(0.8),
        fpr: rate(0.1),
        precision: 0.7,
        recallGap: 0,
        fprGap: 0,
        flagged: false,
      },
    ],
  } as unknown as CategoryEvaluation;
}

const evaluation = (version: string, categories: CategoryEvaluation[]) =>
  ({ model: 'm', version, labelSource: 'current labels', categories }) as unknown as EvaluationResult;

function report(gates: GateResult[]): GateReport {
  return { passed: gates.every((g) => g.passed), items: 200, model: HOSTILE, candidate: 'v2', baseline: 'v1', gates };
}

describe('release report page', () => {
  const gates = [
    gate('spam'),
    gate('spam', {
      gate: 'max_recall_drop',
      candidate: 0.04,
      baseline: null,
      target: 0.01,
      passed: false,
      interval: [0.02, 0.06],
      reason: 'recall fell 4 points',
    }),
    gate('csam', { gate: 'recall_at_precision', passed: false, status: 'insufficient data', n: 3, optional: false }),
    gate('spam', { gate: 'latency_p99_ms', passed: true, status: 'not applicable', candidate: null, target: 50 }),
    gate(HOSTILE, { gate: 'max_psi', candidate: 0.3, target: 0.2, passed: false }),
  ];
  const page = releaseReportHtml({
    report: report(gates),
    generatedAt: '2026-12-03T16:00:00Z',
    candidate: evaluation('v2', [evaluated('spam', 'v2', 0.1), evaluated(HOSTILE_ATTRIBUTE, 'v2', 0)]),
    baseline: evaluation('v1', [evaluated('spam', 'v1', 0)]),
    tables: [
      { title: `Robustness of ${HOSTILE}`, columns: ['transform', HOSTILE_ATTRIBUTE], rows: [['leetspeak', 0.05]] },
    ],
  });

  /** Every tag of the page and its attributes: escaped data adds none, so these are all this code's own. */
  const tags = [...page.matchAll(/<([a-z][a-z0-9-]*)\b([^>]*)>/gi)].map(([, name, rest]) => ({
    name: name!.toLowerCase(),
    attributes: [...rest!.matchAll(/\s([a-z:-]+)(?:="[^"]*")?/gi)].map(([, attribute]) => attribute!.toLowerCase()),
  }));

  it('escapes every name that came from the data: nothing injected runs or adds an element', () => {
    const own =
      'html head meta title style body h1 h2 h3 p div span section table thead tbody tr th td svg line text rect polyline';
    expect(new Set(tags.map((tag) => tag.name))).toEqual(new Set(own.split(' ')));
    expect(tags.flatMap((tag) => tag.attributes).filter((name) => name.startsWith('on'))).toEqual([]);
    expect(page).toContain(escapeHtml(HOSTILE));
    expect(page).toContain(escapeHtml(HOSTILE_ATTRIBUTE));
  });

  it('loads nothing from anywhere: no URL, no linked resource, and a policy that forbids any', () => {
    expect(page).not.toMatch(/https?:|\/\/[a-z]|url\(|@import/i);
    expect(tags.flatMap((tag) => tag.attributes).filter((name) => /src|href|action|srcset/.test(name))).toEqual([]);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('shows every gate with its verdict, and the run as blocked', () => {
    expect(page).toContain('Blocked: at least one gate did not pass.');
    for (const verdict of ['passed', 'failed', 'insufficient data', 'not applicable'])
      expect(page).toContain(`>${verdict}</span>`);
    expect(page).toContain('recall fell 4 points');
    expect(page).toContain('[0.020, 0.060]');
    expect(page).toContain('drop ≤ 0.010');
    expect(page).toContain('≥ 0.900');
    expect(page).toContain('<h2>Drift</h2>');
    expect(page).toContain('<h2>Robustness and latency</h2>');
  });

  it('draws candidate and baseline curves where both were evaluated, with the gate targets across them', () => {
    const spam = page.slice(
      page.indexOf('<section id="category-spam">'),
      page.indexOf('</section>', page.indexOf('<section id="category-spam">')),
    );
    expect(spam.match(/<polyline/g)).toHaveLength(2);
    expect(spam).toContain('stroke-dasharray="6 4"'); // the baseline's
    expect(spam).toContain('class="guide"');
    expect(spam).toContain('v2 (AP 0.700)');
    expect(spam).toContain('v1 (AP 0.800)');
    // A category only the candidate has draws one curve.
    const only = page.slice(page.indexOf(`<section id="category-${escapeHtml(HOSTILE_ATTRIBUTE)}">`));
    expect(only.slice(0, only.indexOf('</section>')).match(/<polyline/g)).toHaveLength(1);
  });

  it('a passing run says it may ship', () => {
    const passing = releaseReportHtml({
      report: report([gate('spam')]),
      generatedAt: 'now',
      candidate: null,
      baseline: null,
    });
    expect(passing).toContain('May ship: every gate passed.');
    expect(passing).toContain('No curve');
  });

  it('words each verdict from the result', () => {
    expect(gateVerdict(gate('a'))).toBe('passed');
    expect(gateVerdict(gate('a', { passed: false }))).toBe('failed');
    expect(gateVerdict(gate('a', { passed: true, status: 'not applicable' }))).toBe('not applicable');
  });

  it('html escapes interpolations and passes its own markup', () => {
    expect(html`<b>${'<i>'}</b>${html`<i>x</i>`}${[1, '&']}`.text).toBe('<b>&lt;i&gt;</b><i>x</i>1&amp;');
  });
});

describe('the robustness table of the release report', () => {
  const figures: GateRobustness = {
    applicable: true,
    categories: [
      {
        category: HOSTILE,
        threshold: 0.5,
        n: 40,
        cleanRecall: 0.9,
        transforms: [
          { transform: 'leetspeak', recall: 0.8, drop: 0.1, limit: 0.05 },
          { transform: HOSTILE_ATTRIBUTE, recall: 0.88, drop: 0.02, limit: 0.05 },
        ],
      },
      {
        category: 'spam',
        threshold: 0.6,
        n: 25,
        cleanRecall: 0.76,
        transforms: [{ transform: 'zero_width', recall: 0.76, drop: 0, limit: null }],
      },
    ],
    latency: { p99Ms: 3.456, items: 200 },
  };
  const gates = [
    gate(HOSTILE, { gate: 'robustness', candidate: 0.1, baseline: null, target: 0.05, passed: false }),
    gate('*', { gate: 'latency_p99_ms', candidate: 3.456, baseline: null, target: 50 }),
  ];
  const run = { ...report(gates), robustness: figures };
  const page = releaseReportHtml({ report: run, generatedAt: 'now', candidate: null, baseline: null });
  const table = page.slice(
    page.indexOf('<table data-table="robustness">'),
    page.indexOf('</table>', page.indexOf('<table data-table="robustness">')),
  );
  const rows = table.split('<tr>').slice(2); // after the header

  it('has a row per category and transform: clean recall, transformed recall, drop, limit and verdict', () => {
    expect(rows).toHaveLength(3);
    const cells = (row: string) => [...row.matchAll(/<td class="num">([^<]*)<\/td>/g)].map(([, text]) => text);
    expect(cells(rows[0]!)).toEqual(['40', '0.900', '0.800', '0.100', '≤ 0.050']);
    expect(cells(rows[1]!)).toEqual(['40', '0.900', '0.880', '0.020', '≤ 0.050']);
    expect(cells(rows[2]!)).toEqual(['25', '0.760', '0.760', '0.000', '—']);
    // The category's cell spans its transforms and carries its robustness gate's verdict; each drop has its own.
    expect(rows[0]).toContain('rowspan="2"');
    expect(rows[0]!.match(/>failed<\/span>/g)).toHaveLength(2); // the gate's, and leetspeak's drop over its limit
    expect(rows[1]).toContain('>passed</span>');
    expect(rows[2]).toContain('no gate');
    expect(rows[2]).toContain('no limit');
    expect(page).toContain('Latency p99 measured: 3.46 ms per item over 200 items.');
  });

  it('escapes the category and transform names it shows', () => {
    expect(table).toContain(escapeHtml(HOSTILE));
    expect(table).toContain(escapeHtml(HOSTILE_ATTRIBUTE));
    expect(table).not.toContain(HOSTILE);
    expect(table).not.toContain('<img');
  });

  it('says why there are no figures when the candidate has no runtime here, and --json carries the key', () => {
    const imported = releaseReportHtml({
      report: {
        ...run,
        robustness: { applicable: false, reason: `no runtime for ${HOSTILE}`, categories: [], latency: null },
      },
      generatedAt: 'now',
      candidate: null,
      baseline: null,
    });
    expect(imported).toContain(`No robustness figures: no runtime for ${escapeHtml(HOSTILE)}`);
    expect(gateReportJson(run).robustness).toEqual(figures);
    expect(Object.keys(gateReportJson(report(gates)))).toEqual(['passed', 'items', 'gates']);
  });

  it('words a drop against its limit', () => {
    expect(dropVerdict(0.05, 0.05)).toBe('passed');
    expect(dropVerdict(0.0501, 0.05)).toBe('failed');
    expect(dropVerdict(null, 0.05)).toBe('insufficient data');
    expect(dropVerdict(0.3, null)).toBe('no limit');
  });
});

describe('sift gate --report DIR', () => {
  it('writes the page and the JSON --json prints, whole; a DIR that is a file is refused before any work', async () => {
    const { host } = await openTempHost();
    try {
      const dir = path.join(tempDir(), 'nested', 'report');
      const gates = [gate('spam'), gate(HOSTILE, { passed: false })];
      const files = await writeReleaseReport(host, dir, report(gates));
      expect(files.map((file) => path.basename(file))).toEqual(['report.json', 'report.html']);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'))).toEqual(gateReportJson(report(gates)));
      // The empty workspace has no scores: the page has the verdicts and says there is no curve.
      const page = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
      expect(page).toContain('Blocked: at least one gate did not pass.');
      expect(page).toContain('No curve');
      expect(fs.readdirSync(dir).sort()).toEqual(['report.html', 'report.json']);

      const file = writeTemp(tempDir(), 'taken', 'x');
      expect(() => checkReportDir(file)).toThrow(`--report ${file} is a file, not a folder.`);
    } finally {
      await host.close();
    }
  });
});
