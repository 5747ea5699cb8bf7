/**
 * Import flow: a file (picked, dropped, or uploaded in browser mode) → preview with the sniffed layout and
 * types → import as a job with progress and cancel → optional mapping onto a canonical table.
 */
import { useEffect, useState } from 'react';
import { CANONICAL_TABLES, type MappingSuggestion, missingKeysProblem } from '../../shared/canonical';
import type { ImportOutcome, ImportPreview } from '../../shared/contract';
import { api, errorMessage, fileToHostPath } from '../api/client';
import { ProgressBar } from '../components/ProgressBar';
import { cellText } from '../components/gridText';
import { useJobs } from '../jobs/jobsStore';
import { useWorkspace } from '../workspaceStore';

export type ImportSource = { kind: 'file'; file: File } | { kind: 'path'; path: string };

type Step =
  | { name: 'uploading'; fraction: number }
  | { name: 'inspecting' }
  | { name: 'preview'; preview: ImportPreview }
  | { name: 'importing'; jobId: string; preview: ImportPreview }
  | { name: 'mapping'; outcome: ImportOutcome; preview: ImportPreview }
  | { name: 'error'; message: string; preview?: ImportPreview };

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe' };

export function ImportDialog({ source, onClose }: { source: ImportSource; onClose(): void }) {
  const [step, setStep] = useState<Step>({ name: 'inspecting' });
  const [table, setTable] = useState('');
  const [link, setLink] = useState(false);
  const [replace, setReplace] = useState(false);
  const [skipBadRows, setSkipBadRows] = useState(false);
  const refresh = useWorkspace((state) => state.refresh);
  const job = useJobs((state) => (step.name === 'importing' ? state.jobs[step.jobId] : undefined));
  const waitFor = useJobs((state) => state.waitFor);
  const cancelJob = useJobs((state) => state.cancel);
  const name = source.kind === 'file' ? source.file.name : source.path.split(/[\\/]/).pop();

  useEffect(() => {
    let alive = true;
    (async () => {
      try {
        let path: string;
        if (source.kind === 'file') {
          setStep({ name: 'uploading', fraction: 0 });
          path = await fileToHostPath(source.file, (fraction) => alive && setStep({ name: 'uploading', fraction }));
        } else path = source.path;
        if (!alive) return;
        setStep({ name: 'inspecting' });
        const preview = await api['import.inspect']({ path });
        if (!alive) return;
        setTable(preview.suggestedTable);
        setStep({ name: 'preview', preview });
      } catch (error) {
        if (alive) setStep({ name: 'error', message: errorMessage(error) });
      }
    })();
    return () => {
      alive = false;
    };
  }, [source]);

  const startImport = async (preview: ImportPreview) => {
    try {
      const { jobId } = await api['import.start']({
        path: preview.path,
        table,
        link,
        replace,
        ...(skipBadRows ? { skipBadRows } : {}),
      });
      setStep({ name: 'importing', jobId, preview });
      const finished = await waitFor(jobId);
      void refresh();
      if (finished.status === 'done') setStep({ name: 'mapping', outcome: finished.result as ImportOutcome, preview });
      else if (finished.status === 'cancelled')
        setStep({ name: 'error', message: `Import of ${name} cancelled; the workspace is unchanged.`, preview });
      else setStep({ name: 'error', message: finished.error?.message ?? 'Import failed.', preview });
    } catch (error) {
      setStep({ name: 'error', message: errorMessage(error), preview });
    }
  };

  return (
    <div className="modal-backdrop" role="dialog" aria-label="Import a file">
      <div className="modal" data-testid="import-dialog">
        <header className="modal-head">
          <h2>Import {name}</h2>
          <button className="link" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        {step.name === 'uploading' && (
          <div className="modal-body">
            <p>Uploading into the workspace…</p>
            <ProgressBar fraction={step.fraction} label="Upload" />
          </div>
        )}
        {step.name === 'inspecting' && <div className="modal-body">Reading the file…</div>}
        {step.name === 'error' && (
          <div className="modal-body">
            <div className="error-box" data-testid="import-error">
              {step.message}
            </div>
            <div className="modal-actions">
              <button onClick={onClose}>Close</button>
              {step.preview && (
                // The file is already here: change the options and import again without picking it again.
                <button
                  className="primary"
                  data-testid="import-retry"
                  onClick={() => setStep({ name: 'preview', preview: step.preview! })}
                >
                  Change options and retry
                </button>
              )}
            </div>
          </div>
        )}
        {step.name === 'preview' && (
          <div className="modal-body">
            <p className="muted">
              {step.preview.format.toUpperCase()} · {(step.preview.bytes / 1024).toFixed(1)} KB
              {step.preview.csv &&
                ` · ${DELIMITER_NAMES[step.preview.csv.delimiter] ?? step.preview.csv.delimiter}-delimited · ${step.preview.csv.encoding} · ${step.preview.csv.header ? 'header row' : 'no header'}`}
              {' · '}
              {step.preview.columns.length} columns
            </p>
            <div className="preview-table">
              <table>
                <thead>
                  <tr>
                    {step.preview.columns.map((column) => (
                      <th key={column.name}>
                        {column.name}
                        <small>{column.type}</small>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {step.preview.rows.slice(0, 8).map((row, r) => (
                    <tr key={r}>
                      {row.map((value, c) => (
                        <td key={c}>{cellText(value).slice(0, 80)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {step.preview.problem && (
              <div className="note import-problem" data-testid="import-problem">
                {step.preview.problem} A plain import stops at the first such row; “Skip bad rows” imports the rest and
                sets these aside in {table || 'the table'}__rejects with their line, text and reason.
              </div>
            )}
            <div className="form-row">
              <label>
                Table name{' '}
                <input data-testid="import-table" value={table} onChange={(event) => setTable(event.target.value)} />
              </label>
              <label title="Query the file in place instead of copying it (best for large Parquet)">
                <input type="checkbox" checked={link} onChange={(event) => setLink(event.target.checked)} /> Link
                instead of copy
              </label>
              <label>
                <input type="checkbox" checked={replace} onChange={(event) => setReplace(event.target.checked)} />{' '}
                Replace an existing table
              </label>
              {step.preview.format === 'csv' && (
                <label title="Rows DuckDB cannot read go to <table>__rejects (line, raw text, reason) instead of stopping the import">
                  <input
                    type="checkbox"
                    checked={skipBadRows}
                    disabled={link}
                    onChange={(event) => setSkipBadRows(event.target.checked)}
                    data-testid="import-skip-bad-rows"
                  />{' '}
                  Skip bad rows
                </label>
              )}
            </div>
            <div className="modal-actions">
              <button onClick={onClose}>Cancel</button>
              <button className="primary" data-testid="import-confirm" onClick={() => void startImport(step.preview)}>
                Import
              </button>
            </div>
          </div>
        )}
        {step.name === 'importing' && (
          <div className="modal-body">
            <p>{job?.message ?? 'Importing…'}</p>
            <ProgressBar fraction={job?.progress ?? null} label="Import" />
            <div className="modal-actions">
              <button onClick={() => void cancelJob(step.jobId)}>Cancel import</button>
            </div>
          </div>
        )}
        {step.name === 'mapping' && step.outcome.rejectsTable && (
          <div className="note" data-testid="import-rejects">
            {step.outcome.rejected!.toLocaleString('en-US')} bad rows were set aside in{' '}
            <strong>{step.outcome.rejectsTable}</strong> (line, raw text, reason);{' '}
            {step.outcome.rows.toLocaleString('en-US')} rows were imported.
          </div>
        )}
        {step.name === 'mapping' && <MappingStep outcome={step.outcome} preview={step.preview} onDone={onClose} />}
      </div>
    </div>
  );
}

function MappingStep({ outcome, preview, onDone }: { outcome: ImportOutcome; preview: ImportPreview; onDone(): void }) {
  const best: MappingSuggestion | undefined = preview.suggestions[0];
  const [target, setTarget] = useState(best && best.score >= 0.3 ? best.canonicalTable : '');
  const suggestion = preview.suggestions.find((s) => s.canonicalTable === target);
  const [columns, setColumns] = useState<Record<string, string | null>>(suggestion?.columns ?? {});
  const [message, setMessage] = useState<string | null>(null);
  const [whenTaken, setWhenTaken] = useState<'replace' | 'append' | null>(null);
  const refresh = useWorkspace((state) => state.refresh);
  const canonical = CANONICAL_TABLES.find((table) => table.name === target);
  // The host refuses a mapping without its key columns with the same words; saying so here saves the round trip.
  const keysProblem = canonical ? missingKeysProblem(canonical, columns) : null;
  // The canonical name may already be a table (the sample's content, say): never a dead end, the user chooses.
  const taken = useWorkspace((state) =>
    state.tables.find((table) => table.name === target && table.kind === 'table' && !table.protected),
  );

  const chooseTarget = (name: string) => {
    setTarget(name);
    setColumns(preview.suggestions.find((s) => s.canonicalTable === name)?.columns ?? {});
  };

  const save = async () => {
    try {
      await api['mapping.save']({
        sourceTable: outcome.table,
        canonicalTable: target,
        columns,
        ...(taken && whenTaken ? { whenTaken } : {}),
      });
      await refresh();
      onDone();
    } catch (error) {
      setMessage(errorMessage(error));
    }
  };

  return (
    <div className="modal-body" data-testid="import-done">
      <p className="ok-text">
        Imported {outcome.rows.toLocaleString('en-US')} rows into <b>{outcome.table}</b>
        {outcome.linked ? ' (linked to the file)' : ''} in {(outcome.elapsedMs / 1000).toFixed(1)} s.
      </p>
      {outcome.canonicalViews && (
        <p data-testid="import-canonical-views">
          The Discourse tables are complete: Sift added{' '}
          {outcome.canonicalViews.map((name, i) => (
            <span key={name}>
              {i > 0 ? ', ' : ''}
              <b>{name}</b>
            </span>
          ))}{' '}
          as views over them (flags as reports, reviewable resolutions as moderation actions).
        </p>
      )}
      <h3>Map onto a canonical table</h3>
      <p className="muted">
        Sift's views read the canonical tables; a mapping exposes this table under that name with renamed columns.
      </p>
      <label>
        Canonical table{' '}
        <select value={target} onChange={(event) => chooseTarget(event.target.value)} data-testid="mapping-target">
          <option value="">— no mapping —</option>
          {preview.suggestions.map((s) => (
            <option key={s.canonicalTable} value={s.canonicalTable}>
              {s.canonicalTable} ({Math.round(s.score * 100)}% match)
            </option>
          ))}
        </select>
      </label>
      {canonical && (
        <table className="mapping-table">
          <tbody>
            {canonical.columns.map((column) => (
              <tr key={column.name} data-testid={`mapping-row-${column.name}`} data-required={column.required}>
                <td>
                  {column.name}
                  {column.required && (
                    <span
                      className="mapping-required"
                      title="A key column: every row needs one, so the mapping cannot leave it out"
                    >
                      {' '}
                      required
                    </span>
                  )}
                </td>
                <td>
                  <select
                    value={columns[column.name] ?? ''}
                    onChange={(event) => setColumns({ ...columns, [column.name]: event.target.value || null })}
                    aria-label={`${column.name}${column.required ? ' (required)' : ''}`}
                    aria-invalid={column.required && !columns[column.name]}
                  >
                    <option value="">{column.required ? '(choose a column)' : '(none)'}</option>
                    {preview.columns.map((source) => (
                      <option key={source.name} value={source.name}>
                        {source.name}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {taken && (
        <fieldset className="mapping-taken" data-testid="mapping-taken">
          <legend>
            The workspace already has a table named <b>{target}</b> ({taken.rowCount?.toLocaleString('en-US') ?? '?'}{' '}
            rows).
          </legend>
          <label>
            <input
              type="radio"
              name="when-taken"
              checked={whenTaken === 'replace'}
              onChange={() => setWhenTaken('replace')}
              data-testid="mapping-replace"
            />{' '}
            Replace it with {outcome.table} (the old table is kept as {target}_backup)
          </label>
          <label>
            <input
              type="radio"
              name="when-taken"
              checked={whenTaken === 'append'}
              onChange={() => setWhenTaken('append')}
              data-testid="mapping-append"
            />{' '}
            Append the rows of {outcome.table} to it, mapped as above
          </label>
        </fieldset>
      )}
      {message && <div className="error-box">{message}</div>}
      {keysProblem && (
        <p className="mapping-keys-problem" data-testid="mapping-keys-problem">
          {keysProblem}
        </p>
      )}
      <div className="modal-actions">
        <button onClick={onDone}>{target ? 'Skip' : 'Done'}</button>
        {target && (
          <button
            className="primary"
            disabled={(Boolean(taken) && !whenTaken) || keysProblem !== null}
            onClick={() => void save()}
            data-testid="mapping-save"
          >
            {taken && whenTaken === 'append' ? 'Append rows' : 'Save mapping'}
          </button>
        )}
      </div>
    </div>
  );
}
