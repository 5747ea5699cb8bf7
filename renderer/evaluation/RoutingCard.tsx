/** Where the thresholds in force send the category's items: removed, escalated to a person, or passed. */
import type { CategoryEvaluation } from '../../shared/contract';
import { routeGrid } from '../../shared/routing';
import { thresholdsInForce, useEvaluation } from './evalStore';
import { pct } from './format';

export function RoutingCard({ current }: { current: CategoryEvaluation }) {
  const t = useEvaluation(thresholdsInForce);
  const setThreshold = useEvaluation((state) => state.setThreshold);
  const saveThresholds = useEvaluation((state) => state.saveThresholds);
  const routing = routeGrid(current.grid, t.remove, t.escalate, current.critical);
  return (
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
      <button className="primary" onClick={() => void saveThresholds()} data-testid="save-thresholds">
        Save thresholds as a new model version
      </button>
    </div>
  );
}
