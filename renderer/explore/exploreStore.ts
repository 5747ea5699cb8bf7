/**
 * The SQL client's state: editor tabs (each workspace keeps its own), the result tabs of the last run — one per statement
 * when every statement runs — and the query history. Ctrl/Cmd+Enter runs the selection or the statement under the
 * cursor; Ctrl/Cmd+Shift+Enter runs every statement, each into its own result tab.
 */
import { create } from 'zustand';
import type { ColumnInfo, EditorTab, HistoryEntry, QueryResult } from '../../shared/contract';
import type { SiftErrorInfo } from '../../shared/errors';
import type { QueryStoredEvent } from '../../shared/jobs';
import { splitStatements, statementAt } from '../../shared/sqlText';
import { api } from '../api/client';
import { storedMessage, storedSoFar } from '../components/liveResults';
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

/** One statement's outcome: its rows (if any), its status line, or its error. */
export interface ResultTab {
  id: string;
  /** The statement, shortened, as the tab's title. */
  label: string;
  sql: string;
  result: ShownResult | null;
  message: string | null;
  error: SiftErrorInfo | null;
  sort: SortState | null;
  /** DuckDB's plan, for a tab that explained its statement instead of running it. */
  plan?: string;
}

/** What to run: the selection or the statement under the cursor (`current`), or every statement (`all`). */
export interface RunRequest {
  mode: 'current' | 'all';
  selection?: { from: number; to: number };
  cursor?: number;
}

interface ExploreState {
  tabs: EditorTab[];
  activeTab: string;
  /** The active tab's text (the editor's document). */
  sql: string;
  runningQueryId: string | null;
  results: ResultTab[];
  activeResult: string | null;
  /** Where the last error points in the active tab's text. */
  errorAt: { position: number; message: string } | null;
  history: HistoryEntry[];
  setSql(sql: string): void;
  run(request?: RunRequest): Promise<void>;
  cancel(): Promise<void>;
  /** Shows DuckDB's plan for the selection or the statement under the cursor, without running it. */
  explain(request?: RunRequest): Promise<void>;
  setSort(sort: SortState | null): void;
  /** Shows a table's first rows in a result tab of their own, leaving the editor's text alone. */
  preview(table: string): Promise<void>;
  showResult(id: string): void;
  closeResult(id: string): void;
  newTab(sql?: string, title?: string): void;
  switchTab(id: string): void;
  closeTab(id: string): void;
  renameTab(id: string, title: string): void;
  /** Loads the workspace's saved tabs (or starts with one). */
  loadTabs(): Promise<void>;
  loadHistory(search?: string): Promise<void>;
  /** Forgets the shown results (their host-side tables belong to a workspace that was closed). */
  reset(): void;
  /** A shown result finished streaming in (or stopped): say so in its status line. */
  streamed(event: QueryStoredEvent): void;
}

const FIRST_PAGE = 200;
export const DEFAULT_SQL = `-- Reports per hour and reason. Ctrl/Cmd+Enter runs the statement under the cursor; Ctrl/Cmd+Shift+Enter runs them all.
SELECT date_trunc('hour', created_at) AS hour, reason, count(*) AS reports
FROM reports
GROUP BY ALL
ORDER BY reports DESC
LIMIT 100;`;

const newId = () => crypto.randomUUID().slice(0, 8);
const shorten = (sql: string) => {
  const flat = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 40 ? `${flat.slice(0, 38)}…` : flat;
};

let saveTimer: ReturnType<typeof setTimeout> | undefined;
let unsaved: { tabs: EditorTab[]; active: string } | null = null;
/** Tabs are saved to the workspace a moment after the last keystroke, not on every one. */
function saveTabsSoon(tabs: EditorTab[], active: string): void {
  clearTimeout(saveTimer);
  unsaved = { tabs, active };
  saveTimer = setTimeout(() => void saveTabsNow(), 600);
}

/**
 * Saves the tabs not yet saved, into the workspace open now: called before another workspace is opened, so the
 * last keystrokes stay with the workspace they were typed in and never land in the next one.
 */
export async function saveTabsNow(): Promise<void> {
  clearTimeout(saveTimer);
  const state = unsaved;
  unsaved = null;
  if (state) await api['editor.saveTabs'](state).catch(() => undefined);
}

/** A workspace with no saved tabs starts from one tab of its own, never from the last workspace's. */
const freshTabs = (): { tabs: EditorTab[]; active: string } => {
  const tab: EditorTab = { id: newId(), title: 'Query 1', sql: DEFAULT_SQL };
  return { tabs: [tab], active: tab.id };
};

