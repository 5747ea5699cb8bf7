/**
 * "Can I trust these scores to route content?" Per category: confidence distributions, reliability diagram,
 * precision–recall, threshold routing (drag or type; live counts), calibration fitting, slices, and a second
 * version side by side. The host sends aggregates only.
 */
import type { Data, Layout } from 'plotly.js';
import { useEffect, useMemo, useState } from 'react';
import type { CalibrationFit, CategoryEvaluation, EvaluationResult, ModelInfo } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { NeedsData, useMissingTables } from '../components/NeedsData';
import { Plot } from '../components/Plot';
import { jobResult, useJobs } from '../jobs/jobsStore';
import { DEFAULT_THRESHOLDS, routeGrid } from '../../shared/routing';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);
const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const COLORS = { a: '#3355cc', b: '#e07b39', pos: '#d62728', neg: '#7f8c8d' };

function reliabilityPlot(a: CategoryEvaluation, strategy: 'uniform' | 'quantile', b?: CategoryEvaluation): { data: Data[]; layout: Partial<Layout> } {
  const trace = (c: CategoryEvaluation, name: string, color: string, dash?: 'dash'): Data[] => {
    const bins = c.reliability[strategy];
    return [
      { type: 'scatter', mode: 'lines+markers', name: `${name} calibration`, x: bins.map((bin) => bin.meanPredicted), y: bins.map((bin) => bin.fractionPositive), line: { color, dash }, marker: { size: 7 }, hovertemplate: 'predicted %{x:.3f}<br>observed %{y:.3f}<extra></extra>' },
      { type: 'bar', name: `${name} items per bin`, x: bins.map((bin) => (bin.lower + bin.upper) / 2), width: bins.map((bin) => Math.max(0.004, bin.upper - bin.lower) * 0.9), y: bins.map((bin) => bin.count), yaxis: 'y2', marker: { color, opacity: 0.18 }, hovertemplate: '%{y} items<extra></extra>' },
    ];
  };
  const data: Data[] = [{ type: 'scatter', mode: 'lines', name: 'perfect calibration', x: [0, 1], y: [0, 1], line: { color: '#999', dash: 'dot', width: 1 }, hoverinfo: 'skip' }, ...trace(a, 'A', COLORS.a), ...(b ? trace(b, 'B', COLORS.b, 'dash') : [])];
  return {
    data,
    layout: {
      xaxis: { title: { text: 'mean predicted score' }, range: [0, 1] },
      yaxis: { title: { text: 'fraction positive' }, range: [0, 1] },
      yaxis2: { overlaying: 'y', side: 'right', title: { text: 'items per bin' }, showgrid: false, rangemode: 'tozero' },
      legend: { orientation: 'h', y: -0.3 },
      barmode: 'overlay',
    },
  };
}

