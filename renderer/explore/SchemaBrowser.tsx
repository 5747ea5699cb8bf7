/** Tables with their kind, row count and columns; clicking a table drafts a query for it. */
import { useState } from 'react';
import { useWorkspace } from '../workspaceStore';

export function SchemaBrowser({ onPickTable }: { onPickTable(name: string): void }) {
  const tables = useWorkspace((state) => state.tables);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  return (
    <nav className="schema" data-testid="schema-browser" aria-label="Tables">
      <h3>Tables</h3>
      {tables.length === 0 && <p className="muted">No tables yet: import a file.</p>}
      <ul>
        {tables.map((table) => (
          <li key={table.name} data-testid={`table-${table.name}`}>
            <div className="schema-table">
              <button className="twisty" onClick={() => setOpen({ ...open, [table.name]: !open[table.name] })} aria-label={`Show columns of ${table.name}`}>
                {open[table.name] ? '▾' : '▸'}
              </button>
              <button className="schema-name" onClick={() => onPickTable(table.name)} title={`Query ${table.name}`}>
                {table.name}
              </button>
              <span className="schema-meta">
                {table.protected && <span className="badge" title="Owned by Sift: read-only in the editor">protected</span>}
                {table.kind === 'view' && <span className="badge">{table.source?.linked ? 'linked' : 'view'}</span>}
                {table.rowCount === null ? '?' : table.rowCount.toLocaleString('en-US')}
              </span>
            </div>
            {table.mappedTo && <div className="schema-mapped">→ {table.mappedTo}</div>}
            {open[table.name] && (
              <ul className="schema-columns">
                {table.columns.map((column) => (
                  <li key={column.name}>
                    <span>{column.name}</span>
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
