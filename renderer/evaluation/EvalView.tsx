/**
 * "Can I trust these scores to route content?" Per category: confidence distributions, reliability diagram,
 * precision–recall, threshold routing (drag or type; live counts), calibration fitting, slices, and a second
 * version side by side. The host sends aggregates only.
 */
import type { Data, Layout } from 'plotly.js';
import { useEffect, useMemo, useState } from 'react';
import type {
  CalibrationFit,
  CategoryEvaluation,
  ErrorAnalysis,
  EvalItems,
  EvaluationResult,
  ItemKind,
  ModelInfo,
  SliceEvaluation,
  SliceMetrics,
} from '../../shared/contract';
import { DEFAULT_MIN_SLICE_N, type Rate } from '../../shared/slices';
import { tiedNote } from '../../shared/labeling';
import { useLabeling } from '../label/labelStore';
import { useNavigation } from '../navigation';
import { api, errorMessage } from '../api/client';
import { NeedsData, useMissingTables } from '../components/NeedsData';
import { Plot } from '../components/Plot';
import { TermTable } from '../components/TermTable';
import { runJob } from '../jobs/jobsStore';
import { DEFAULT_BINS } from '../../shared/calibration';
import { DEFAULT_THRESHOLDS, routeGrid } from '../../shared/routing';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);
const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
/** A rate with its Wilson interval and the n it is a share of. */
const rateText = (rate: Rate) =>
  rate.value === null
    ? '—'
    : `${pct(rate.value)} [${pct(rate.interval![0])}–${pct(rate.interval![1])}] n=${rate.n.toLocaleString('en-US')}`;
const gapText = (gap: number | null) => (gap === null ? '' : `(${gap >= 0 ? '+' : ''}${(100 * gap).toFixed(1)})`);
const COLORS = { a: '#3355cc', b: '#e07b39', pos: '#d62728', neg: '#7f8c8d' };

