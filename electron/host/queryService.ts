/**
 * Runs editor SQL and serves its result a page at a time. A row-returning result is materialised once into an
 * in-memory attached database, so the grid can page (and sort) a 10-million-row result without the renderer
 * ever holding more than a screenful, and without re-running a query whose order may differ between runs.
 */
import { randomUUID } from 'node:crypto';
import { type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue, StatementType } from '@duckdb/node-api';
import { RESULTS_DATABASE } from '../../shared/canonical.js';
import type { Cell, ColumnInfo, PageResult, QueryResult } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import { splitStatements, stripComments, type SqlStatementSpan } from '../../shared/sqlText.js';
import { sqlError } from './duckdbErrors.js';
import { checkEditorStatement } from './sqlGuard.js';
import { quoteIdent, type Workspace } from './workspace.js';

export type QueryParams = Record<string, string | number | boolean | null>;

interface StoredResult {
  id: string;
  table: string;
  columns: ColumnInfo[];
  rowCount: number;
  sorted?: { key: string; table: string };
  lastUsed: number;
}

const MAX_LIVE_RESULTS = 24;
const DEFAULT_PAGE = 200;
/** Statements that can be wrapped in CREATE TABLE … AS; DESCRIBE, SHOW, PRAGMA and friends cannot. */
const WRAPPABLE = /^(\(|select\b|with\b|from\b|values\b|table\b)/i;

export class QueryService {
  private readonly running = new Map<string, DuckDBConnection>();
  private readonly cancelled = new Set<string>();
  private readonly results = new Map<string, StoredResult>();

  constructor(private readonly workspace: Workspace) {}

  async run(input: { queryId: string; sql: string; params?: QueryParams; pageSize?: number }, allowWrites: boolean): Promise<QueryResult> {
    const started = performance.now();
    const statements = splitStatements(input.sql);
    if (statements.length === 0) throw new SiftError({ code: 'SQL_ERROR', message: 'There is no SQL statement to run.' });
    if (this.running.has(input.queryId)) throw new SiftError({ code: 'BAD_REQUEST', message: `Query ${input.queryId} is already running.` });
    const conn = await this.workspace.connect();
    this.running.set(input.queryId, conn);
    try {
      let last: QueryResult | undefined;
      for (const [index, statement] of statements.entries()) {
        if (this.cancelled.has(input.queryId)) throw new SiftError({ code: 'CANCELLED', message: 'Query cancelled.' });
        const isLast = index === statements.length - 1;
        last = await this.runStatement(conn, statement, input, allowWrites, isLast);
      }
      const result = last!;
      return { ...result, statementCount: statements.length, elapsedMs: Math.round(performance.now() - started) };
    } finally {
      this.running.delete(input.queryId);
      this.cancelled.delete(input.queryId);
      conn.closeSync();
    }
  }

  private async runStatement(
    conn: DuckDBConnection,
    statement: SqlStatementSpan,
    input: { sql: string; params?: QueryParams; pageSize?: number },
    allowWrites: boolean,
    isLast: boolean,
  ): Promise<QueryResult> {
    const fail = (error: unknown) => sqlError(error, statement, input.sql);
    let prepared: DuckDBPreparedStatement;
    try {
      const extracted = await conn.extractStatements(statement.text);
      prepared = await extracted.prepare(0);
    } catch (error) {
      throw fail(error);
    }
    checkEditorStatement(prepared.statementType, statement.text, allowWrites);
    const base = { statementCount: 1, elapsedMs: 0 };
    try {
      const returnsRows = prepared.statementType === StatementType.SELECT || prepared.statementType === StatementType.EXPLAIN || prepared.statementType === StatementType.PRAGMA || prepared.statementType === StatementType.CALL;
      if (!returnsRows) {
        bindParams(prepared, input.params);
        const outcome = await prepared.run();
        return { ...base, resultId: null, columns: [], rowCount: 0, rows: [], message: `${outcome.rowsChanged} row(s) changed.` };
      }
      if (!isLast) {
        bindParams(prepared, input.params);
        await prepared.run();
        return { ...base, resultId: null, columns: [], rowCount: 0, rows: [], message: 'OK' };
      }
      const code = stripComments(statement.text).trim();
      const stored = WRAPPABLE.test(code)
        ? await this.materialise(conn, code, input.params)
        : await this.materialiseSmall(conn, prepared, input.params);
      const rows = input.pageSize === 0 ? [] : (await this.page({ resultId: stored.id, offset: 0, limit: input.pageSize ?? DEFAULT_PAGE })).rows;
      return {
        ...base,
        resultId: stored.id,
        columns: stored.columns,
        rowCount: stored.rowCount,
        rows,
        message: `${stored.rowCount.toLocaleString('en-US')} row(s).`,
      };
    } catch (error) {
      throw fail(error);
    }
  }

  private async materialise(conn: DuckDBConnection, selectSql: string, params: QueryParams | undefined): Promise<StoredResult> {
    const id = randomUUID();
    const table = `${RESULTS_DATABASE}.${quoteIdent(`r_${id.replace(/-/g, '')}`)}`;
    const create = await conn.prepare(`CREATE TABLE ${table} AS ${selectSql}`);
    bindParams(create, params);
    await create.run();
    return this.register(conn, id, table);
  }

  /** DESCRIBE/SHOW/PRAGMA results are small: read them and store them the same way. */
  private async materialiseSmall(conn: DuckDBConnection, prepared: DuckDBPreparedStatement, params: QueryParams | undefined): Promise<StoredResult> {
    bindParams(prepared, params);
    const reader = await prepared.runAndReadAll();
    const id = randomUUID();
    const table = `${RESULTS_DATABASE}.${quoteIdent(`r_${id.replace(/-/g, '')}`)}`;
    const names = reader.columnNames();
    const columnsSql = names.map((name) => `${quoteIdent(name)} VARCHAR`).join(', ');
    await conn.run(`CREATE TABLE ${table} (${columnsSql || '"result" VARCHAR'})`);
    if (names.length > 0 && reader.currentRowCount > 0) {
      const appender = await conn.createAppender(table.split('.')[1]!.replace(/"/g, ''), null, RESULTS_DATABASE);
      for (const row of reader.getRowsJson()) {
        for (const value of row) value === null ? appender.appendNull() : appender.appendVarchar(typeof value === 'string' ? value : JSON.stringify(value));
        appender.endRow();
      }
      appender.closeSync();
    }
    return this.register(conn, id, table);
  }

  private async register(conn: DuckDBConnection, id: string, table: string): Promise<StoredResult> {
    const describe = await conn.runAndReadAll(`DESCRIBE ${table}`);
    const columns = describe.getRowObjectsJson().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
    const count = await conn.runAndReadAll(`SELECT count(*) FROM ${table}`);
    const stored: StoredResult = { id, table, columns, rowCount: Number(count.getRowsJson()[0]?.[0] ?? 0), lastUsed: Date.now() };
    this.results.set(id, stored);
    await this.evictOld();
    return stored;
  }

  private async evictOld(): Promise<void> {
    if (this.results.size <= MAX_LIVE_RESULTS) return;
    const oldest = [...this.results.values()].sort((a, b) => a.lastUsed - b.lastUsed).slice(0, this.results.size - MAX_LIVE_RESULTS);
    for (const result of oldest) await this.close(result.id);
  }

  private stored(resultId: string): StoredResult {
    const stored = this.results.get(resultId);
    if (!stored) throw new SiftError({ code: 'NOT_FOUND', message: `Result ${resultId} is gone (closed, or the workspace was reopened); run the query again.` });
    stored.lastUsed = Date.now();
    return stored;
  }

  /** The table a result lives in, for export. */
  resultTable(resultId: string): { table: string; rowCount: number; columns: ColumnInfo[] } {
    const stored = this.stored(resultId);
    return { table: stored.table, rowCount: stored.rowCount, columns: stored.columns };
  }

  async page(input: { resultId: string; offset: number; limit: number; sort?: { column: string; direction: 'asc' | 'desc' } }): Promise<PageResult> {
    const stored = this.stored(input.resultId);
    const table = input.sort ? await this.sortedTable(stored, input.sort) : stored.table;
    return this.workspace.withConnection(async (conn) => {
      // rowid of a freshly created table runs 0..n-1 in insertion order, so a page is a range scan, not an OFFSET.
      const reader = await conn.runAndReadAll(
        `SELECT * EXCLUDE (rowid) FROM (SELECT rowid, * FROM ${table} WHERE rowid >= $from AND rowid < $to) ORDER BY rowid`,
        { from: input.offset, to: input.offset + input.limit },
      );
      return { resultId: stored.id, offset: input.offset, rowCount: stored.rowCount, rows: reader.getRowsJson() as Cell[][] };
    });
  }

  private async sortedTable(stored: StoredResult, sort: { column: string; direction: 'asc' | 'desc' }): Promise<string> {
    if (!stored.columns.some((column) => column.name === sort.column)) {
      throw new SiftError({ code: 'BAD_REQUEST', message: `sort.column: the result has no column "${sort.column}".` });
    }
    const key = `${sort.column}\u0000${sort.direction}`;
    if (stored.sorted?.key === key) return stored.sorted.table;
    const table = `${RESULTS_DATABASE}.${quoteIdent(`s_${stored.id.replace(/-/g, '')}`)}`;
    await this.workspace.withConnection(async (conn) => {
      await conn.run(`CREATE OR REPLACE TABLE ${table} AS SELECT * FROM ${stored.table} ORDER BY ${quoteIdent(sort.column)} ${sort.direction.toUpperCase()} NULLS LAST, rowid`);
    });
    stored.sorted = { key, table };
    return table;
  }

  cancel(queryId: string): boolean {
    const conn = this.running.get(queryId);
    if (!conn) return false;
    this.cancelled.add(queryId);
    conn.interrupt();
    return true;
  }

  async close(resultId: string): Promise<boolean> {
    const stored = this.results.get(resultId);
    if (!stored) return false;
    this.results.delete(resultId);
    await this.workspace.withConnection(async (conn) => {
      await conn.run(`DROP TABLE IF EXISTS ${stored.table}`);
      if (stored.sorted) await conn.run(`DROP TABLE IF EXISTS ${stored.sorted.table}`);
    });
    return true;
  }

  async cancelAll(): Promise<void> {
    for (const queryId of this.running.keys()) this.cancel(queryId);
  }
}

/** Binds the named parameters a statement declares; the rest belong to other statements of the script. */
export function bindParams(prepared: DuckDBPreparedStatement, params: QueryParams | undefined): void {
  const count = prepared.parameterCount;
  if (count === 0) return;
  const values: Record<string, DuckDBValue> = {};
  for (let index = 1; index <= count; index++) {
    const name = prepared.parameterName(index);
    if (!params || !(name in params)) {
      throw new SiftError({ code: 'SQL_ERROR', message: `The query uses parameter $${name}, but no value was given for it.` });
    }
    values[name] = params[name] as DuckDBValue;
  }
  prepared.bind(values);
}

