/**
 * The SQL workbench: editor tabs, run (the statement under the cursor) and run all (a result tab per statement),
 * cancel, the results grid paged from the host, a chart of any result, export, and the workspace's query history.
 */
import { useEffect, useState } from 'react';
import { CANONICAL_TABLES } from '../../shared/canonical';
import { ResultChart } from '../components/ResultChart';
import { ResultExport } from '../components/ResultExport';
import { ResultsGrid } from '../components/ResultsGrid';
import { runRequestFromEditor, SqlEditor } from '../components/SqlEditor';
import { useWorkspace } from '../workspaceStore';
import { activeResultTab, useExplore } from './exploreStore';

/** A workspace with no data of the user's yet: what to import, and the canonical names that light up each view. */
function EmptyWorkspace() {
  return (
    <div className="note needs-data" data-testid="empty-workspace">
      <p>
        This workspace has no data yet. Import your moderation logs — CSV, TSV, Parquet or JSON — with Import… or by
        dropping files on the window; a ragged export can set its bad rows aside. Then map each onto a canonical table,
        so Spikes, Models, Evaluate and Label can read it:
      </p>
      <ul>
        {CANONICAL_TABLES.filter((table) => !table.siftOwned).map((table) => (
          <li key={table.name}>
            <b>{table.name}</b>: {table.columns.map((column) => column.name).join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

function EditorTabs() {
  const { tabs, activeTab, switchTab, closeTab, newTab, renameTab } = useExplore();
  const [renaming, setRenaming] = useState<string | null>(null);
  return (
    <div className="editor-tabs" role="tablist" aria-label="Editor tabs" data-testid="editor-tabs">
      {tabs.map((tab) => (
        <div
          key={tab.id}
          className={`editor-tab ${tab.id === activeTab ? 'active' : ''}`}
          role="tab"
          aria-selected={tab.id === activeTab}
        >
          {renaming === tab.id ? (
            <input
              autoFocus
              defaultValue={tab.title}
              aria-label="Tab name"
              onBlur={(event) => (renameTab(tab.id, event.target.value || tab.title), setRenaming(null))}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === 'Escape') (event.target as HTMLInputElement).blur();
              }}
            />
          ) : (
            <button
              className="editor-tab-name"
              onClick={() => switchTab(tab.id)}
              onDoubleClick={() => setRenaming(tab.id)}
              title="Double-click to rename"
            >
              {tab.title}
            </button>
          )}
          <button className="editor-tab-close" onClick={() => closeTab(tab.id)} aria-label={`Close ${tab.title}`}>
            ×
          </button>
        </div>
      ))}
      <button className="editor-tab-new" onClick={() => newTab()} aria-label="New tab" data-testid="editor-tab-new">
        +
      </button>
    </div>
  );
}

function HistoryPanel({ onClose }: { onClose(): void }) {
  const { history, loadHistory, newTab } = useExplore();
  const [search, setSearch] = useState('');
  useEffect(() => {
    void loadHistory(search || undefined);
  }, [search, loadHistory]);
  return (
    <div className="history-panel" data-testid="query-history">
      <div className="form-row">
        <input
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Search the history"
          aria-label="Search the history"
        />
        <button onClick={onClose}>Close</button>
      </div>
      <ul>
        {history.map((entry, i) => (
          <li key={`${entry.ranAt}-${i}`}>
            <button
              className="link history-sql"
              onClick={() => newTab(entry.sql, `History ${entry.ranAt.slice(11, 16)}`)}
              title="Open in a new tab"
            >
              {entry.sql.length > 160 ? `${entry.sql.slice(0, 160)}…` : entry.sql}
            </button>
            <span className={entry.error ? 'error-text' : 'muted'}>
              {entry.ranAt.replace('T', ' ')} ·{' '}
              {entry.error
                ? entry.error
                : `${entry.rows === null ? 'done' : `${entry.rows.toLocaleString('en-US')} rows`} in ${entry.elapsedMs} ms`}
            </span>
          </li>
        ))}
        {history.length === 0 && <li className="muted">No queries yet.</li>}
      </ul>
    </div>
  );
}

export function ExploreView() {
  const { sql, setSql, run, explain, cancel, runningQueryId, results, errorAt, setSort, showResult, closeResult } =
    useExplore();
  const shown = useExplore(activeResultTab);
  const tables = useWorkspace((state) => state.tables);
  const allowWrites = useWorkspace((state) => state.settings.allowWrites);
  const setAllowWrites = useWorkspace((state) => state.setAllowWrites);
  const [showHistory, setShowHistory] = useState(false);
  const [asChart, setAsChart] = useState(false);
  const result = shown?.result ?? null;
  return (
    <section className="explore">
      <EditorTabs />
      <div className="editor-pane">
        <SqlEditor
          value={sql}
          onChange={setSql}
          onRun={(request) => void run(request)}
          tables={tables}
          errorAt={errorAt}
        />
      </div>
      <div className="toolbar">
        {runningQueryId ? (
          <button className="danger" data-testid="cancel-query" onClick={() => void cancel()}>
            ■ Cancel
          </button>
        ) : (
          <>
            <button
              className="primary"
              data-testid="run-query"
              onClick={() => void run(runRequestFromEditor('current'))}
              title="The selection, or the statement under the cursor (Ctrl/Cmd+Enter)"
            >
              ▶ Run
            </button>
            <button
              data-testid="run-all"
              onClick={() => void run(runRequestFromEditor('all'))}
              title="Every statement, a result tab each (Ctrl/Cmd+Shift+Enter)"
            >
              Run all
            </button>
            <button
              data-testid="explain-query"
              onClick={() => void explain(runRequestFromEditor('current'))}
              title="DuckDB's plan for the selection or the statement under the cursor, without running it"
            >
              Explain
            </button>
          </>
        )}
        <label className="toggle" title="Let the editor change imported tables (never Sift's own tables)">
          <input
            type="checkbox"
            checked={allowWrites}
            onChange={(event) => void setAllowWrites(event.target.checked)}
          />{' '}
          Allow writes
        </label>
        <span className="status" data-testid="query-status">
          {runningQueryId ? 'Running… ' : (shown?.message ?? '')}
        </span>
        <span className="spacer" />
        <button
          className={showHistory ? 'active' : ''}
          onClick={() => setShowHistory(!showHistory)}
          data-testid="history-toggle"
        >
          History
        </button>
        {result && (
          <button
            className={asChart ? 'active' : ''}
            onClick={() => setAsChart(!asChart)}
            data-testid="chart-toggle"
            title="Chart this result"
          >
            {asChart ? 'Table' : 'Chart'}
          </button>
        )}
        {result && <ResultExport resultId={result.resultId} />}
      </div>
      {showHistory && <HistoryPanel onClose={() => setShowHistory(false)} />}
      {results.length > 1 && (
        <div className="result-tabs" role="tablist" aria-label="Results" data-testid="result-tabs">
          {results.map((tab, i) => (
            <div
              key={tab.id}
              className={`result-tab ${tab.id === shown?.id ? 'active' : ''} ${tab.error ? 'failed' : ''}`}
              role="tab"
              aria-selected={tab.id === shown?.id}
            >
              <button onClick={() => showResult(tab.id)} title={tab.sql}>
                {i + 1}. {tab.label}
              </button>
              <button
                className="result-tab-close"
                onClick={() => closeResult(tab.id)}
                aria-label={`Close result ${i + 1}`}
              >
                ×
              </button>
            </div>
          ))}
        </div>
      )}
      {shown?.error && (
        <div className="error-box" data-testid="query-error">
          {shown.error.message}
        </div>
      )}
      <div className="results-pane">
        {shown?.plan !== undefined ? (
          <pre className="query-plan" data-testid="query-plan">
            {shown.plan}
          </pre>
        ) : result ? (
          asChart ? (
            <ResultChart result={result} />
          ) : (
            <ResultsGrid
              key={shown!.id}
              result={{ ...result, firstRows: result.firstRows }}
              sort={shown!.sort}
              onSort={setSort}
            />
          )
        ) : tables.every((table) => table.protected) && tables.length > 0 ? (
          <EmptyWorkspace />
        ) : (
          <div className="empty">{shown && !shown.error ? shown.message : 'Run a query to see results here.'}</div>
        )}
      </div>
    </section>
  );
}
