/**
 * A virtualised results grid over a host-side result. Rows arrive a page at a time as they scroll into view;
 * the renderer never holds more than a bounded cache of pages. Browsers cap an element's height (~33M px), so
 * results longer than ROW_WINDOW rows are shown one window of a million rows at a time.
 */
import { type KeyboardEvent, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { List, type RowComponentProps, useListRef } from 'react-window';
import type { Cell, ColumnInfo } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { useLiveResults } from './liveResults';

export const ROW_HEIGHT = 26;
const PAGE_SIZE = 200;
const MAX_CACHED_PAGES = 60;
export const ROW_WINDOW = 1_000_000;

export interface GridResult {
  resultId: string;
  columns: ColumnInfo[];
  /** Rows stored when the query answered; more may stream in (see liveResults). */
  rowCount: number;
  complete?: boolean;
  firstRows: Cell[][];
}

export interface GridSort {
  column: string;
  direction: 'asc' | 'desc';
}

interface Props {
  result: GridResult;
  sort: GridSort | null;
  onSort(sort: GridSort | null): void;
}

export function cellText(value: Cell | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function columnWidth(column: ColumnInfo): number {
  const base = Math.max(column.name.length, column.type.length) * 8 + 28;
  const byType = /VARCHAR|TEXT|\[\]|STRUCT|MAP/.test(column.type) ? 220 : /TIMESTAMP/.test(column.type) ? 170 : 96;
  return Math.min(360, Math.max(base, byType));
}

const NUMERIC = /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/;

interface RowProps {
  columns: ColumnInfo[];
  widths: number[];
  windowStart: number;
  rowAt(index: number): Cell[] | undefined;
  selected: { row: number; column: number } | null;
  select(row: number, column: number): void;
  version: number;
}

function GridRow({ index, style, columns, widths, windowStart, rowAt, selected, select }: RowComponentProps<RowProps>) {
  const absolute = windowStart + index;
  const row = rowAt(absolute);
  return (
    <div className={`grid-row ${absolute % 2 ? 'odd' : ''}`} style={style} data-row={absolute}>
      <div className="grid-cell grid-rownum">{(absolute + 1).toLocaleString('en-US')}</div>
      {columns.map((column, c) => {
        const text = row ? cellText(row[c]) : '…';
        const isSelected = selected?.row === absolute && selected.column === c;
        return (
          <div
            key={column.name}
            className={`grid-cell ${NUMERIC.test(column.type) ? 'num' : ''} ${row && row[c] === null ? 'null' : ''} ${isSelected ? 'selected' : ''}`}
            style={{ width: widths[c] }}
            title={text.length > 40 ? text.slice(0, 2000) : undefined}
            onClick={() => select(absolute, c)}
          >
            {text.length > 500 ? `${text.slice(0, 500)}…` : text}
          </div>
        );
      })}
    </div>
  );
}

export function ResultsGrid({ result, sort, onSort }: Props) {
  const pages = useRef(new Map<number, Cell[][]>());
  const inFlight = useRef(new Set<number>());
  const generation = useRef(0);
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const [windowStart, setWindowStart] = useState(0);
  const [selected, setSelected] = useState<{ row: number; column: number } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const live = useLiveResults((state) => state.byId[result.resultId]);
  // Rows keep arriving after the first page; the count only grows.
  const rowCount = Math.max(result.rowCount, live?.rowCount ?? 0);
  const complete = live ? live.complete : result.complete !== false;
  const streamError = live?.error?.message ?? null;
  const [copied, setCopied] = useState(false);
  const listRef = useListRef(null);

  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    inFlight.current = new Set();
    if (!sort && result.firstRows.length > 0) {
      for (let p = 0; p * PAGE_SIZE < result.firstRows.length; p++) pages.current.set(p, result.firstRows.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE));
    }
    setWindowStart(0);
    setSelected(null);
    setLoadError(null);
    bump();
    // The sort matters by its column and direction, not by the object's identity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result.resultId, result.firstRows, sort?.column, sort?.direction]);

  const loadPages = useCallback(
    (firstRow: number, lastRow: number) => {
      const firstPage = Math.floor(firstRow / PAGE_SIZE);
      const lastPage = Math.floor(lastRow / PAGE_SIZE);
      for (let page = firstPage; page <= lastPage; page++) {
        if (pages.current.has(page) || inFlight.current.has(page)) continue;
        inFlight.current.add(page);
        const asked = generation.current;
        api['query.page']({ resultId: result.resultId, offset: page * PAGE_SIZE, limit: PAGE_SIZE, sort: sort ?? undefined })
          .then((loaded) => {
            if (asked !== generation.current) return;
            pages.current.set(page, loaded.rows);
            if (pages.current.size > MAX_CACHED_PAGES) {
              // Drop the pages farthest from what is on screen.
              const far = [...pages.current.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
              for (const key of far.slice(0, pages.current.size - MAX_CACHED_PAGES)) pages.current.delete(key);
            }
            bump();
          })
          .catch((error: unknown) => asked === generation.current && setLoadError(errorMessage(error)))
          .finally(() => inFlight.current.delete(page));
      }
    },
    [result.resultId, sort],
  );

  const rowAt = useCallback((index: number) => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);
  const widths = useMemo(() => result.columns.map(columnWidth), [result.columns]);
  const totalWidth = widths.reduce((sum, width) => sum + width, 0) + 72;
  const windowRows = Math.max(0, Math.min(ROW_WINDOW, rowCount - windowStart));

  const copySelected = useCallback(async () => {
    if (!selected) return;
    const value = cellText(rowAt(selected.row)?.[selected.column]);
    await navigator.clipboard.writeText(value).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1200);
  }, [selected, rowAt]);

  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'c') {
      event.preventDefault();
      void copySelected();
    }
  };

  const toggleSort = (column: string) => {
    if (sort?.column !== column) onSort({ column, direction: 'asc' });
    else if (sort.direction === 'asc') onSort({ column, direction: 'desc' });
    else onSort(null);
  };

  const goToRow = (row: number) => {
    const clamped = Math.max(0, Math.min(rowCount - 1, row));
    const start = Math.floor(clamped / ROW_WINDOW) * ROW_WINDOW;
    setWindowStart(start);
    requestAnimationFrame(() => listRef.current?.scrollToRow({ index: clamped - start, align: 'start' }));
  };

  return (
    <div className="grid" tabIndex={0} onKeyDown={onKeyDown} data-testid="results-grid" data-row-count={rowCount}>
      <div className="grid-scroll-x">
        <div className="grid-inner" style={{ width: totalWidth }}>
          <div className="grid-header">
            <div className="grid-cell grid-rownum">#</div>
            {result.columns.map((column, c) => (
              <button
                key={column.name}
                className="grid-cell grid-head"
                style={{ width: widths[c] }}
                onClick={() => toggleSort(column.name)}
                title={`Sort by ${column.name}`}
              >
                <span className="head-name">
                  {column.name}
                  {sort?.column === column.name ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
                </span>
                <span className="head-type">{column.type}</span>
              </button>
            ))}
          </div>
          <List<RowProps>
            className="grid-body"
            listRef={listRef}
            rowComponent={GridRow}
            rowCount={windowRows}
            rowHeight={ROW_HEIGHT}
            overscanCount={10}
            rowProps={{ columns: result.columns, widths, windowStart, rowAt, selected, select: (row, column) => setSelected({ row, column }), version }}
            onRowsRendered={(visible) => loadPages(windowStart + visible.startIndex, windowStart + visible.stopIndex)}
          />
        </div>
      </div>
      <div className="grid-footer">
        <span data-testid="grid-rowcount">
          {rowCount.toLocaleString('en-US')} rows{complete || streamError ? '' : ' so far…'}
        </span>
        {rowCount > ROW_WINDOW && (
          <span className="grid-window">
            <button disabled={windowStart === 0} onClick={() => setWindowStart(Math.max(0, windowStart - ROW_WINDOW))}>◀</button>
            rows {(windowStart + 1).toLocaleString('en-US')}–{(windowStart + windowRows).toLocaleString('en-US')}
            <button disabled={windowStart + ROW_WINDOW >= rowCount} onClick={() => setWindowStart(windowStart + ROW_WINDOW)}>▶</button>
          </span>
        )}
        <form
          className="goto"
          onSubmit={(event) => {
            event.preventDefault();
            const value = Number(new FormData(event.currentTarget).get('row'));
            if (Number.isFinite(value) && value >= 1) goToRow(value - 1);
          }}
        >
          <input name="row" placeholder="Go to row" aria-label="Go to row" inputMode="numeric" />
        </form>
        {selected && (
          <button className="link" onClick={() => void copySelected()} title="Ctrl/Cmd+C">
            {copied ? 'Copied' : 'Copy cell'}
          </button>
        )}
        {(loadError ?? streamError) && <span className="error-text">{loadError ?? streamError}</span>}
      </div>
    </div>
  );
}
