/** The SQL workbench: editor, run/cancel, results grid paged from the host, and export. */
import { CANONICAL_TABLES } from '../../shared/canonical';
import { ResultExport } from '../components/ResultExport';
import { ResultsGrid } from '../components/ResultsGrid';
import { SqlEditor } from '../components/SqlEditor';
import { useWorkspace } from '../workspaceStore';
import { useExplore } from './exploreStore';

/** A workspace with no data of the user's yet: what to import, and the canonical names that light up each view. */
function EmptyWorkspace() {
  return (
    <div className="note needs-data" data-testid="empty-workspace">
      <p>
        This workspace has no data yet. Import your moderation logs — CSV, TSV, Parquet or JSON — with Import… or by dropping files on the window; a
        ragged export can set its bad rows aside. Then map each onto a canonical table, so Spikes, Models, Evaluate and Label can read it:
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
        {result ? (
          <ResultsGrid result={{ ...result, firstRows: result.firstRows }} sort={sort} onSort={setSort} />
        ) : tables.every((table) => table.protected) && tables.length > 0 ? (
          <EmptyWorkspace />
        ) : (
          <div className="empty">Run a query to see results here.</div>
        )}
      </div>
    </section>
  );
}
