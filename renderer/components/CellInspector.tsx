/** The whole value of one cell: long text wrapped, JSON pretty-printed, with its row and column; Esc closes it. */
import type { Cell, ColumnInfo } from '../../shared/contract';
import { cellText } from './gridText';

export function CellInspector({
  column,
  row,
  value,
  onClose,
}: {
  column: ColumnInfo;
  row: number;
  value: Cell | undefined;
  onClose(): void;
}) {
  const text = cellText(value);
  let shown = text;
  let kind = column.type;
  if (typeof value === 'object' && value !== null) {
    shown = JSON.stringify(value, null, 2);
  } else if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      shown = JSON.stringify(JSON.parse(value), null, 2);
      kind = `${column.type}, read as JSON`;
    } catch {
      // not JSON after all: shown as text
    }
  }
  return (
    <aside
      className="cell-inspector"
      data-testid="cell-inspector"
      aria-label={`Cell ${column.name}, row ${row + 1}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <header>
        <b>{column.name}</b>
        <span className="muted">
          row {(row + 1).toLocaleString('en-US')} · {kind} · {text.length.toLocaleString('en-US')} characters
        </span>
        <span className="spacer" />
        <button onClick={() => void navigator.clipboard.writeText(text).catch(() => undefined)}>Copy</button>
        <button autoFocus onClick={onClose} aria-label="Close the inspector" data-testid="cell-inspector-close">
          ×
        </button>
      </header>
      <pre className={value === null ? 'null' : ''} data-testid="cell-inspector-value">
        {value === undefined ? '(row not loaded)' : shown}
      </pre>
    </aside>
  );
}
