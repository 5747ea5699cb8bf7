/**
 * Calibration fitting: fit on half the labelled items, shown on the other half; a fit that made a category worse
 * there is not saved without saying so.
 */
import type { CalibrationFit } from '../../shared/contract';
import { Plot } from '../components/Plot';
import { useEvaluation } from './evalStore';
import { COLORS, num } from './format';

export function CalibrationCard() {
  const method = useEvaluation((state) => state.method);
  const fitOn = useEvaluation((state) => state.fitOn);
  const calibration = useEvaluation((state) => state.calibration);
  const setMethod = useEvaluation((state) => state.setMethod);
  const setFitOn = useEvaluation((state) => state.setFitOn);
  const fitCalibration = useEvaluation((state) => state.fitCalibration);
  return (
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
        <button onClick={() => void fitCalibration()} data-testid="fit-calibration">
          Fit
        </button>
      </div>
      {calibration && <CalibrationEffect calibration={calibration} />}
      {calibration && <CalibrationOfCategory calibration={calibration} />}
    </div>
  );
}

/** Before and after on the held-out half, per category; saving a fit that made one worse needs a tick. */
function CalibrationEffect({ calibration }: { calibration: CalibrationFit }) {
  const saveAnyway = useEvaluation((state) => state.saveAnyway);
  const setSaveAnyway = useEvaluation((state) => state.setSaveAnyway);
  const saveCalibration = useEvaluation((state) => state.saveCalibration);
  // Calibration that made ECE or Brier worse on the held-out half is not saved without saying so.
  const worse = calibration.categories.filter(
    (c) => c.before && c.after && (c.after.ece > c.before.ece || c.after.brier > c.before.brier),
  );
  return (
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
                {c.before && c.after ? `${num(c.before.ece, 4)} → ${num(c.after.ece, 4)}` : (c.reason ?? '—')}
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
          {worse.map((c) => c.category).join(', ')} worse on the held-out half (ECE or Brier went up). Saving it would
          make those scores less trustworthy, not more.
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
  );
}

/** The category shown: its figures before and after, and its reliability curves. */
function CalibrationOfCategory({ calibration }: { calibration: CalibrationFit }) {
  const category = useEvaluation((state) => state.category);
  const result = useEvaluation((state) => state.result);
  const fitted = calibration.categories.find((c) => c.category === category);
  return (
    <>
      {fitted && !fitted.fitted && <p className="muted">{fitted.reason}</p>}
      {fitted?.before && fitted.after && (
        <>
          <p data-testid="calibration-summary">
            ECE {num(fitted.before.ece, 4)} → {num(fitted.after.ece, 4)}, Brier {num(fitted.before.brier, 4)} →{' '}
            {num(fitted.after.brier, 4)} on {fitted.testItems} held-out items
            {calibration.evaluationId && calibration.evaluationId === result?.evaluationId
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
                name: `after (${calibration.method})`,
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
    </>
  );
}
