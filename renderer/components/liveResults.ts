/**
 * How far each host-side result has streamed in. The host answers a query once its first page is stored and
 * reports the rest through `query` events; grids read their row count from here. A short result's last event
 * often arrives before the answer that names it, so a store that shows a status line settles it from here when
 * the answer comes (`storedSoFar`), as well as on each later event.
 */
import { create } from 'zustand';
import type { QueryStoredEvent } from '../../shared/jobs';

interface LiveResults {
  byId: Record<string, QueryStoredEvent>;
  apply(event: QueryStoredEvent): void;
}

export const useLiveResults = create<LiveResults>((set) => ({
  byId: {},
  apply(event) {
    set((state) => ({ byId: { ...state.byId, [event.resultId]: event } }));
  },
}));

/** The last event for a result, if any arrived (possibly before the answer that named the result). */
export function storedSoFar(resultId: string | null): QueryStoredEvent | undefined {
  return resultId ? useLiveResults.getState().byId[resultId] : undefined;
}

/** A result's status line once every row is stored. */
export function storedMessage(event: QueryStoredEvent, elapsedMs: number): string {
  return `${event.rowCount.toLocaleString('en-US')} row(s). ${elapsedMs} ms to the first page`;
}
