/** Saved, parameterised reports: a library by folder, a form from the parameter block, results and export. */
import { useEffect, useRef, useState } from 'react';
import { api, downloadExport, errorMessage, fileToHostPath, isDesktop, pickFilesOnDesktop } from '../api/client';
import { ResultChart } from '../components/ResultChart';
import { ResultExport } from '../components/ResultExport';
import { ResultsGrid } from '../components/ResultsGrid';
import { SqlEditor } from '../components/SqlEditor';
import { useWorkspace } from '../workspaceStore';
import { ParamForm } from './ParamForm';
import { useReports } from './reportsStore';

const NEW_REPORT_SQL = `-- [params]
-- date :start_date = 2024-03-01
-- date :end_date = 2024-03-31

SELECT reason, count(*) AS reports
FROM reports
WHERE created_at >= :start_date AND created_at < :end_date + INTERVAL '1 day'
GROUP BY reason
ORDER BY reports DESC`;

export function ReportsView() {
  const {
    reports,
    report,
    values,
    result,
    running,
    error,
    note,
    refresh,
    open,
    setValue,
    run,
    cancel,
    save,
    remove,
    setNote,
    setChart,
    setPinned,
  } = useReports();
  // A report with a saved chart opens as that chart; the toggle shows the table behind it.
  const [asChart, setAsChart] = useState(false);
  useEffect(() => setAsChart(report?.chart != null), [report?.id, report?.chart]);
  const tables = useWorkspace((state) => state.tables);
  const [editing, setEditing] = useState<{
    id?: number;
    name: string;
    description: string;
    folder: string;
    sql: string;
  } | null>(null);
  const [sort, setSort] = useState<{ column: string; direction: 'asc' | 'desc' } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => setSort(null), [result?.resultId]);

  const folders = [...new Set(reports.map((r) => r.folder || 'Reports'))];

  const importPaths = async (paths: string[]) => {
    try {
      let count = 0;
      for (const path of paths) count += (await api['reports.import']({ path })).length;
      await refresh();
      setNote(`Imported ${count} report(s).`);
    } catch (err) {
      setNote(errorMessage(err));
    }
  };

  const exportReport = async (format: 'dcquery' | 'sql') => {
    if (!report) return;
    try {
      const { path } = await api['reports.export']({ id: report.id, format });
      setNote(`Saved ${path}`);
      downloadExport(path);
    } catch (err) {
      setNote(errorMessage(err));
    }
  };

  return (
    <section className="reports-view">
      <nav className="report-list" aria-label="Reports" data-testid="report-list">
        <div className="report-list-actions">
          <button
            onClick={() => setEditing({ name: 'New report', description: '', folder: 'Mine', sql: NEW_REPORT_SQL })}
          >
            New
          </button>
          <button
            onClick={async () => {
              const picked = await pickFilesOnDesktop();
              if (picked) await importPaths(picked);
              else fileInput.current?.click();
            }}
          >
            Import…
          </button>
          <input
            ref={fileInput}
            type="file"
            hidden
            multiple
            accept=".sql,.json"
            data-testid="report-file-input"
            onChange={async (event) => {
              const files = [...(event.target.files ?? [])];
              event.target.value = '';
              await importPaths(await Promise.all(files.map((file) => fileToHostPath(file))));
            }}
          />
        </div>
        {folders.map((folder) => (
          <div key={folder}>
            <h3>{folder}</h3>
            <ul>
              {reports
                .filter((r) => (r.folder || 'Reports') === folder)
                .map((r) => (
                  <li key={r.id}>
                    <button
                      className={`report-item ${report?.id === r.id ? 'active' : ''}`}
                      title={r.description ? `${r.name}: ${r.description}` : r.name}
                      onClick={() => void open(r.id).then(() => setEditing(null))}
                    >
                      {r.name}
                    </button>
                  </li>
                ))}
            </ul>
          </div>
        ))}
      </nav>
      <div className="report-main">
        {editing ? (
          <div className="report-editor" data-testid="report-editor">
            <div className="form-row">
              <label>
                Name{' '}
                <input
                  value={editing.name}
                  onChange={(event) => setEditing({ ...editing, name: event.target.value })}
                  data-testid="report-name"
                />
              </label>
              <label>
                Folder{' '}
                <input
                  value={editing.folder}
                  onChange={(event) => setEditing({ ...editing, folder: event.target.value })}
                />
              </label>
            </div>
            <label className="wide">
              Description{' '}
              <input
                value={editing.description}
                onChange={(event) => setEditing({ ...editing, description: event.target.value })}
              />
            </label>
            <div className="report-sql">
              <SqlEditor
                value={editing.sql}
                onChange={(sql) => setEditing((current) => (current ? { ...current, sql } : current))}
                onRun={() => undefined}
                tables={tables}
                errorAt={null}
              />
            </div>
            <div className="modal-actions">
              <button onClick={() => setEditing(null)}>Cancel</button>
              <button
                className="primary"
                data-testid="save-report"
                onClick={() =>
                  void save(editing).then(
                    () => setEditing(null),
                    () => undefined,
                  )
                }
              >
                Save report
              </button>
            </div>
            {error && <div className="error-box">{error.message}</div>}
          </div>
        ) : report ? (
          <>
            <header className="report-head">
              <div>
                <h2 data-testid="report-title">{report.name}</h2>
                <p className="muted">{report.description}</p>
              </div>
              <div className="report-head-actions">
                <button
                  onClick={() =>
                    setEditing({
                      id: report.id,
                      name: report.name,
                      description: report.description,
                      folder: report.folder,
                      sql: report.sql,
                    })
                  }
                >
                  Edit SQL
                </button>
                <button onClick={() => void exportReport('dcquery')} title="Data Explorer export (.dcquery.json)">
                  Save as .dcquery.json
                </button>
                <button onClick={() => void exportReport('sql')}>Save as .sql</button>
                <button
                  onClick={() => void setPinned(!report.pinned)}
                  data-testid="report-pin"
                  title="Show this report's chart on the Monitor view, refreshed when a feed brings new data"
                >
                  {report.pinned ? 'Unpin from Monitor' : 'Pin to Monitor'}
                </button>
                <button
                  className="link"
                  onClick={() => window.confirm(`Delete “${report.name}”?`) && void remove(report.id)}
                >
                  Delete
                </button>
              </div>
            </header>
            {report.paramError && <div className="error-box">{report.paramError}</div>}
            <div className="toolbar">
              <ParamForm params={report.params} values={values} onChange={setValue} onSubmit={() => void run()} />
              {running && (
                <button className="danger" onClick={() => void cancel()}>
                  ■ Cancel
                </button>
              )}
              <span className="status" data-testid="report-status">
                {running ? 'Running…' : note}
              </span>
              <span className="spacer" />
              {result && (
                <button
                  className={asChart ? 'active' : ''}
                  onClick={() => setAsChart(!asChart)}
                  data-testid="report-chart-toggle"
                >
                  {asChart ? 'Table' : 'Chart'}
                </button>
              )}
              {result && (
                <ResultExport
                  resultId={result.resultId}
                  baseName={report.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}
                />
              )}
            </div>
            {error && (
              <div className="error-box" data-testid="report-error">
                {error.message}
              </div>
            )}
            <div className="results-pane">
              {result ? (
                asChart ? (
                  <ResultChart
                    result={result}
                    spec={report.chart}
                    onSave={(chart) => void setChart(chart)}
                    title={report.name}
                  />
                ) : (
                  <ResultsGrid
                    result={{
                      resultId: result.resultId,
                      columns: result.columns,
                      rowCount: result.rowCount,
                      complete: result.complete,
                      firstRows: result.rows,
                    }}
                    sort={sort}
                    onSort={setSort}
                  />
                )
              ) : (
                <div className="empty">Set the parameters and run the report.</div>
              )}
            </div>
          </>
        ) : (
          <div className="empty">
            {isDesktop
              ? 'Pick a report, or import one.'
              : 'Pick a report on the left, or import a Data Explorer .dcquery.json or .sql file.'}
          </div>
        )}
        {!report && note && <div className="note">{note}</div>}
      </div>
    </section>
  );
}