/**
 * What a request runs, and where each piece starts in the tab's text (to point at errors): the selection (each of
 * its statements for `all`), else every statement (`all`) or the one under the cursor (`current`).
 */
function piecesOf(text: string, request: RunRequest): { sql: string; start: number }[] {
  const { selection } = request;
  if (selection && selection.to > selection.from) {
    const selected = text.slice(selection.from, selection.to);
    return request.mode === 'all'
      ? splitStatements(selected).map((s) => ({ sql: s.text, start: selection.from + s.start }))
      : [{ sql: selected, start: selection.from }];
  }
  if (request.mode === 'all') return splitStatements(text).map((s) => ({ sql: s.text, start: s.start }));
  const statement = statementAt(text, request.cursor ?? text.length);
  return statement ? [{ sql: statement.text, start: statement.start }] : [];
}

/** A tab once its result's rows have all been stored (or the storing stopped); other tabs as they are. */
function settle(tab: ResultTab, event: QueryStoredEvent | undefined): ResultTab {
  if (!event || !tab.result || tab.result.resultId !== event.resultId || tab.result.complete) return tab;
  if (event.error) return { ...tab, error: event.error, message: null };
  if (event.complete)
    return {
      ...tab,
      result: { ...tab.result, rowCount: event.rowCount, complete: true },
      message: storedMessage(event, tab.result.elapsedMs),
    };
  return tab;
}

/** A result tab for a query's answer, settled by any "stored" event that arrived before the answer did. */
function outcomeTab(id: string, sql: string, outcome: QueryResult): ResultTab {
  return settle(
    {
      id,
      label: shorten(sql),
      sql,
      result: outcome.resultId
        ? {
            resultId: outcome.resultId,
            columns: outcome.columns,
            rowCount: outcome.rowCount,
            complete: outcome.complete,
            firstRows: outcome.rows,
            elapsedMs: outcome.elapsedMs,
          }
        : null,
      message: `${outcome.message} ${outcome.elapsedMs} ms`,
      error: null,
      sort: null,
    },
    storedSoFar(outcome.resultId),
  );
}

