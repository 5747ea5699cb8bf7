/**
 * A virtualised results grid over a host-side result. Rows arrive a page at a time as they scroll into view;
 * the renderer never holds more than a bounded cache of pages. Browsers cap an element's height (~33M px), so
 * results longer than ROW_WINDOW rows are shown one window of a million rows at a time.
 */
import { type KeyboardEvent, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { List, useListRef } from 'react-window';
import type { Cell, ColumnInfo } from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { GRID_THUMB_WIDTH, mediaColumnOf } from '../media/mediaColumn';
import { CellInspector } from './CellInspector';
import { bounds, GridRow, type RowProps, type Selection } from './GridRow';
import { cellText, columnWidth, toTsv } from './gridText';
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

/** A column's starting width: its text's, and room for the thumbnail in a media column's cells. */
function startWidth(columns: ColumnInfo[], firstRows: Cell[][], index: number): number {
  const width = columnWidth(columns[index]!, firstRows, index);
  return mediaColumnOf(columns)?.column === index ? width + GRID_THUMB_WIDTH : width;
}

export function ResultsGrid({ result, sort, onSort }: Props) {
  const pages = useRef(new Map<number, Cell[][]>());
  const inFlight = useRef(new Set<number>());
  const generation = useRef(0);
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const [windowStart, setWindowStart] = useState(0);
  const [selection, setSelection] = useState<Selection | null>(null);
  const [inspected, setInspected] = useState<{ row: number; column: number } | null>(null);
  const [widths, setWidths] = useState<number[]>(() =>
    result.columns.map((_, i) => startWidth(result.columns, result.firstRows, i)),
  );
  const [loadError, setLoadError] = useState<string | null>(null);
  const live = useLiveResults((state) => state.byId[result.resultId]);
  // Rows keep arriving after the first page; the count only grows.
  const rowCount = Math.max(result.rowCount, live?.rowCount ?? 0);
  const complete = live ? live.complete : result.complete !== false;
  const streamError = live?.error?.message ?? null;
  const [copied, setCopied] = useState(false);
  const listRef = useListRef(null);
  const gridRef = useRef<HTMLDivElement>(null);
  // One element scrolls both ways, so its vertical scrollbar takes its own room beside the last column instead
  // of covering it (a scrollbar inside a full-width list hid the right-aligned digits: 195 read "19").
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);

  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    inFlight.current = new Set();
    if (!sort && result.firstRows.length > 0) {
      for (let p = 0; p * PAGE_SIZE < result.firstRows.length; p++)
        pages.current.set(p, result.firstRows.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE));
    }
    setWindowStart(0);
    setSelection(null);
    setInspected(null);
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
        api['query.page']({
          resultId: result.resultId,
          offset: page * PAGE_SIZE,
          limit: PAGE_SIZE,
          sort: sort ?? undefined,
        })
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

  const rowAt = useCallback(
    (index: number) => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    [],
  );
  // New columns (another result) start from their data; a resize sticks while the result is shown.
  useEffect(
    () => setWidths(result.columns.map((_, i) => startWidth(result.columns, result.firstRows, i))),
    [result.columns, result.firstRows],
  );
  const media = useMemo(() => mediaColumnOf(result.columns), [result.columns]);
  const totalWidth = widths.reduce((sum, width) => sum + width, 0) + 72;
  const windowRows = Math.max(0, Math.min(ROW_WINDOW, rowCount - windowStart));

  /** The selected rectangle's values, loading pages the cache does not hold (at most 5,000 rows). */
  const selectedRows = useCallback(async (): Promise<(Cell | undefined)[][]> => {
    if (!selection) return [];
    const box = bounds(selection);
    const bottom = Math.min(box.bottom, box.top + 4999);
    const missing: number[] = [];
    for (let row = box.top; row <= bottom; row++) if (!rowAt(row)) missing.push(row);
    const fetched = new Map<number, Cell[]>();
    if (missing.length > 0) {
      const page = await api['query.page']({
        resultId: result.resultId,
        offset: missing[0]!,
        limit: Math.min(5000, bottom - missing[0]! + 1),
        sort: sort ?? undefined,
      });
      page.rows.forEach((row, i) => fetched.set(missing[0]! + i, row));
    }
    const rows: (Cell | undefined)[][] = [];
    for (let row = box.top; row <= bottom; row++)
      rows.push((rowAt(row) ?? fetched.get(row) ?? []).slice(box.left, box.right + 1));
    return rows;
  }, [selection, rowAt, result.resultId, sort]);

  const copySelected = useCallback(async () => {
    if (!selection) return;
    const rows = await selectedRows();
    // One cell copies as its plain value; a rectangle as TSV with its column names, as spreadsheets paste it.
    const box = bounds(selection);
    const text =
      rows.length === 1 && rows[0]!.length === 1
        ? cellText(rows[0]![0])
        : toTsv(result.columns.slice(box.left, box.right + 1), rows);
    await navigator.clipboard.writeText(text).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1200);
  }, [selection, selectedRows, result.columns]);

  const select = useCallback((row: number, column: number, extend: boolean) => {
    setSelection((current) =>
      extend && current
        ? { anchor: current.anchor, focus: { row, column } }
        : { anchor: { row, column }, focus: { row, column } },
    );
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'c') {
      event.preventDefault();
      void copySelected();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      setSelection({
        anchor: { row: 0, column: 0 },
        focus: { row: Math.max(0, rowCount - 1), column: result.columns.length - 1 },
      });
      return;
    }
    if (!selection) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      setInspected(selection.focus);
      return;
    }
    if (event.key === 'Escape') return setInspected(null);
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const row = Math.max(0, Math.min(rowCount - 1, selection.focus.row + move[0]));
    const column = Math.max(0, Math.min(result.columns.length - 1, selection.focus.column + move[1]));
    select(row, column, event.shiftKey);
    if (row < windowStart || row >= windowStart + ROW_WINDOW) setWindowStart(Math.floor(row / ROW_WINDOW) * ROW_WINDOW);
    listRef.current?.scrollToRow({ index: row - Math.floor(row / ROW_WINDOW) * ROW_WINDOW, align: 'smart' });
  };

  const startResize = (column: number, startX: number) => {
    const startWidth = widths[column]!;
    const onMove = (event: MouseEvent) =>
      setWidths((current) =>
        current.map((width, i) =>
          i === column ? Math.max(40, Math.round(startWidth + event.clientX - startX)) : width,
        ),
      );
    const onUp = () => {
      window.removeEventListener('mousemove', onMove);
      window.removeEventListener('mouseup', onUp);
    };
    window.addEventListener('mousemove', onMove);
    window.addEventListener('mouseup', onUp);
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
    <div
      className="grid"
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="results-grid"
      data-row-count={rowCount}
      ref={gridRef}
    >
      <div className="grid-scroll" ref={setScroller} data-testid="grid-scroll">
        <div className="grid-inner" style={{ width: totalWidth }}>
          <div className="grid-header">
            <div className="grid-cell grid-rownum">#</div>
            {result.columns.map((column, c) => (
              <div key={column.name} className="grid-cell grid-head" style={{ width: widths[c] }}>
                <button
                  className="grid-head-sort"
                  onClick={() => toggleSort(column.name)}
                  title={`Sort by ${column.name}`}
                >
                  <span className="head-name">
                    {column.name}
                    {sort?.column === column.name ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
                  </span>
                  <span className="head-type">{column.type}</span>
                </button>
                <span
                  className="grid-resize"
                  role="separator"
                  aria-orientation="vertical"
                  aria-label={`Resize ${column.name}`}
                  data-testid={`resize-${column.name}`}
                  onMouseDown={(event) => {
                    event.preventDefault();
                    startResize(c, event.clientX);
                  }}
                  onDoubleClick={() =>
                    setWidths((current) =>
                      current.map((width, i) => (i === c ? startWidth(result.columns, result.firstRows, c) : width)),
                    )
                  }
                />
              </div>
            ))}
          </div>
          <List<RowProps>
            className="grid-body"
            listRef={listRef}
            scrollElement={scroller}
            rowComponent={GridRow}
            rowCount={windowRows}
            rowHeight={ROW_HEIGHT}
            overscanCount={10}
            rowProps={{
              columns: result.columns,
              widths,
              windowStart,
              rowAt,
              selection,
              select,
              inspect: (row, column) => (select(row, column, false), setInspected({ row, column })),
              media,
              version,
            }}
            onRowsRendered={(visible) => loadPages(windowStart + visible.startIndex, windowStart + visible.stopIndex)}
          />
        </div>
      </div>
      {inspected && (
        <CellInspector
          column={result.columns[inspected.column]!}
          row={inspected.row}
          value={rowAt(inspected.row)?.[inspected.column]}
          onClose={() => {
            setInspected(null);
            gridRef.current?.focus();
          }}
        />
      )}
      <div className="grid-footer">
        <span data-testid="grid-rowcount">
          {rowCount.toLocaleString('en-US')} rows{complete || streamError ? '' : ' so far…'}
        </span>
        {rowCount > ROW_WINDOW && (
          <span className="grid-window">
            <button disabled={windowStart === 0} onClick={() => setWindowStart(Math.max(0, windowStart - ROW_WINDOW))}>
              ◀
            </button>
            rows {(windowStart + 1).toLocaleString('en-US')}–{(windowStart + windowRows).toLocaleString('en-US')}
            <button
              disabled={windowStart + ROW_WINDOW >= rowCount}
              onClick={() => setWindowStart(windowStart + ROW_WINDOW)}
            >
              ▶
            </button>
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
        {selection && (
          <>
            <button
              className="link"
              onClick={() => void copySelected()}
              title="Ctrl/Cmd+C (Shift+click or Shift+arrows select a range; Ctrl/Cmd+A all)"
            >
              {copied
                ? 'Copied'
                : bounds(selection).top === bounds(selection).bottom &&
                    bounds(selection).left === bounds(selection).right
                  ? 'Copy cell'
                  : 'Copy as TSV'}
            </button>
            <button className="link" onClick={() => setInspected(selection.focus)} title="Enter or double-click">
              Inspect
            </button>
          </>
        )}
        {(loadError ?? streamError) && <span className="error-text">{loadError ?? streamError}</span>}
      </div>
    </div>
  );
}
