/**
 * How far each host-side result has streamed in. The host answers a query once its first page is stored and
 * reports the rest through `query` events; grids read their row count from here.
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
