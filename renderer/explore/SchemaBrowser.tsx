/** Tables with their kind, row count and columns; a click inserts a table's name at the cursor, a double-click previews it. */
import { useRef, useState } from 'react';
import { useWorkspace } from '../workspaceStore';

export function SchemaBrowser({
  onPickTable,
  onPreviewTable,
}: {
  onPickTable(name: string): void;
  onPreviewTable(name: string): void;
}) {
  const tables = useWorkspace((state) => state.tables);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  return (
    <nav className="schema" data-testid="schema-browser" aria-label="Tables">
      <h3>Tables</h3>
      {tables.length === 0 && <p className="muted">No tables yet: import a file.</p>}
      <ul>
        {tables.map((table) => (
          <li key={table.name} data-testid={`table-${table.name}`}>
            <div className="schema-table">
              <button
                className="twisty"
                onClick={() => setOpen({ ...open, [table.name]: !open[table.name] })}
                aria-label={`Show columns of ${table.name}`}
              >
                {open[table.name] ? '▾' : '▸'}
              </button>
              <button
                className="schema-name"
                onClick={() => {
                  // A double-click previews: the single click waits a moment to be sure it is not the first of two.
                  clearTimeout(pending.current);
                  pending.current = setTimeout(() => onPickTable(table.name), 250);
                }}
                onDoubleClick={() => {
                  clearTimeout(pending.current);
                  onPreviewTable(table.name);
                }}
                title={`Click: insert ${table.name} at the cursor. Double-click: preview its rows`}
              >
                {table.name}
              </button>
              <span className="schema-meta">
                {table.protected && (
                  <span className="badge" title="Owned by Sift: read-only in the editor">
                    protected
                  </span>
                )}
                {table.kind === 'view' && <span className="badge">{table.source?.linked ? 'linked' : 'view'}</span>}
                {table.rowCount === null ? '?' : table.rowCount.toLocaleString('en-US')}
              </span>
            </div>
            {table.mappedTo && <div className="schema-mapped">→ {table.mappedTo}</div>}
            {open[table.name] && (
              <ul className="schema-columns">
                {table.columns.map((column) => (
                  <li key={column.name}>
                    <button
                      className="link schema-column"
                      onClick={() => onPickTable(column.name)}
                      title={`Insert ${column.name} at the cursor`}
                    >
                      {column.name}
                    </button>
                    <span className="col-type">{column.type}</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
