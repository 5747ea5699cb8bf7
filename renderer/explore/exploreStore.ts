import { create } from 'zustand';
import type { ColumnInfo, QueryResult } from '../../shared/contract';
import type { SiftErrorInfo } from '../../shared/errors';
import type { QueryStoredEvent } from '../../shared/jobs';
import { api } from '../api/client';
import { useWorkspace } from '../workspaceStore';

export interface SortState {
  column: string;
  direction: 'asc' | 'desc';
}

export interface ShownResult {
  resultId: string;
  columns: ColumnInfo[];
  rowCount: number;
  complete: boolean;
  firstRows: QueryResult['rows'];
  elapsedMs: number;
}

interface ExploreState {
  sql: string;
  runningQueryId: string | null;
  result: ShownResult | null;
  message: string | null;
  error: SiftErrorInfo | null;
  sort: SortState | null;
  setSql(sql: string): void;
  run(): Promise<void>;
  cancel(): Promise<void>;
  setSort(sort: SortState | null): void;
  /** Forgets the shown result (its host-side table belongs to a workspace that was closed). */
  reset(): void;
  /** The shown result finished streaming in (or stopped): say so in the status line. */
  streamed(event: QueryStoredEvent): void;
}

const FIRST_PAGE = 200;
export const DEFAULT_SQL = `-- Reports per hour and reason. Ctrl/Cmd+Enter runs the query.
SELECT date_trunc('hour', created_at) AS hour, reason, count(*) AS reports
FROM reports
GROUP BY ALL
ORDER BY reports DESC
LIMIT 100;`;

export const useExplore = create<ExploreState>((set, get) => ({
  sql: localStorage.getItem('sift-sql') ?? DEFAULT_SQL,
  runningQueryId: null,
  result: null,
  message: null,
  error: null,
  sort: null,
  setSql(sql) {
    localStorage.setItem('sift-sql', sql);
    set({ sql });
  },
  async run() {
    if (get().runningQueryId) return;
    const queryId = crypto.randomUUID();
    const previous = get().result;
    set({ runningQueryId: queryId, error: null, message: 'Running…' });
    try {
      const outcome = await api['query.run']({ queryId, sql: get().sql, pageSize: FIRST_PAGE });
      if (previous) void api['query.close']({ resultId: previous.resultId }).catch(() => undefined);
      set({
        result: outcome.resultId
          ? { resultId: outcome.resultId, columns: outcome.columns, rowCount: outcome.rowCount, complete: outcome.complete, firstRows: outcome.rows, elapsedMs: outcome.elapsedMs }
          : null,
        sort: null,
        message: `${outcome.message} ${outcome.elapsedMs} ms`,
      });
      if (!outcome.resultId) void useWorkspace.getState().refresh();
    } catch (error) {
      const info = (error as { info?: SiftErrorInfo }).info ?? { code: 'INTERNAL', message: String(error) };
      set({ error: info, message: null });
    } finally {
      set({ runningQueryId: null });
    }
  },
  async cancel() {
    const queryId = get().runningQueryId;
    if (queryId) await api['query.cancel']({ queryId });
  },
  setSort(sort) {
    set({ sort });
  },
  reset() {
    set({ result: null, sort: null, error: null, message: null });
  },
  streamed(event) {
    const result = get().result;
    if (!result || result.resultId !== event.resultId) return;
    if (event.error) set({ error: event.error, message: null });
    else if (event.complete) set({ result: { ...result, rowCount: event.rowCount, complete: true }, message: `${event.rowCount.toLocaleString('en-US')} row(s). ${result.elapsedMs} ms to the first page` });
  },
}));
