/**
 * The lead's (owner's) view of reviewer wellness: each annotator's time on revealed sensitive media per day
 * (wellness.exposure.list, counted by the host from the reveals the shields report), with her break reminder.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ExposureDay } from '../../shared/contract';
import { exposureText, MAX_REVEAL_MS } from '../../shared/wellness';
import { api, errorMessage } from '../api/client';

export function ExposurePanel() {
  const [days, setDays] = useState<ExposureDay[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      setDays((await api['wellness.exposure.list']({ days: 14 })).days);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);
  return (
    <section className="card" data-testid="exposure-panel">
      <h3>
        Reviewer wellness: time on sensitive media{' '}
        <button onClick={() => void refresh()} data-testid="exposure-refresh">
          Refresh
        </button>
      </h3>
      {error && <div className="error-text">{error}</div>}
      {days && days.length === 0 && <p className="muted">No one has revealed sensitive media in the last 14 days.</p>}
      {days && days.length > 0 && (
        <table className="label-session-list" data-testid="exposure-table">
          <thead>
            <tr>
              <th>day (UTC)</th>
              <th>annotator</th>
              <th>time revealed</th>
              <th>items</th>
              <th>break reminder</th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={`${day.day}-${day.annotator}`} data-testid={`exposure-${day.annotator}-${day.day}`}>
                <td>{day.day}</td>
                <td>{day.annotator}</td>
                <td
                  className={
                    day.breakAfterMinutes !== null && day.ms >= day.breakAfterMinutes * 60_000 ? 'error-text' : ''
                  }
                >
                  {exposureText(day.ms)}
                </td>
                <td>{day.items}</td>
                <td>{day.breakAfterMinutes === null ? 'none' : `after ${day.breakAfterMinutes} min`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">
        Counted per annotator per day from the reveals of sensitive items (labeled or scored in a category the policy
        marks sensitive); a single reveal counts at most {MAX_REVEAL_MS / 60_000} minutes.
      </p>
    </section>
  );
}
