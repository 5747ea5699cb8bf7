/** The SQL workbench: editor, run/cancel, results grid paged from the host, and export. */
import { ResultExport } from '../components/ResultExport';
import { ResultsGrid } from '../components/ResultsGrid';
import { SqlEditor } from '../components/SqlEditor';
import { useWorkspace } from '../workspaceStore';
import { useExplore } from './exploreStore';

export function ExploreView() {
  const { sql, setSql, run, cancel, runningQueryId, result, message, error, sort, setSort } = useExplore();
  const tables = useWorkspace((state) => state.tables);
  const allowWrites = useWorkspace((state) => state.settings.allowWrites);
  const setAllowWrites = useWorkspace((state) => state.setAllowWrites);
  return (
    <section className="explore">
      <div className="editor-pane">
        <SqlEditor
          value={sql}
          onChange={setSql}
          onRun={() => void run()}
          tables={tables}
          errorAt={error?.position !== undefined ? { position: error.position, message: error.message } : null}
        />
      </div>
      <div className="toolbar">
        {runningQueryId ? (
          <button className="danger" data-testid="cancel-query" onClick={() => void cancel()}>
            ■ Cancel
          </button>
        ) : (
          <button className="primary" data-testid="run-query" onClick={() => void run()} title="Ctrl/Cmd+Enter">
            ▶ Run
          </button>
        )}
        <label className="toggle" title="Let the editor change imported tables (never Sift's own tables)">
          <input type="checkbox" checked={allowWrites} onChange={(event) => void setAllowWrites(event.target.checked)} /> Allow writes
        </label>
        <span className="status" data-testid="query-status">
          {runningQueryId ? 'Running… ' : message}
        </span>
        <span className="spacer" />
        {result && <ResultExport resultId={result.resultId} />}
      </div>
      {error && (
        <div className="error-box" data-testid="query-error">
          {error.message}
        </div>
      )}
      <div className="results-pane">
        {result ? <ResultsGrid result={{ ...result, firstRows: result.firstRows }} sort={sort} onSort={setSort} /> : <div className="empty">Run a query to see results here.</div>}
      </div>
    </section>
  );
}
