/** The category's headline figures, each with the compared version's beside it (B). */
import { shownCategory, shownCategoryB, useEvaluation } from './evalStore';
import { num, pct } from './format';

export function MetricsRow() {
  const current = useEvaluation(shownCategory);
  const currentB = useEvaluation(shownCategoryB);
  const bins = useEvaluation((state) => state.bins);
  if (!current) return null;
  return (
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
  );
}