function distributionPlot(c: CategoryEvaluation, logCounts: boolean, remove: number, escalate: number): { data: Data[]; layout: Partial<Layout> } {
  const centers = c.histogram.edges.slice(0, -1).map((edge, k) => (edge + c.histogram.edges[k + 1]!) / 2);
  const line = (x: number, color: string) => ({ type: 'line' as const, x0: x, x1: x, y0: 0, y1: 1, yref: 'paper' as const, line: { color, width: 3 } });
  return {
    data: [
      { type: 'bar', name: 'negative (true label 0)', x: centers, y: c.histogram.negative, marker: { color: COLORS.neg, opacity: 0.6 } },
      { type: 'bar', name: 'positive (true label 1)', x: centers, y: c.histogram.positive, marker: { color: COLORS.pos, opacity: 0.7 } },
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
        { x: remove, y: 1, yref: 'paper', text: 'remove ≥', showarrow: false, xanchor: 'left', font: { color: '#d62728', size: 11 } },
        { x: escalate, y: 0.92, yref: 'paper', text: 'escalate ≥', showarrow: false, xanchor: 'left', font: { color: '#b07800', size: 11 } },
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
    layout: { xaxis: { title: { text: 'recall' }, range: [0, 1.02] }, yaxis: { title: { text: 'precision' }, range: [0, 1.02] }, legend: { orientation: 'h', y: -0.3 } },
  };
}

export function EvalView() {
  const missing = useMissingTables('evaluate');
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [versions, setVersions] = useState<{ model: string; version: string; items: number }[]>([]);
  const [model, setModel] = useState('text-distil');
  const [version, setVersion] = useState('');
  const [versionB, setVersionB] = useState('');
  const [bins, setBins] = useState(10);
  const [strategy, setStrategy] = useState<'uniform' | 'quantile'>('uniform');
  const [logCounts, setLogCounts] = useState(true);
  const [result, setResult] = useState<EvaluationResult | null>(null);
  const [resultB, setResultB] = useState<EvaluationResult | null>(null);
  const [category, setCategory] = useState('spam');
  const [thresholds, setThresholds] = useState<Record<string, { remove: number; escalate: number }>>({});
  const [calibration, setCalibration] = useState<CalibrationFit | null>(null);
  const [method, setMethod] = useState<'platt' | 'isotonic'>('platt');
  const [fitOn, setFitOn] = useState<'even' | 'odd'>('even');
  const [margin, setMargin] = useState(0.05);
  const [note, setNote] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const waitFor = useJobs((state) => state.waitFor);

  useEffect(() => {
    void api['models.list']({}).then(setModels);
    void api['models.versions']({}).then(setVersions);
  }, []);
  const modelVersions = versions.filter((v) => v.model === model);
  useEffect(() => {
    if (!version && modelVersions.length) setVersion(modelVersions[modelVersions.length - 1]!.version);
  }, [modelVersions, version]);

  useEffect(() => {
    if (!version) return;
    setLoading(true);
    setNote(null);
    // A job: progress and cancel in the jobs panel, and the host stays free for other calls meanwhile.
    api['eval.start']({ model, version, bins, sliceMargin: margin })
      .then(({ jobId }) => waitFor(jobId))
      .then((job) => {
        if (job.status !== 'done') throw new Error(job.error?.message ?? 'Evaluation cancelled.');
        return job.result as EvaluationResult;
      })
      .then((r) => {
        setResult(r);
        setThresholds(Object.fromEntries(r.categories.map((c) => [c.category, c.thresholds])));
        if (!r.categories.some((c) => c.category === category) && r.categories[0]) setCategory(r.categories[0].category);
      })
      .catch((error: unknown) => setNote(errorMessage(error)))
      .finally(() => setLoading(false));
    // The category is kept when possible; it is not a reason to re-evaluate.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, version, bins, margin]);
  useEffect(() => {
    if (!versionB) return setResultB(null);
    jobResult<EvaluationResult>(api['eval.start']({ model, version: versionB, bins })).then(setResultB, (error: unknown) => setNote(errorMessage(error)));
  }, [model, versionB, bins]);

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
  const reliability = useMemo(() => (current ? reliabilityPlot(current, strategy, currentB) : null), [current, currentB, strategy]);
  const distribution = useMemo(() => (current ? distributionPlot(current, logCounts, t.remove, t.escalate) : null), [current, logCounts, t.remove, t.escalate]);
  const pr = useMemo(() => (current ? prPlot(current, currentB) : null), [current, currentB]);
  const fitted = calibration?.categories.find((c) => c.category === category);

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
    const params = Object.fromEntries(calibration.categories.filter((c) => c.fitted && c.params).map((c) => [c.category, c.params!]));
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
          <select value={model} onChange={(event) => (setModel(event.target.value), setVersion(''), setVersionB(''))}>
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
            {modelVersions.filter((v) => v.version !== version).map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
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
          Bins <input className="num-input" type="number" min={2} max={50} value={bins} onChange={(event) => Number(event.target.value) >= 2 && setBins(Number(event.target.value))} data-testid="eval-bins" />
        </label>
        <label>
          <select value={strategy} onChange={(event) => setStrategy(event.target.value as 'uniform' | 'quantile')} data-testid="eval-strategy">
            <option value="uniform">uniform bins</option>
            <option value="quantile">quantile bins</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={logCounts} onChange={(event) => setLogCounts(event.target.checked)} /> log counts
        </label>
        <span className="status">{loading ? 'Computing…' : result ? `${result.labelSource}; ${result.elapsedMs} ms` : ''}</span>
      </div>
      {note && (
        <div className="note" data-testid="eval-note">
          {note}
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
                ['recall @ precision 0.90', pct(current.operating.recallAtPrecision90.recall), currentB && pct(currentB.operating.recallAtPrecision90.recall)],
                ['precision @ recall 0.80', pct(current.operating.precisionAtRecall80.precision), currentB && pct(currentB.operating.precisionAtRecall80.precision)],
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
              <h3>Reliability diagram</h3>
              {reliability && <Plot data={reliability.data} layout={reliability.layout} testId="reliability-plot" height={330} />}
            </div>
            <div className="card">
              <h3>Confidence distribution — drag the lines to set thresholds</h3>
              {distribution && (
                <Plot
                  data={distribution.data}
                  layout={distribution.layout}
                  testId="distribution-plot"
                  height={330}
                  editableShapes
                  onRelayout={(update) => {
                    if (typeof update['shapes[0].x0'] === 'number') setThreshold('remove', update['shapes[0].x0'] as number);
                    if (typeof update['shapes[1].x0'] === 'number') setThreshold('escalate', update['shapes[1].x0'] as number);
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
                  remove ≥ <input className="num-input" value={t.remove} onChange={(event) => setThreshold('remove', Number(event.target.value))} data-testid="threshold-remove" />
                </label>
                <label>
                  escalate ≥ <input className="num-input" value={t.escalate} onChange={(event) => setThreshold('escalate', Number(event.target.value))} data-testid="threshold-escalate" />
                </label>
              </div>
              {routing && (
                <table data-testid="routing-counts">
                  <tbody>
                    <tr>
                      <td>auto-removed</td>
                      <td className="num" data-testid="count-removed">{routing.removed.toLocaleString('en-US')}</td>
                      <td>precision {pct(routing.removePrecision)}, recall {pct(routing.removeRecall)}</td>
                    </tr>
                    <tr>
                      <td>escalated to a person</td>
                      <td className="num" data-testid="count-escalated">{routing.escalated.toLocaleString('en-US')}</td>
                      <td>review load: {pct(current.n ? routing.escalated / current.n : null)} of items</td>
                    </tr>
                    <tr>
                      <td>auto-passed</td>
                      <td className="num" data-testid="count-passed">{routing.passed.toLocaleString('en-US')}</td>
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
                <select value={fitOn} onChange={(event) => setFitOn(event.target.value as 'even' | 'odd')} title="The labelled items are split in two by a hash of content_id">
                  <option value="even">fit on half A, check on half B</option>
                  <option value="odd">fit on half B, check on half A</option>
                </select>
                <button onClick={() => void jobResult<CalibrationFit>(api['eval.calibrateStart']({ model, version, method, bins, fitOn })).then(setCalibration, (error: unknown) => setNote(errorMessage(error)))} data-testid="fit-calibration">
                  Fit
                </button>
                {calibration && (
                  <button className="primary" onClick={() => void saveCalibration()}>
                    Save calibration as a new model version
                  </button>
                )}
              </div>
              {fitted && !fitted.fitted && <p className="muted">{fitted.reason}</p>}
              {fitted?.before && fitted.after && (
                <>
                  <p data-testid="calibration-summary">
                    ECE {num(fitted.before.ece, 4)} → {num(fitted.after.ece, 4)}, Brier {num(fitted.before.brier, 4)} → {num(fitted.after.brier, 4)} on {fitted.testItems} held-out items
                  </p>
                  <Plot
                    height={260}
                    data={[
                      { type: 'scatter', mode: 'lines', name: 'perfect', x: [0, 1], y: [0, 1], line: { color: '#999', dash: 'dot', width: 1 } },
                      { type: 'scatter', mode: 'lines+markers', name: 'before', x: fitted.before.reliability.map((b) => b.meanPredicted), y: fitted.before.reliability.map((b) => b.fractionPositive), line: { color: COLORS.a } },
                      { type: 'scatter', mode: 'lines+markers', name: `after (${calibration!.method})`, x: fitted.after.reliability.map((b) => b.meanPredicted), y: fitted.after.reliability.map((b) => b.fractionPositive), line: { color: COLORS.b } },
                    ]}
                    layout={{ xaxis: { range: [0, 1], title: { text: 'mean predicted' } }, yaxis: { range: [0, 1], title: { text: 'fraction positive' } }, legend: { orientation: 'h', y: -0.35 } }}
                  />
                </>
              )}
            </div>
            <div className="card" data-testid="slices">
              <h3>
                Slices at the remove threshold ({current.thresholds.remove}); gaps over{' '}
                <input className="num-input" type="number" min={0} max={50} step={1} value={Math.round(margin * 100)} onChange={(event) => Number(event.target.value) >= 0 && setMargin(Number(event.target.value) / 100)} data-testid="slice-margin" /> points highlighted
              </h3>
              <table>
                <thead>
                  <tr>
                    <th>slice</th>
                    <th>items</th>
                    <th>positives</th>
                    <th>recall (gap)</th>
                    <th>false-positive rate (gap)</th>
                  </tr>
                </thead>
                <tbody>
                  {current.slices.map((slice) => (
                    <tr key={`${slice.dimension}:${slice.value}`} className={slice.flagged ? 'flagged' : ''}>
                      <td>
                        {slice.dimension.replace('_', ' ')}: {slice.value}
                      </td>
                      <td className="num">{slice.n}</td>
                      <td className="num">{slice.positives}</td>
                      <td className="num">
                        {pct(slice.recall)} {slice.recallGap !== null ? `(${slice.recallGap >= 0 ? '+' : ''}${(100 * slice.recallGap).toFixed(1)})` : ''}
                      </td>
                      <td className="num">
                        {pct(slice.fpr)} {slice.fprGap !== null ? `(${slice.fprGap >= 0 ? '+' : ''}${(100 * slice.fprGap).toFixed(1)})` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </div>
      )}
      {!current && !loading && !note && <div className="empty">No labelled, scored items for this model yet: score content, then evaluate.</div>}
    </section>
  );
}
