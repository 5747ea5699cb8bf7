/**
 * Slices of the category shown (language, surface, content type, account age) at the thresholds in force: each
 * rate with its 95% interval and n, and a gap highlighted only with enough items behind it. A row opens its items.
 */
import type { CategoryEvaluation } from '../../shared/contract';
import { thresholdsInForce, useEvaluation } from './evalStore';
import { gapText, rateText } from './format';

export function SlicesCard({ current }: { current: CategoryEvaluation }) {
  const { category } = current;
  const { remove } = useEvaluation(thresholdsInForce);
  const minSliceN = useEvaluation((state) => state.minSliceN);
  const slices = useEvaluation((state) => state.slices);
  const setMinSliceN = useEvaluation((state) => state.setMinSliceN);
  const setDrill = useEvaluation((state) => state.setDrill);
  // Slices at the thresholds in force once recomputed; the evaluation's own until then.
  const sliceRows = slices?.categories.find((c) => c.category === category) ?? {
    baseline: current.sliceBaseline,
    slices: current.slices,
  };
  return (
    <div className="card wide-card" data-testid="slices">
      <h3>
        Slices of {category} at the thresholds in force (remove ≥ {remove}); a gap is highlighted when its 95% interval
        clears the overall one and the slice has at least{' '}
        <input
          className="num-input"
          type="number"
          min={1}
          step={1}
          value={minSliceN}
          onChange={(event) => Number(event.target.value) >= 1 && setMinSliceN(Math.round(Number(event.target.value)))}
          data-testid="slice-min-n"
          aria-label="Minimum n"
        />{' '}
        items of the kind counted
      </h3>
      {sliceRows.baseline && (
        <p className="muted" data-testid="slice-baseline">
          Overall: recall {rateText(sliceRows.baseline.recall)}, false-positive rate {rateText(sliceRows.baseline.fpr)}.
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
          {sliceRows.slices.map((slice) => (
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
  );
}