function reliabilityPlot(
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

function distributionPlot(
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

function prPlot(a: CategoryEvaluation, b?: CategoryEvaluation): { data: Data[]; layout: Partial<Layout> } {
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

/** What an items list shows: a confusion cell, a score bin, or a slice of one category. */
interface ItemsQuery {
  title: string;
  category: string;
  kind: ItemKind;
  score?: { from: number; to: number };
  slice?: { dimension: SliceMetrics['dimension']; value: string };
}

const KIND_TITLES: Record<ItemKind, string> = {
  fp: 'false positives',
  fn: 'false negatives',
  tp: 'true positives',
  tn: 'true negatives',
  all: 'items',
};

/** Every category at a glance, at the thresholds in force: pick one to look closer. */
function CategorySummary({
  result,
  thresholds,
  category,
  onPick,
}: {
  result: EvaluationResult;
  thresholds: Record<string, { remove: number; escalate: number }>;
  category: string;
  onPick(category: string): void;
}) {
  return (
    <table className="eval-summary" data-testid="eval-summary">
      <thead>
        <tr>
          <th>category</th>
          <th>items</th>
          <th>positives</th>
          <th title="Items whose annotators tie: undecided, left out of every figure">tied</th>
          <th>AP</th>
          <th>ECE ({result.bins} bins)</th>
          <th>Brier</th>
          <th>recall at remove</th>
        </tr>
      </thead>
      <tbody>
        {result.categories.map((c) => {
          const t = thresholds[c.category] ?? c.thresholds;
          const routing = routeGrid(c.grid, t.remove, t.escalate, c.critical);
          return (
            <tr key={c.category} className={c.category === category ? 'active' : ''} onClick={() => onPick(c.category)}>
              <td>
                <button className="link">{c.category}</button>
                {c.critical ? ' (critical)' : ''}
              </td>
              <td className="num">{c.n.toLocaleString('en-US')}</td>
              <td className="num">{c.positives.toLocaleString('en-US')}</td>
              <td className="num">{(result.tied.byCategory[c.category] ?? 0).toLocaleString('en-US')}</td>
              <td className="num">{num(c.averagePrecision)}</td>
              <td className="num">{num(c.ece, 4)}</td>
              <td className="num">{num(c.brier, 4)}</td>
              <td className="num" title={c.critical ? 'critical: never auto-removed' : `remove ≥ ${t.remove}`}>
                {c.critical ? '—' : pct(routing.removeRecall)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ErrorAnalysisCard({
  model,
  version,
  category,
  thresholds,
  onDrill,
}: {
  model: string;
  version: string;
  category: string;
  thresholds: Record<string, { remove: number; escalate: number }>;
  onDrill(query: ItemsQuery): void;
}) {
  const [analysis, setAnalysis] = useState<ErrorAnalysis | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api['eval.errors']({ model, version, category, thresholds }).then(
        (loaded) => current && (setAnalysis(loaded), setError(null)),
        (err: unknown) => current && setError(errorMessage(err)),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [model, version, category, thresholds]);
  if (error) return <div className="error-box">{error}</div>;
  if (!analysis) return <p className="muted">Counting errors…</p>;
  const { confusion } = analysis;
  const cell = (kind: Exclude<ItemKind, 'all'>, count: number) => (
    <button
      className={`confusion-cell ${kind}`}
      onClick={() => onDrill({ title: `${KIND_TITLES[kind]} of ${category}`, category, kind })}
      data-testid={`confusion-${kind}`}
    >
      <b>{count.toLocaleString('en-US')}</b> {KIND_TITLES[kind]}
    </button>
  );
  const centers = analysis.distribution.falsePositives.map(
    (_, k) => analysis.distribution.start + (k + 0.5) * analysis.distribution.binWidth,
  );
  return (
    <div className="error-analysis" data-testid="error-analysis">
      <p className="muted">
        At score ≥ {analysis.threshold} (the{' '}
        {analysis.threshold === thresholds[category]?.escalate ? 'escalate' : 'remove'} threshold in force), against the
        majority label:
      </p>
      <div className="confusion">
        {cell('fp', confusion.falsePositives)}
        {cell('tp', confusion.truePositives)}
        {cell('fn', confusion.falseNegatives)}
        {cell('tn', confusion.trueNegatives)}
      </div>
      <div className="error-columns">
        <div>
          <h4>Words that set false positives apart from true positives</h4>
          {analysis.terms.length === 0 ? (
            <p className="muted">Too few false or true positives with text to contrast.</p>
          ) : (
            <TermTable
              terms={analysis.terms.map((t) => ({
                term: t.term,
                focus: t.falsePositives,
                baseline: t.truePositives,
                z: t.z,
              }))}
              focus="in FP"
              baseline="in TP"
              testId="error-terms"
            />
          )}
        </div>
        <div>
          <h4>Scores of false and true positives (click a bar for its items)</h4>
          <Plot
            height={240}
            testId="error-distribution"
            data={[
              {
                type: 'bar',
                name: 'false positives',
                x: centers,
                y: analysis.distribution.falsePositives,
                marker: { color: COLORS.neg },
              },
              {
                type: 'bar',
                name: 'true positives',
                x: centers,
                y: analysis.distribution.truePositives,
                marker: { color: COLORS.pos },
              },
            ]}
            layout={{
              barmode: 'group',
              xaxis: { title: { text: 'score' } },
              yaxis: { title: { text: 'items' } },
              legend: { orientation: 'h', y: -0.35 },
              margin: { l: 50, r: 10, t: 10, b: 40 },
            }}
            onClick={(event) => {
              const point = event.points[0];
              if (!point) return;
              const from = Number(point.x) - analysis.distribution.binWidth / 2;
              const kind = point.curveNumber === 0 ? 'fp' : 'tp';
              onDrill({
                title: `${KIND_TITLES[kind]} of ${category} scored ${from.toFixed(3)}–${(from + analysis.distribution.binWidth).toFixed(3)}`,
                category,
                kind,
                score: { from, to: Math.min(1, from + analysis.distribution.binWidth) },
              });
            }}
          />
        </div>
      </div>
    </div>
  );
}

/** The items behind a count, bin or slice: text, context, score, label and who labelled it; sent to labeling in one click. */
function ItemsPanel({
  model,
  version,
  thresholds,
  query,
  onClose,
}: {
  model: string;
  version: string;
  thresholds: Record<string, { remove: number; escalate: number }>;
  query: ItemsQuery;
  onClose(): void;
}) {
  const [items, setItems] = useState<EvalItems | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const go = useNavigation((state) => state.go);
  useEffect(() => {
    setItems(null);
    setSent(null);
    api['eval.items']({
      model,
      version,
      category: query.category,
      thresholds,
      kind: query.kind,
      score: query.score,
      slice: query.slice,
      limit: 200,
    }).then(setItems, (err: unknown) => setError(errorMessage(err)));
  }, [model, version, thresholds, query]);
  const label = async () => {
    if (!items || items.items.length === 0) return;
    const ids = items.items.map((item) => `'${item.contentId.replace(/'/g, "''")}'`).join(', ');
    try {
      const session = await runJob('sessions.create', {
        name: `Review: ${query.title}`.slice(0, 200),
        pool: `SELECT content_id FROM content WHERE content_id::VARCHAR IN (${ids})`,
        model,
        version,
        strategy: 'errors',
        batchSize: 20,
      });
      setSent(`Session “${session.name}” created with ${items.items.length} items.`);
      void useLabeling.getState().open(session.id);
      go('label');
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <aside className="items-panel" data-testid="eval-items" aria-label={query.title}>
      <header>
        <b>{query.title}</b>
        <span className="muted">
          {items
            ? `${items.total.toLocaleString('en-US')} items${items.total > items.items.length ? `, the first ${items.items.length} shown` : ''}`
            : 'Loading…'}
        </span>
        <span className="spacer" />
        <button
          onClick={() => void label()}
          disabled={!items?.items.length}
          data-testid="eval-items-label"
          title="A labeling session over these items (the errors strategy)"
        >
          Label these
        </button>
        <button onClick={onClose} aria-label="Close the list">
          ×
        </button>
      </header>
      {error && <div className="error-box">{error}</div>}
      {sent && <div className="note">{sent}</div>}
      <ol>
        {items?.items.map((item) => (
          <li key={item.contentId} className={`eval-item ${item.kind}`}>
            <div className="eval-item-head">
              <code>{item.contentId}</code>
              <span className={`kind-badge ${item.kind}`}>{item.kind.toUpperCase()}</span>
              <span>score {item.score.toFixed(3)}</span>
              <span>label {item.label}</span>
              <span className="muted">
                {[item.surface, item.language, item.createdAt?.replace('T', ' ')].filter(Boolean).join(' · ')}
              </span>
            </div>
            <div className="eval-item-text">{item.text ?? <span className="muted">(no text)</span>}</div>
            <div className="muted small-print">
              labelled by{' '}
              {item.labelledBy.length
                ? item.labelledBy.map((entry) => `${entry.annotator} (${entry.value})`).join(', ')
                : 'no current label (from the labels query)'}
            </div>
          </li>
        ))}
      </ol>
    </aside>
  );
}

export function EvalView() {
  const missing = useMissingTables('evaluate');
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [versions, setVersions] = useState<{ model: string; version: string; items: number }[]>([]);
  const [model, setModel] = useState('text-distil');
  const [version, setVersion] = useState('');
  const [versionB, setVersionB] = useState('');
  const [bins, setBins] = useState(DEFAULT_BINS);
  const [strategy, setStrategy] = useState<'uniform' | 'quantile'>('uniform');
  const [logCounts, setLogCounts] = useState(true);
  const [result, setResult] = useState<EvaluationResult | null>(null);
  const [resultB, setResultB] = useState<EvaluationResult | null>(null);
  const [category, setCategory] = useState('spam');
  const [thresholds, setThresholds] = useState<Record<string, { remove: number; escalate: number }>>({});
  const [calibration, setCalibration] = useState<CalibrationFit | null>(null);
  const [method, setMethod] = useState<'platt' | 'isotonic'>('platt');
  const [fitOn, setFitOn] = useState<'even' | 'odd'>('even');
  const [minSliceN, setMinSliceN] = useState(DEFAULT_MIN_SLICE_N);
  const [slices, setSlices] = useState<SliceEvaluation | null>(null);
  const [drill, setDrill] = useState<ItemsQuery | null>(null);
  const [saveAnyway, setSaveAnyway] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    void api['models.list']({}).then(setModels);
    void api['models.versions']({}).then(setVersions);
  }, []);
  const modelVersions = versions.filter((v) => v.model === model);
  useEffect(() => {
    if (!version && modelVersions.length) setVersion(modelVersions[modelVersions.length - 1]!.version);
  }, [modelVersions, version]);

  // "Compare with" is any scored model version; both sides are then evaluated on exactly the items both scored.
  const other = versionB ? { model: versionB.split('@')[0]!, version: versionB.split('@').slice(1).join('@') } : null;
  useEffect(() => {
    if (!version) return;
    setLoading(true);
    setNote(null);
    // A job: progress and cancel in the status bar, and the host stays free for other calls meanwhile.
    runJob('eval.run', { model, version, bins, minSliceN, ...(other ? { sameItemsAs: other } : {}) })
      .then((r) => {
        setResult(r);
        setThresholds(Object.fromEntries(r.categories.map((c) => [c.category, c.thresholds])));
        if (!r.categories.some((c) => c.category === category) && r.categories[0])
          setCategory(r.categories[0].category);
      })
      .catch((error: unknown) => setNote(errorMessage(error)))
      .finally(() => setLoading(false));
    // The category is kept when possible; it is not a reason to re-evaluate.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, version, bins, versionB]);
  useEffect(() => {
    if (!other) return setResultB(null);
    runJob('eval.run', { model: other.model, version: other.version, bins, sameItemsAs: { model, version } }).then(
      setResultB,
      (error: unknown) => setNote(errorMessage(error)),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, version, versionB, bins]);
  // Slices follow the thresholds in force (as they are dragged) and the minimum n, a moment after the last change.
  useEffect(() => {
    if (!version || !result) return;
    // Just evaluated at these thresholds and this minimum: the evaluation's own slices are current.
    if (
      minSliceN === result.categories[0]?.sliceBaseline.minN &&
      result.categories.every((c) => thresholds[c.category]?.remove === c.thresholds.remove)
    )
      return setSlices(null);
    const timer = setTimeout(() => {
      api['eval.slices']({ model, version, thresholds, minSliceN }).then(setSlices, (error: unknown) =>
        setNote(errorMessage(error)),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [model, version, thresholds, minSliceN, result]);

  const current = result?.categories.find((c) => c.category === category);
  const currentB = resultB?.categories.find((c) => c.category === category);
  const t = thresholds[category] ?? current?.thresholds ?? DEFAULT_THRESHOLDS;
  const routing = current ? routeGrid(current.grid, t.remove, t.escalate, current.critical) : null;
  const setThreshold = (key: 'remove' | 'escalate', value: number) => {
    if (!Number.isFinite(value)) return;
    const clamped = Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
    setThresholds((all) => {
      const next = { ...(all[category] ?? t), [key]: clamped };
      if (key === 'remove' && next.escalate > clamped) next.escalate = clamped;
      if (key === 'escalate' && next.remove < clamped) next.remove = clamped;
      return { ...all, [category]: next };
    });
  };
  const reliability = useMemo(
    () => (current ? reliabilityPlot(current, strategy, currentB) : null),
    [current, currentB, strategy],
  );
  const distribution = useMemo(
    () => (current ? distributionPlot(current, logCounts, t.remove, t.escalate) : null),
    [current, logCounts, t.remove, t.escalate],
  );
  const pr = useMemo(() => (current ? prPlot(current, currentB) : null), [current, currentB]);
  const fitted = calibration?.categories.find((c) => c.category === category);
  // Slices at the thresholds in force once recomputed; the evaluation's own until then.
  const sliceRows =
    slices?.categories.find((c) => c.category === category) ??
    (current ? { baseline: current.sliceBaseline, slices: current.slices } : null);
  // Calibration that made ECE or Brier worse on the held-out half is not saved without saying so.
  const worse = (calibration?.categories ?? []).filter(
    (c) => c.before && c.after && (c.after.ece > c.before.ece || c.after.brier > c.before.brier),
  );

  const saveThresholds = async () => {
    try {
      const info = await api['models.saveRevision']({ model, thresholds });
      setNote(`Saved thresholds as ${info.name} ${info.version}.`);
      void api['models.list']({}).then(setModels);
    } catch (error) {
      setNote(errorMessage(error));
    }
  };
  const saveCalibration = async () => {
    if (!calibration) return;
    const params = Object.fromEntries(
      calibration.categories.filter((c) => c.fitted && c.params).map((c) => [c.category, c.params!]),
    );
    try {
      const info = await api['models.saveRevision']({ model, calibration: { method: calibration.method, params } });
      setNote(`Saved ${calibration.method} calibration as ${info.name} ${info.version}.`);
    } catch (error) {
      setNote(errorMessage(error));
    }
  };

  if (missing.length > 0) {
    return (
      <section className="eval-view" data-testid="eval-view">
        <NeedsData view="evaluate" missing={missing} />
      </section>
    );
  }
  return (
    <section className="eval-view" data-testid="eval-view">
      <div className="toolbar">
        <label>
          Model{' '}
          <select
            value={model}
            onChange={(event) => (setModel(event.target.value), setVersion(''), setVersionB(''))}
            data-testid="eval-model"
          >
            {[...new Set([...models.map((m) => m.name), ...versions.map((v) => v.model)])].map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Version{' '}
          <select value={version} onChange={(event) => setVersion(event.target.value)} data-testid="eval-version">
            {modelVersions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version} ({v.items.toLocaleString('en-US')} items)
              </option>
            ))}
          </select>
        </label>
        <label>
          Compare with{' '}
          <select value={versionB} onChange={(event) => setVersionB(event.target.value)} data-testid="eval-version-b">
            <option value="">—</option>
            {versions
              .filter((v) => !(v.model === model && v.version === version))
              .map((v) => (
                <option key={`${v.model}@${v.version}`} value={`${v.model}@${v.version}`}>
                  {v.model} {v.version}
                </option>
              ))}
          </select>
        </label>
        <label>
          Category{' '}
          <select value={category} onChange={(event) => setCategory(event.target.value)} data-testid="eval-category">
            {result?.categories.map((c) => (
              <option key={c.category} value={c.category}>
                {c.category}
                {c.critical ? ' (critical)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Bins{' '}
          <input
            className="num-input"
            type="number"
            min={2}
            max={50}
            value={bins}
            onChange={(event) => Number(event.target.value) >= 2 && setBins(Number(event.target.value))}
            data-testid="eval-bins"
          />
        </label>
        <label>
          <select
            value={strategy}
            onChange={(event) => setStrategy(event.target.value as 'uniform' | 'quantile')}
            data-testid="eval-strategy"
          >
            <option value="uniform">uniform bins</option>
            <option value="quantile">quantile bins</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={logCounts} onChange={(event) => setLogCounts(event.target.checked)} /> log
          counts
        </label>
        <span className="status">
          {loading ? 'Computing…' : result ? `${result.labelSource}; ${result.elapsedMs} ms` : ''}
        </span>
      </div>
      {note && (
        <div className="note" data-testid="eval-note">
          {note}
        </div>
      )}
      {other && result && !loading && (
        <p className="note" data-testid="compare-note">
          {result.categories.length > 0
            ? `Both sides are evaluated on exactly the items both versions scored${current ? `: ${current.n.toLocaleString('en-US')} labelled items of ${category}` : ''}.`
            : `${model} ${version} and ${other.model} ${other.version} scored no labelled items in common, so there is nothing to compare: re-score the same items with both (Models → Re-score a query).`}
        </p>
      )}
      {result && result.categories.length > 0 && (
        <div className="card eval-summary-card">
          <h3>
            {model} {result.version}
            {other && resultB ? ` vs ${other.model} ${other.version}` : ''} — every category
          </h3>
          <CategorySummary result={result} thresholds={thresholds} category={category} onPick={setCategory} />
          {result.tied.items > 0 && (
            <p className="muted eval-tied" data-testid="eval-tied">
              {tiedNote(result.tied.items)}
            </p>
          )}
        </div>
      )}
      {current && (
        <div className="eval-body">
          <div className="metrics-row" data-testid="eval-metrics">
            {(
              [
                ['items', current.n.toLocaleString('en-US'), currentB?.n.toLocaleString('en-US')],
                ['positives', current.positives.toLocaleString('en-US'), currentB?.positives.toLocaleString('en-US')],
                ['average precision', num(current.averagePrecision), currentB && num(currentB.averagePrecision)],
                ['ROC AUC', num(current.rocAuc), currentB && num(currentB.rocAuc)],
                ['Brier', num(current.brier, 4), currentB && num(currentB.brier, 4)],
                [`ECE (${bins} bins)`, num(current.ece, 4), currentB && num(currentB.ece, 4)],
                ['MCE', num(current.mce), currentB && num(currentB.mce)],
                [
                  'recall @ precision 0.90',
                  pct(current.operating.recallAtPrecision90.recall),
                  currentB && pct(currentB.operating.recallAtPrecision90.recall),
                ],
                [
                  'precision @ recall 0.80',
                  pct(current.operating.precisionAtRecall80.precision),
                  currentB && pct(currentB.operating.precisionAtRecall80.precision),
                ],
              ] as [string, string, string | undefined][]
            ).map(([label, a, b]) => (
              <div key={label} className="metric">
                <div className="metric-label">{label}</div>
                <div className="metric-value">{a}</div>
                {b !== undefined && <div className="metric-b">B: {b}</div>}
              </div>
            ))}
          </div>
          <div className="eval-grid">
            <div className="card">
              <h3>Reliability diagram (click a bin for its items)</h3>
              {reliability && (
                <Plot
                  data={reliability.data}
                  layout={reliability.layout}
                  testId="reliability-plot"
                  height={330}
                  onClick={(event) => {
                    // A bin (its marker or its bar) drills to the items scored in it.
                    const point = event.points[0];
                    if (!point || point.curveNumber === 0) return;
                    const bins = (point.curveNumber <= 2 ? current : (currentB ?? current)).reliability[strategy];
                    const bin = bins[point.pointNumber as number];
                    if (bin)
                      setDrill({
                        title: `${category} items in the reliability bin ${bin.lower.toFixed(2)}–${bin.upper.toFixed(2)}`,
                        category,
                        kind: 'all',
                        score: { from: bin.lower, to: bin.upper },
                      });
                  }}
                />
              )}
            </div>
            <div className="card">
              <h3>Confidence distribution — drag the lines to set thresholds; click a bar for its items</h3>
              {distribution && (
                <Plot
                  data={distribution.data}
                  layout={distribution.layout}
                  testId="distribution-plot"
                  height={330}
                  editableShapes
                  onClick={(event) => {
                    const point = event.points[0];
                    if (!point) return;
                    const edges = current.histogram.edges;
                    const k = edges.findIndex(
                      (edge, i) => i < edges.length - 1 && Number(point.x) >= edge && Number(point.x) <= edges[i + 1]!,
                    );
                    if (k < 0) return;
                    setDrill({
                      title: `${category} items scored ${edges[k]!.toFixed(2)}–${edges[k + 1]!.toFixed(2)}`,
                      category,
                      kind: 'all',
                      score: { from: edges[k]!, to: edges[k + 1]! },
                    });
                  }}
                  onRelayout={(update) => {
                    if (typeof update['shapes[0].x0'] === 'number')
                      setThreshold('remove', update['shapes[0].x0'] as number);
                    if (typeof update['shapes[1].x0'] === 'number')
                      setThreshold('escalate', update['shapes[1].x0'] as number);
                  }}
                />
              )}
            </div>
            <div className="card">
              <h3>Precision–recall</h3>
              {pr && <Plot data={pr.data} layout={pr.layout} testId="pr-plot" height={330} />}
            </div>
            <div className="card" data-testid="routing">
              <h3>Threshold routing{current.critical ? ' — critical: always escalates, never auto-removed' : ''}</h3>
              <div className="form-row">
                <label>
                  remove ≥{' '}
                  <input
                    className="num-input"
                    value={t.remove}
                    onChange={(event) => setThreshold('remove', Number(event.target.value))}
                    data-testid="threshold-remove"
                  />
                </label>
                <label>
                  escalate ≥{' '}
                  <input
                    className="num-input"
                    value={t.escalate}
                    onChange={(event) => setThreshold('escalate', Number(event.target.value))}
                    data-testid="threshold-escalate"
                  />
                </label>
              </div>
              {routing && (
                <table data-testid="routing-counts">
                  <tbody>
                    <tr>
                      <td>auto-removed</td>
                      <td className="num" data-testid="count-removed">
                        {routing.removed.toLocaleString('en-US')}
                      </td>
                      <td>
                        precision {pct(routing.removePrecision)}, recall {pct(routing.removeRecall)}
                      </td>
                    </tr>
                    <tr>
                      <td>escalated to a person</td>
                      <td className="num" data-testid="count-escalated">
                        {routing.escalated.toLocaleString('en-US')}
                      </td>
                      <td>review load: {pct(current.n ? routing.escalated / current.n : null)} of items</td>
                    </tr>
                    <tr>
                      <td>auto-passed</td>
                      <td className="num" data-testid="count-passed">
                        {routing.passed.toLocaleString('en-US')}
                      </td>
                      <td>{routing.missed.toLocaleString('en-US')} positive(s) let through</td>
                    </tr>
                  </tbody>
                </table>
              )}
              <button className="primary" onClick={() => void saveThresholds()} data-testid="save-thresholds">
                Save thresholds as a new model version
              </button>
            </div>
            <div className="card" data-testid="calibration">
              <h3>Calibration fitting (fit on half the labelled items, shown on the other half)</h3>
              <div className="form-row">
                <select value={method} onChange={(event) => setMethod(event.target.value as 'platt' | 'isotonic')}>
                  <option value="platt">Platt scaling</option>
                  <option value="isotonic">isotonic regression</option>
                </select>
                <select
                  value={fitOn}
                  onChange={(event) => setFitOn(event.target.value as 'even' | 'odd')}
                  title="The labelled items are split in two by a hash of content_id"
                >
                  <option value="even">fit on half A, check on half B</option>
                  <option value="odd">fit on half B, check on half A</option>
                </select>
                <button
                  onClick={() => (
                    setSaveAnyway(false),
                    void runJob('eval.calibrate', {
                      model,
                      version,
                      method,
                      bins,
                      fitOn,
                      ...(result?.model === model && result.version === version
                        ? { evaluation: result.evaluationId }
                        : {}),
                    }).then(setCalibration, (error: unknown) => setNote(errorMessage(error)))
                  )}
                  data-testid="fit-calibration"
                >
                  Fit
                </button>
              </div>
              {calibration && (
                <>
                  <table className="calibration-effect" data-testid="calibration-effect">
                    <thead>
                      <tr>
                        <th>category</th>
                        <th>held-out items</th>
                        <th>ECE before → after</th>
                        <th>Brier before → after</th>
                      </tr>
                    </thead>
                    <tbody>
                      {calibration.categories.map((c) => (
                        <tr key={c.category} className={worse.includes(c) ? 'flagged' : ''}>
                          <td>{c.category}</td>
                          <td className="num">{c.testItems ?? '—'}</td>
                          <td className="num">
                            {c.before && c.after
                              ? `${num(c.before.ece, 4)} → ${num(c.after.ece, 4)}`
                              : (c.reason ?? '—')}
                          </td>
                          <td className="num">
                            {c.before && c.after ? `${num(c.before.brier, 4)} → ${num(c.after.brier, 4)}` : ''}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {worse.length > 0 && (
                    <div className="error-box" data-testid="calibration-worse">
                      {calibration.method === 'platt' ? 'Platt scaling' : 'Isotonic regression'} made{' '}
                      {worse.map((c) => c.category).join(', ')} worse on the held-out half (ECE or Brier went up).
                      Saving it would make those scores less trustworthy, not more.
                      <label>
                        <input
                          type="checkbox"
                          checked={saveAnyway}
                          onChange={(event) => setSaveAnyway(event.target.checked)}
                          data-testid="calibration-save-anyway"
                        />{' '}
                        save it anyway
                      </label>
                    </div>
                  )}
                  <button
                    className="primary"
                    disabled={worse.length > 0 && !saveAnyway}
                    onClick={() => void saveCalibration()}
                    data-testid="save-calibration"
                  >
                    Save calibration as a new model version
                  </button>
                </>
              )}
              {fitted && !fitted.fitted && <p className="muted">{fitted.reason}</p>}
              {fitted?.before && fitted.after && (
                <>
                  <p data-testid="calibration-summary">
                    ECE {num(fitted.before.ece, 4)} → {num(fitted.after.ece, 4)}, Brier {num(fitted.before.brier, 4)} →{' '}
                    {num(fitted.after.brier, 4)} on {fitted.testItems} held-out items
                    {calibration?.evaluationId && calibration.evaluationId === result?.evaluationId
                      ? ' (the items evaluated above)'
                      : ' (labels and scores read afresh)'}
                  </p>
                  <Plot
                    height={260}
                    data={[
                      {
                        type: 'scatter',
                        mode: 'lines',
                        name: 'perfect',
                        x: [0, 1],
                        y: [0, 1],
                        line: { color: '#999', dash: 'dot', width: 1 },
                      },
                      {
                        type: 'scatter',
                        mode: 'lines+markers',
                        name: 'before',
                        x: fitted.before.reliability.map((b) => b.meanPredicted),
                        y: fitted.before.reliability.map((b) => b.fractionPositive),
                        line: { color: COLORS.a },
                      },
                      {
                        type: 'scatter',
                        mode: 'lines+markers',
                        name: `after (${calibration!.method})`,
                        x: fitted.after.reliability.map((b) => b.meanPredicted),
                        y: fitted.after.reliability.map((b) => b.fractionPositive),
                        line: { color: COLORS.b },
                      },
                    ]}
                    layout={{
                      xaxis: { range: [0, 1], title: { text: 'mean predicted' } },
                      yaxis: { range: [0, 1], title: { text: 'fraction positive' } },
                      legend: { orientation: 'h', y: -0.35 },
                    }}
                  />
                </>
              )}
            </div>
            <div className="card wide-card" data-testid="error-analysis-card">
              <h3>Error analysis — {category}</h3>
              {version && (
                <ErrorAnalysisCard
                  model={model}
                  version={version}
                  category={category}
                  thresholds={thresholds}
                  onDrill={setDrill}
                />
              )}
            </div>
            <div className="card wide-card" data-testid="slices">
              <h3>
                Slices of {category} at the thresholds in force (remove ≥{' '}
                {(thresholds[category] ?? current.thresholds).remove}); a gap is highlighted when its 95% interval
                clears the overall one and the slice has at least{' '}
                <input
                  className="num-input"
                  type="number"
                  min={1}
                  step={1}
                  value={minSliceN}
                  onChange={(event) =>
                    Number(event.target.value) >= 1 && setMinSliceN(Math.round(Number(event.target.value)))
                  }
                  data-testid="slice-min-n"
                  aria-label="Minimum n"
                />{' '}
                items of the kind counted
              </h3>
              {sliceRows && sliceRows.baseline && (
                <p className="muted" data-testid="slice-baseline">
                  Overall: recall {rateText(sliceRows.baseline.recall)}, false-positive rate{' '}
                  {rateText(sliceRows.baseline.fpr)}.
                </p>
              )}
              <table>
                <thead>
                  <tr>
                    <th>slice</th>
                    <th>items</th>
                    <th>positives</th>
                    <th>recall [95% interval] (gap)</th>
                    <th>false-positive rate [95% interval] (gap)</th>
                  </tr>
                </thead>
                <tbody>
                  {(sliceRows?.slices ?? []).map((slice) => (
                    <tr
                      key={`${slice.dimension}:${slice.value}`}
                      className={`clickable ${slice.flagged ? 'flagged' : ''}`}
                      data-flagged={slice.flagged}
                      onClick={() =>
                        setDrill({
                          title: `${category} items with ${slice.dimension.replace('_', ' ')} ${slice.value}`,
                          category,
                          kind: 'all',
                          slice: { dimension: slice.dimension, value: slice.value },
                        })
                      }
                    >
                      <td>
                        {slice.dimension.replace('_', ' ')}: {slice.value}
                      </td>
                      <td className="num">{slice.n.toLocaleString('en-US')}</td>
                      <td className="num">{slice.positives.toLocaleString('en-US')}</td>
                      <td className="num">
                        {rateText(slice.recall)} {gapText(slice.recallGap)}
                      </td>
                      <td className="num">
                        {rateText(slice.fpr)} {gapText(slice.fprGap)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </div>
      )}
      {!current && !loading && !note && (
        <div className="empty">No labelled, scored items for this model yet: score content, then evaluate.</div>
      )}
      {drill && version && (
        <ItemsPanel
          model={model}
          version={version}
          thresholds={thresholds}
          query={drill}
          onClose={() => setDrill(null)}
        />
      )}
    </section>
  );
}
