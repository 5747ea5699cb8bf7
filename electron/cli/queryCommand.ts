/**
 * `sift query (--sql TEXT | --file F) [--param NAME=VALUE]… [--format table|csv|json|parquet] [--out FILE]`: runs SQL
 * or a report through the host's query.run, and prints or writes each result (query.page for a table, query.export
 * and query.exportScript for files).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QueryResult } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import { bindReport } from '../../shared/reportParams.js';
import { type SqlStatementSpan, splitStatements } from '../../shared/sqlText.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { call, formatTable, runJob, withHost, type WorkspaceHost } from './hostCalls.js';

type ExportFormat = 'csv' | 'parquet' | 'json';

/** Rows the table format prints of one result; csv and json print all. */
const TABLE_ROWS = 1000;

/** A result with rows stored (not an INSERT's message). */
type RowsResult = QueryResult & { resultId: string };
const hasRows = (result: QueryResult): result is RowsResult => result.resultId !== null;

function splitParam(raw: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param ${raw}: expected NAME=VALUE.`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

function parseParam(raw: string): [string, string | number | boolean | null] {
  const [name, value] = splitParam(raw);
  if (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return [name, Number(value)];
  if (/^-?\d*\.\d+(e[-+]?\d+)?$/i.test(value)) return [name, Number(value)];
  if (value === 'true' || value === 'false') return [name, value === 'true'];
  if (value === '#null') return [name, null];
  return [name, value];
}

export async function commandQuery(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.query, args);
  const format = values.format;
  if (format === 'parquet' && !values.out) throw new UsageError('query: --format parquet needs --out FILE.');
  let sql = values.sql;
  if (values.file) {
    if (!fs.existsSync(values.file))
      throw new SiftError({ code: 'NOT_FOUND', message: `${values.file}: no such file.`, file: values.file });
    sql = fs.readFileSync(values.file, 'utf8');
  }
  // A script prints each statement's result in turn; one file holds them only as one JSON array.
  const statements = splitStatements(sql!);
  if (statements.length > 1 && values.out && format !== 'json') {
    throw new UsageError(
      `query: --out with a script of ${statements.length} statements takes --format json (one array, an element per statement).`,
    );
  }
  const rawParams = values.param ?? [];
  const allowWrites = values['allow-writes'] ? true : undefined;
  return withHost(values.workspace, async (host) => {
    // A report (SQL with a Data Explorer `-- [params]` block) takes `:name` parameters, cast by their declared
    // types; plain SQL takes DuckDB's `$name` parameters with values typed from their text.
    const isReport = /^\s*--\s*\[params\]\s*$/m.test(sql!);
    const query = isReport
      ? bindReport(sql!, Object.fromEntries(rawParams.map((raw) => splitParam(raw))))
      : { sql: sql!, binds: Object.fromEntries(rawParams.map(parseParam)) };
    if (values.explain) {
      const { plan } = await call(host, 'query.explain', { sql: query.sql, params: query.binds, allowWrites });
      process.stdout.write(`${plan}\n`);
      return 0;
    }
    const result = await call(host, 'query.run', {
      queryId: randomUUID(),
      sql: query.sql,
      params: query.binds,
      pageSize: 0,
      allowWrites,
      everyStatement: true,
    });
    if (!result.statements) return printResult(host, result, format, values.out);
    return printScript(host, result.statements, statements, format, values.out);
  });
}

/** One statement's result, as `sift query` has always printed it (every row is stored: everyStatement). */
async function printResult(
  host: WorkspaceHost,
  result: QueryResult,
  format: string,
  out: string | undefined,
): Promise<number> {
  if (!hasRows(result)) {
    console.error(result.message);
    return 0;
  }
  if (format === 'table') {
    const text = await tableText(host, result);
    if (out) fs.writeFileSync(out, text);
    else process.stdout.write(text);
    return 0;
  }
  if (out) {
    await exportResult(host, result, format as ExportFormat, out);
    console.error(`Wrote ${result.rowCount} rows to ${out}`);
  } else {
    await withExported(host, result, format as ExportFormat, (file) => pipeFile(file, process.stdout));
  }
  return 0;
}

/**
 * A script's results in turn: table — a heading per statement, then its rows or its message; csv — a block per
 * statement that returns rows, separated by a blank line; json — one array with an element per statement (a
 * statement without rows, such as an INSERT, is null and its message goes to stderr), to stdout or --out.
 */
async function printScript(
  host: WorkspaceHost,
  results: QueryResult[],
  statements: SqlStatementSpan[],
  format: string,
  out: string | undefined,
): Promise<number> {
  if (format === 'table') {
    for (const [index, result] of results.entries()) {
      // The statement as a heading: one line, without the comments that lead it.
      const text = statements[index]!.text.replace(/^(\s*--[^\n]*(\n|$))+/, '')
        .replace(/\s+/g, ' ')
        .trim();
      process.stdout.write(
        `${index > 0 ? '\n' : ''}-- statement ${index + 1} of ${results.length}: ${text.length > 100 ? `${text.slice(0, 99)}…` : text}\n`,
      );
      process.stdout.write(hasRows(result) ? await tableText(host, result) : `${result.message}\n`);
    }
    return 0;
  }
  if (format === 'csv') {
    let blocks = 0;
    for (const result of results) {
      if (!hasRows(result)) {
        console.error(result.message);
        continue;
      }
      if (blocks++ > 0) process.stdout.write('\n');
      await withExported(host, result, 'csv', (file) => pipeFile(file, process.stdout));
    }
    return 0;
  }
  // json: the elements are each result's own JSON array, written one after another into a single array.
  for (const [index, result] of results.entries())
    if (!hasRows(result)) console.error(`statement ${index + 1}: ${result.message}`);
  const resultIds = results.map((result) => result.resultId);
  if (out) {
    // The same checks and the same all-or-nothing write as any export.
    await runJob(host, 'query.exportScript', { resultIds, path: out }, 'export');
    console.error(`Wrote ${results.length} results to ${out}`);
    return 0;
  }
  await withScratchFile('json', async (file) => {
    await runJob(host, 'query.exportScript', { resultIds, path: file }, 'export');
    await pipeFile(file, process.stdout);
  });
  return 0;
}

/** The table format: the first TABLE_ROWS rows, saying so on stderr when there are more. */
async function tableText(host: WorkspaceHost, result: RowsResult): Promise<string> {
  const { rowCount } = result;
  const page = await call(host, 'query.page', {
    resultId: result.resultId,
    offset: 0,
    limit: Math.max(1, Math.min(TABLE_ROWS, rowCount)),
  });
  if (rowCount > TABLE_ROWS)
    console.error(
      `(${rowCount.toLocaleString('en-US')} rows; the first ${TABLE_ROWS} shown — use --format csv or json for all)`,
    );
  return formatTable(
    result.columns.map((c) => c.name),
    rowCount === 0 ? [] : page.rows,
  );
}

async function exportResult(
  host: WorkspaceHost,
  result: RowsResult,
  format: ExportFormat,
  target: string,
): Promise<void> {
  await runJob(host, 'query.export', { resultId: result.resultId, format, path: target }, 'export');
}

/** A temporary file for `use`, removed after. */
async function withScratchFile(extension: string, use: (file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-query-'));
  try {
    await use(path.join(dir, `out.${extension}`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Exports a result to a temporary file, hands it to `use`, and removes it. */
async function withExported(
  host: WorkspaceHost,
  result: RowsResult,
  format: ExportFormat,
  use: (file: string) => Promise<void>,
): Promise<void> {
  await withScratchFile(format, async (file) => {
    await exportResult(host, result, format, file);
    await use(file);
  });
}

/** Copies a file to `sink`, left open. */
async function pipeFile(file: string, sink: NodeJS.WritableStream): Promise<void> {
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' }))
    if (chunk && !sink.write(chunk as string)) await once(sink, 'drain');
}
