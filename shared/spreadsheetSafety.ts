/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): a spreadsheet opening a CSV runs a cell that begins with
 * `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula. Every CSV Sift writes for people —
 * query and report results, label exports with annotators' notes, a range copied from the grid — prefixes such a text cell with a single quote,
 * which spreadsheets show as text. Only text cells: a number column stays numbers (-5 is written as -5). Parquet
 * and JSON keep the raw value. This is the one statement of the rule.
 */

/** The characters that make a spreadsheet read a cell as a formula when it begins with one. */
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;

/** A text value as a spreadsheet must see it (the grid's copied TSV): a leading trigger gets a single quote before it. */
export function neutraliseFormulaText(text: string): string {
  return (FORMULA_TRIGGERS as readonly string[]).includes(text.charAt(0)) ? `'${text}` : text;
}

/** A text column as a spreadsheet must see it, as a SQL expression (DuckDB writes Sift's CSV): a leading trigger gets a single quote before it. */
export function neutraliseFormulaSql(column: string): string {
  const triggers = FORMULA_TRIGGERS.map((char) => `chr(${char.charCodeAt(0)})`).join(', ');
  return `CASE WHEN left(${column}, 1) IN (${triggers}) THEN '''' || ${column} ELSE ${column} END`;
}
