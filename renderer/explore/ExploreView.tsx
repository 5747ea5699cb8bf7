/** The SQL workbench: editor, run/cancel, results grid paged from the host, and export. */
import { useState } from 'react';
import { api, chooseExportPath, downloadExport, errorMessage } from '../api/client';
import { ResultsGrid } from '../components/ResultsGrid';
import { SqlEditor } from '../components/SqlEditor';
import { useJobs } from '../jobs/jobsStore';
import { useWorkspace } from '../workspaceStore';
import { useExplore } from './exploreStore';

type ExportFormat = 'csv' | 'parquet' | 'json';

export function ExploreView() {
  const { sql, setSql, run, cancel, runningQueryId, result, message, error, sort, setSort } = useExplore();
  const tables = useWorkspace((state) => state.tables);
  const allowWrites = useWorkspace((state) => state.settings.allowWrites);
  const setAllowWrites = useWorkspace((state) => state.setAllowWrites);
  const waitFor = useJobs((state) => state.waitFor);
  const [exportNote, setExportNote] = useState<string | null>(null);

  const exportResult = async (format: ExportFormat) => {
    if (!result) return;
    try {
      const target = await chooseExportPath(`result.${format}`);
      if (target === null) return;
      setExportNote(`Exporting ${format.toUpperCase()}…`);
      const { jobId } = await api['query.export']({ resultId: result.resultId, format, path: target });
      const job = await waitFor(jobId);
      if (job.status !== 'done') return setExportNote(job.error?.message ?? 'Export cancelled.');
      const outcome = job.result as { path: string; rows: number; bytes: number };
      setExportNote(`Exported ${outcome.rows.toLocaleString('en-US')} rows to ${outcome.path}`);
      downloadExport(outcome.path);
    } catch (err) {
      setExportNote(errorMessage(err));
    }
  };

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
        {result && (
          <span className="export" data-testid="export-menu">
            Export
            {(['csv', 'parquet', 'json'] as const).map((format) => (
              <button key={format} onClick={() => void exportResult(format)} data-testid={`export-${format}`}>
                {format.toUpperCase()}
              </button>
            ))}
          </span>
        )}
      </div>
      {exportNote && (
        <div className="note" data-testid="export-note">
          {exportNote}
        </div>
      )}
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
