/** Every category at a glance, at the thresholds in force: pick one to look closer. */
import { tiedNote } from '../../shared/labeling';
import { routeGrid } from '../../shared/routing';
import { comparedVersion, useEvaluation } from './evalStore';
import { num, pct } from './format';

export function CategorySummary() {
  const model = useEvaluation((state) => state.model);
  const result = useEvaluation((state) => state.result);
  const resultB = useEvaluation((state) => state.resultB);
  const other = comparedVersion(useEvaluation((state) => state.versionB));
  const thresholds = useEvaluation((state) => state.thresholds);
  const category = useEvaluation((state) => state.category);
  const setCategory = useEvaluation((state) => state.setCategory);
  if (!result || result.categories.length === 0) return null;
  return (
    <div className="card eval-summary-card">
      <h3>
        {model} {result.version}
        {other && resultB ? ` vs ${other.model} ${other.version}` : ''} — every category
      </h3>
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
              <tr
                key={c.category}
                className={c.category === category ? 'active' : ''}
                onClick={() => setCategory(c.category)}
              >
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
      {result.tied.items > 0 && (
        <p className="muted eval-tied" data-testid="eval-tied">
          {tiedNote(result.tied.items)}
        </p>
      )}
    </div>
  );
}
