/** One row of the results grid: its cells, the selected rectangle, and the clicks that select or inspect a cell. */
import type { RowComponentProps } from 'react-window';
import type { Cell, ColumnInfo } from '../../shared/contract';
import { GridThumb } from '../media/MediaThumb';
import type { MediaColumn } from '../media/mediaColumn';
import { cellText } from './gridText';

/** The selected rectangle: where it started (anchor) and where it reaches now (focus). */
export interface Selection {
  anchor: { row: number; column: number };
  focus: { row: number; column: number };
}

export const bounds = (selection: Selection) => ({
  top: Math.min(selection.anchor.row, selection.focus.row),
  bottom: Math.max(selection.anchor.row, selection.focus.row),
  left: Math.min(selection.anchor.column, selection.focus.column),
  right: Math.max(selection.anchor.column, selection.focus.column),
});

const NUMERIC = /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/;

export interface RowProps {
  columns: ColumnInfo[];
  widths: number[];
  windowStart: number;
  rowAt(index: number): Cell[] | undefined;
  selection: Selection | null;
  select(row: number, column: number, extend: boolean): void;
  inspect(row: number, column: number): void;
  /** The column whose cells show the row's media thumbnail (null: none). */
  media: MediaColumn | null;
  version: number;
}

export function GridRow({
  index,
  style,
  columns,
  widths,
  windowStart,
  rowAt,
  selection,
  select,
  inspect,
  media,
}: RowComponentProps<RowProps>) {
  const absolute = windowStart + index;
  const row = rowAt(absolute);
  const box = selection ? bounds(selection) : null;
  return (
    <div className={`grid-row ${absolute % 2 ? 'odd' : ''}`} style={style} data-row={absolute}>
      <div className="grid-cell grid-rownum">{(absolute + 1).toLocaleString('en-US')}</div>
      {columns.map((column, c) => {
        const text = row ? cellText(row[c]) : '…';
        const mediaOf = media && c === media.column && row && row[c] !== null ? row[media.idColumn] : null;
        const isSelected =
          box !== null && absolute >= box.top && absolute <= box.bottom && c >= box.left && c <= box.right;
        return (
          <div
            key={column.name}
            className={`grid-cell ${NUMERIC.test(column.type) ? 'num' : ''} ${row && row[c] === null ? 'null' : ''} ${isSelected ? 'selected' : ''}`}
            style={{ width: widths[c] }}
            title={
              text.length > 40
                ? `${text.slice(0, 300)}${text.length > 300 ? '…' : ''} (double-click or Enter: inspect)`
                : undefined
            }
            onMouseDown={(event) => {
              if (event.shiftKey) event.preventDefault(); // extend the selection, not the page's text selection
            }}
            onClick={(event) => select(absolute, c, event.shiftKey)}
            onDoubleClick={() => inspect(absolute, c)}
          >
            {mediaOf !== null && mediaOf !== undefined && <GridThumb contentId={String(mediaOf)} />}
            {text.length > 500 ? `${text.slice(0, 500)}…` : text}
          </div>
        );
      })}
    </div>
  );
}
