/**
 * Where the model is wrong at the threshold in force: the confusion counts (each opens its items), the words that
 * set false positives apart from true ones, and their scores (a bar opens its items).
 */
import { useEffect, useState } from 'react';
import type { ErrorAnalysis, ItemKind } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { Plot } from '../components/Plot';
import { TermTable } from '../components/TermTable';
import type { ItemsQuery, Thresholds } from './evalStore';
import { COLORS, KIND_TITLES } from './format';

export function ErrorAnalysisCard({
  model,
  version,
  category,
  thresholds,
  onDrill,
}: {
  model: string;
  version: string;
  category: string;
  thresholds: Thresholds;
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
