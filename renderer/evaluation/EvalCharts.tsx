/**
 * The category's three charts: the reliability diagram and the confidence distribution (a bin or bar opens its
 * items; the distribution's lines are the thresholds, dragged to move them), and precision–recall.
 */
import { useMemo } from 'react';
import type { CategoryEvaluation } from '../../shared/contract';
import { Plot } from '../components/Plot';
import { thresholdsInForce, useEvaluation } from './evalStore';
import { distributionPlot, prPlot, reliabilityPlot } from './evalPlots';

interface Shown {
  /** The category shown, evaluated (A) and in the version compared with (B). */
  current: CategoryEvaluation;
  currentB: CategoryEvaluation | undefined;
}

export function ReliabilityCard({ current, currentB }: Shown) {
  const strategy = useEvaluation((state) => state.strategy);
  const setDrill = useEvaluation((state) => state.setDrill);
  const { category } = current;
  const reliability = useMemo(() => reliabilityPlot(current, strategy, currentB), [current, currentB, strategy]);
  return (
    <div className="card">
      <h3>Reliability diagram (click a bin for its items)</h3>
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
    </div>
  );
}

export function DistributionCard({ current }: Pick<Shown, 'current'>) {
  const logCounts = useEvaluation((state) => state.logCounts);
  const { remove, escalate } = useEvaluation(thresholdsInForce);
  const setDrill = useEvaluation((state) => state.setDrill);
  const setThreshold = useEvaluation((state) => state.setThreshold);
  const { category } = current;
  const distribution = useMemo(
    () => distributionPlot(current, logCounts, remove, escalate),
    [current, logCounts, remove, escalate],
  );
  return (
    <div className="card">
      <h3>Confidence distribution — drag the lines to set thresholds; click a bar for its items</h3>
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
          if (typeof update['shapes[0].x0'] === 'number') setThreshold('remove', update['shapes[0].x0'] as number);
          if (typeof update['shapes[1].x0'] === 'number') setThreshold('escalate', update['shapes[1].x0'] as number);
        }}
      />
    </div>
  );
}

export function PrecisionRecallCard({ current, currentB }: Shown) {
  const pr = useMemo(() => prPlot(current, currentB), [current, currentB]);
  return (
    <div className="card">
      <h3>Precision–recall</h3>
      <Plot data={pr.data} layout={pr.layout} testId="pr-plot" height={330} />
    </div>
  );
}