export const useExplore = create<ExploreState>((set, get) => {
  const first = freshTabs();
  const updateTabs = (tabs: EditorTab[], activeTab: string) => {
    set({ tabs, activeTab, sql: tabs.find((tab) => tab.id === activeTab)?.sql ?? '' });
    saveTabsSoon(tabs, activeTab);
  };
  const closeResults = (results: ResultTab[]) => {
    for (const tab of results)
      if (tab.result) void api['query.close']({ resultId: tab.result.resultId }).catch(() => undefined);
  };
  return {
    tabs: first.tabs,
    activeTab: first.active,
    sql: first.tabs[0]!.sql,
    runningQueryId: null,
    results: [],
    activeResult: null,
    errorAt: null,
    history: [],
    setSql(sql) {
      const tabs = get().tabs.map((tab) => (tab.id === get().activeTab ? { ...tab, sql } : tab));
      updateTabs(tabs, get().activeTab);
    },
    async run(request = { mode: 'current' }) {
      if (get().runningQueryId) return;
      const pieces = piecesOf(get().sql, request);
      if (pieces.length === 0) {
        set({ results: [], activeResult: null, errorAt: null });
        return;
      }
      closeResults(get().results);
      set({ results: [], activeResult: null, errorAt: null });
      let refreshTables = false;
      for (const piece of pieces) {
        const queryId = crypto.randomUUID();
        const id = newId();
        set({ runningQueryId: queryId });
        try {
          const outcome = await api['query.run']({ queryId, sql: piece.sql, pageSize: FIRST_PAGE, remember: true });
          if (!outcome.resultId) refreshTables = true;
          set({ results: [...get().results, outcomeTab(id, piece.sql, outcome)], activeResult: id });
        } catch (error) {
          const info = (error as { info?: SiftErrorInfo }).info ?? { code: 'INTERNAL', message: String(error) };
          set({
            results: [
              ...get().results,
              { id, label: shorten(piece.sql), sql: piece.sql, result: null, message: null, error: info, sort: null },
            ],
            activeResult: id,
            errorAt:
              info.position !== undefined ? { position: piece.start + info.position, message: info.message } : null,
          });
          break; // a script stops at its first failing statement, as psql -v ON_ERROR_STOP does
        } finally {
          set({ runningQueryId: null });
        }
      }
      if (refreshTables) void useWorkspace.getState().refresh();
      void get().loadHistory();
    },
    async explain(request = { mode: 'current' }) {
      const [piece] = piecesOf(get().sql, { ...request, mode: 'current' });
      if (!piece) return;
      const id = newId();
      const label = `plan: ${shorten(piece.sql)}`;
      try {
        const { plan, kind } = await api['query.explain']({ sql: piece.sql });
        set({
          results: [
            ...get().results,
            {
              id,
              label,
              sql: piece.sql,
              result: null,
              message: `The plan of a ${kind}; nothing was run.`,
              error: null,
              sort: null,
              plan,
            },
          ],
          activeResult: id,
          errorAt: null,
        });
      } catch (error) {
        const info = (error as { info?: SiftErrorInfo }).info ?? { code: 'INTERNAL', message: String(error) };
        set({
          results: [
            ...get().results,
            { id, label, sql: piece.sql, result: null, message: null, error: info, sort: null },
          ],
          activeResult: id,
          errorAt:
            info.position !== undefined ? { position: piece.start + info.position, message: info.message } : null,
        });
      }
    },
    async cancel() {
      const queryId = get().runningQueryId;
      if (queryId) await api['query.cancel']({ queryId });
    },
    async preview(table) {
      const sql = `SELECT * FROM "${table.replace(/"/g, '""')}" LIMIT 1000`;
      const id = newId();
      try {
        const outcome = await api['query.run']({ queryId: crypto.randomUUID(), sql, pageSize: FIRST_PAGE });
        set({
          results: [...get().results, { ...outcomeTab(id, sql, outcome), label: `preview: ${table}` }],
          activeResult: id,
        });
      } catch (error) {
        const info = (error as { info?: SiftErrorInfo }).info ?? { code: 'INTERNAL', message: String(error) };
        set({
          results: [
            ...get().results,
            { id, label: `preview: ${table}`, sql, result: null, message: null, error: info, sort: null },
          ],
          activeResult: id,
        });
      }
    },
    setSort(sort) {
      set({ results: get().results.map((tab) => (tab.id === get().activeResult ? { ...tab, sort } : tab)) });
    },
    showResult(id) {
      set({ activeResult: id });
    },
    closeResult(id) {
      const closing = get().results.find((tab) => tab.id === id);
      if (closing) closeResults([closing]);
      const results = get().results.filter((tab) => tab.id !== id);
      set({ results, activeResult: get().activeResult === id ? (results.at(-1)?.id ?? null) : get().activeResult });
    },
    newTab(sql = '', title) {
      const tab = { id: newId(), title: title ?? `Query ${get().tabs.length + 1}`, sql };
      updateTabs([...get().tabs, tab], tab.id);
    },
    switchTab(id) {
      if (get().tabs.some((tab) => tab.id === id)) updateTabs(get().tabs, id);
      set({ errorAt: null });
    },
    closeTab(id) {
      const tabs = get().tabs.filter((tab) => tab.id !== id);
      if (tabs.length === 0) tabs.push({ id: newId(), title: 'Query 1', sql: '' });
      updateTabs(tabs, get().activeTab === id ? tabs.at(-1)!.id : get().activeTab);
    },
    renameTab(id, title) {
      updateTabs(
        get().tabs.map((tab) => (tab.id === id ? { ...tab, title: title.slice(0, 80) } : tab)),
        get().activeTab,
      );
    },
    async loadTabs() {
      // The tabs are the workspace's own: its saved ones, or a fresh one for a workspace that has none yet.
      const saved = await api['editor.tabs']({}).then(
        (tabs) => tabs ?? freshTabs(),
        () => null, // unreadable: keep what is on screen rather than lose it
      );
      if (saved)
        set({
          tabs: saved.tabs,
          activeTab: saved.active,
          sql: saved.tabs.find((tab) => tab.id === saved.active)?.sql ?? '',
        });
      void get().loadHistory();
    },
    async loadHistory(search) {
      const history = await api['query.history']({ limit: 200, ...(search ? { search } : {}) }).catch(() => null);
      if (history) set({ history });
    },
    reset() {
      // Another workspace is open: a save still pending would write this one's tabs into it.
      clearTimeout(saveTimer);
      unsaved = null;
      set({ results: [], activeResult: null, errorAt: null, history: [] });
    },
    streamed(event) {
      set({ results: get().results.map((tab) => settle(tab, event)) });
    },
  };
});

/** The result tab on show. */
export const activeResultTab = (state: ExploreState): ResultTab | null =>
  state.results.find((tab) => tab.id === state.activeResult) ?? null;
