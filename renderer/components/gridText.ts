/** How a result's cells read as text: shown in the grid, copied as TSV, and a column's starting width. */
import type { Cell, ColumnInfo } from '../../shared/contract';
import { neutraliseFormulaText } from '../../shared/spreadsheetSafety';

export function cellText(value: Cell | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A column's starting width: enough for its header and its values in the first page (long text capped, resizable). */
export function columnWidth(column: ColumnInfo, sample: Cell[][], index: number): number {
  const header = Math.max(column.name.length, column.type.length) * 7.5 + 28;
  let longest = 0;
  for (const row of sample.slice(0, 200)) longest = Math.max(longest, Math.min(120, cellText(row[index]).length));
  return Math.round(Math.min(480, Math.max(64, header, longest * 7.4 + 20)));
}

/**
 * A header and cells as tab-separated lines, the shape spreadsheets paste (tabs and newlines inside a value become
 * spaces). A spreadsheet runs a pasted cell that begins with `=`, `+`, `-` or `@` as a formula, so a text cell (and a
 * column name) that does gets a leading quote, as Sift's CSV exports do; a number column keeps its -5.
 */
export function toTsv(columns: ColumnInfo[], rows: (Cell | undefined)[][]): string {
  const isText = columns.map((column) => /^(VARCHAR|TEXT|STRING|JSON|UUID|ENUM)/i.test(column.type));
  const line = (cells: string[]) => cells.map((text) => text.replace(/[\t\r\n]+/g, ' ')).join('\t');
  return [
    line(columns.map((column) => neutraliseFormulaText(column.name))),
    ...rows.map((row) =>
      line(
        row.map((value, i) =>
          isText[i] && typeof value === 'string' ? neutraliseFormulaText(value) : cellText(value),
        ),
      ),
    ),
  ].join('\n');
}
