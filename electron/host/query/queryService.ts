/**
 * Runs user SQL and serves its result a page at a time. Each statement is checked by sqlGuard (DuckDB's own
 * classification); a read runs in a READ ONLY transaction and its rows stream into the in-memory results store,
 * a separate DuckDB instance no user SQL reaches, so the grid can page (and sort) a 10-million-row result without
 * the renderer ever holding more than a screenful, and without re-running a query whose order may differ.
 * The call returns as soon as the first page has streamed in; the rest follows behind it, with `query` events,
 * and only what needs rows not stored yet (a far page, a sort, an export) waits for them.
 */
import { randomUUID } from 'node:crypto';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';
import type { Cell, ColumnInfo, PageResult, QueryPlan, QueryResult } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import type { QueryStoredEvent } from '../../../shared/jobs.js';
import { splitStatements, type SqlStatementSpan } from '../../../shared/sqlText.js';
import { isInterrupt, sqlError } from '../workspace/duckdbErrors.js';
import { readOnly } from './readOnlyQuery.js';
import { checkNesting, checkUserStatement, type QueryParams, type StatementClass } from './sqlGuard.js';
import {
  bindParams,
  checkSiftNames,
  explainStatement,
  throwIfStreamFailed,
  uniqueNames,
  viewDefinitions,
} from './statements.js';
import { readPage, type StoredResult, usedResult } from './storedResults.js';
import { quoteIdent, type Workspace } from '../workspace/workspace.js';

export type { QueryParams };

/** A statement sqlGuard admitted, its parameters bound, ready to run. */
interface CheckedStatement {
  conn: DuckDBConnection;
  prepared: DuckDBPreparedStatement;
  kind: StatementClass;
  /** Turns DuckDB's error into one naming this statement's position in the script. */
  fail: (error: unknown) => SiftError;
  pageSize: number;
}

const EMPTY_RESULT: QueryResult = {
  statementCount: 1,
  elapsedMs: 0,
  complete: true,
  resultId: null,
  columns: [],
  rowCount: 0,
  rows: [],
  message: '',
};

/** Rows stored between two flushes (and two `query` events) of a result still streaming in. */
const FLUSH_EVERY_ROWS = 256 * 1024;

const MAX_LIVE_RESULTS = 24;
const DEFAULT_PAGE = 200;

/** How long a cancel that arrived before its query is remembered. */
const PRE_CANCEL_MS = 10_000;

export class QueryService {
  private readonly running = new Map<string, DuckDBConnection>();
  private readonly cancelled = new Set<string>();
  private readonly interrupting = new Map<string, NodeJS.Timeout>();
  /** Queries that ended lately: a cancel for one of them is late, not early. */
  private readonly finished = new Set<string>();
  private readonly results = new Map<string, StoredResult>();
  /** Results whose rows are still being stored, by the id of the query that made them. */
  private readonly storing = new Map<string, StoredResult>();
  /** A script's earlier results kept for its caller (`everyStatement`): never evicted, only closed. */
  private readonly pinned = new Set<string>();

  constructor(
    private readonly workspace: Workspace,
    private readonly onStored: (event: QueryStoredEvent) => void = () => undefined,
  ) {}

  /**
   * Runs a statement or a script (all or nothing, see below); the answer is the last statement's result. With
   * `everyStatement` (the CLI prints a script's results in turn) it also holds each statement's own result, in
   * order: a read's rows stored whole before the next statement runs (the last's before the answer), a write's
   * message. Those earlier results stay until the caller closes them, however many there are.
   */
  async run(
    input: { queryId: string; sql: string; params?: QueryParams; pageSize?: number },
    allowWrites: boolean,
    options: { everyStatement?: boolean } = {},
  ): Promise<QueryResult & { statements?: QueryResult[] }> {
    const started = performance.now();
    checkNesting(input.sql, input.params);
    const statements = splitStatements(input.sql);
    if (statements.length === 0)
      throw new SiftError({ code: 'SQL_ERROR', message: 'There is no SQL statement to run.' });
    if (this.running.has(input.queryId))
      throw new SiftError({ code: 'BAD_REQUEST', message: `Query ${input.queryId} is already running.` });
    const conn = await this.workspace.connect();
    this.running.set(input.queryId, conn);
    const release = () => {
      clearInterval(this.interrupting.get(input.queryId));
      this.interrupting.delete(input.queryId);
      this.running.delete(input.queryId);
      this.cancelled.delete(input.queryId);
      this.finished.add(input.queryId);
      setTimeout(() => this.finished.delete(input.queryId), PRE_CANCEL_MS).unref();
      conn.closeSync();
    };
    // A result still streaming in keeps the connection (its read transaction) until its last row is stored.
    let keptOpen = false;
    const keepConnection = () => {
      keptOpen = true;
      return release;
    };
    try {
      const siftViews = await viewDefinitions(conn);
      const checkNames = () => checkSiftNames(conn, siftViews);
      const cancelled = () => {
        if (this.cancelled.has(input.queryId)) throw new SiftError({ code: 'CANCELLED', message: 'Query cancelled.' });
      };
      const shown = { queryId: input.queryId, keepConnection };
      const lastIndex = statements.length - 1;
      let result: QueryResult;
      // The results of the statements before the last, kept only with `everyStatement`.
      const earlier: QueryResult[] = [];
      const keepEvery = Boolean(options.everyStatement) && statements.length > 1;
      const lastWhole = Boolean(options.everyStatement);
      if (!allowWrites) {
        // Reads change no catalog, so every statement is checked against the catalog as it stands before any runs.
        const checked: CheckedStatement[] = [];
        for (const statement of statements) {
          cancelled();
          checked.push(await this.check(conn, statement, input, false));
        }
        try {
          for (const [index, statement] of checked.entries()) {
            cancelled();
            if (index < lastIndex && keepEvery)
              earlier.push(this.pin(await this.runRead(statement, shown, false, true)));
            else if (index < lastIndex) await this.runRead(statement, null);
          }
          result = await this.runRead(checked[lastIndex]!, shown, false, lastWhole);
        } catch (error) {
          for (const kept of earlier) if (kept.resultId) await this.close(kept.resultId);
          throw error;
        }
      } else {
        // With writes on, a statement may use what an earlier one made, so each is checked against the catalog its
        // predecessors leave — inside one transaction: a refusal or failure of any statement undoes all of them.
        // A read that ends a script which wrote runs whole inside it too, before the commit.
        await conn.run('BEGIN TRANSACTION');
        let committed = false;
        let wrote = false;
        result = { ...EMPTY_RESULT, message: 'OK' };
        try {
          for (const [index, statement] of statements.entries()) {
            cancelled();
            const checked = await this.check(conn, statement, input, true);
            if (checked.kind === 'write') {
              const outcome = await checked.prepared
                .run()
                .catch((error: unknown) => Promise.reject(checked.fail(error)));
              await checkNames();
              wrote = true;
              result = { ...EMPTY_RESULT, message: `${outcome.rowsChanged} row(s) changed.` };
            } else if (index < lastIndex && keepEvery) {
              // Stored whole inside the script's transaction: it sees the writes before it.
              result = await this.runRead(checked, shown, true);
            } else if (index < lastIndex) {
              await checked.prepared.run().catch((error: unknown) => Promise.reject(checked.fail(error)));
              result = { ...EMPTY_RESULT, message: 'OK' };
            } else if (wrote) {
              result = await this.runRead(checked, shown, true);
            } else {
              // Nothing written: the read streams as any other, in its own READ ONLY transaction.
              await conn.run('COMMIT');
              committed = true;
              result = await this.runRead(checked, shown, false, lastWhole);
            }
            if (index < lastIndex && keepEvery) earlier.push(this.pin(result));
          }
          if (!committed) {
            cancelled();
            await conn.run('COMMIT');
            committed = true;
          }
        } catch (error) {
          if (!committed) {
            await conn.run('ROLLBACK').catch(() => undefined);
            for (const kept of new Set([...earlier, result])) if (kept.resultId) await this.close(kept.resultId);
          }
          throw error;
        }
      }
      const elapsedMs = Math.round(performance.now() - started);
      return {
        ...result,
        statementCount: statements.length,
        elapsedMs,
        ...(keepEvery ? { statements: [...earlier, result] } : {}),
      };
    } catch (error) {
      // A cancel interrupts whichever step is running, Sift's own lookups between statements included.
      if (!(error instanceof SiftError) && (isInterrupt(error) || this.cancelled.has(input.queryId)))
        throw new SiftError({ code: 'CANCELLED', message: 'Query cancelled.' });
      throw error;
    } finally {
      if (!keptOpen) release();
    }
  }

  private pin(result: QueryResult): QueryResult {
    if (result.resultId) this.pinned.add(result.resultId);
    return result;
  }

  /** Checks one statement of a script (sqlGuard) and binds its parameters; nothing runs. */
  private async check(
    conn: DuckDBConnection,
    statement: SqlStatementSpan,
    input: { sql: string; params?: QueryParams; pageSize?: number },
    allowWrites: boolean,
  ): Promise<CheckedStatement> {
    const fail = (error: unknown) => sqlError(error, statement, input.sql);
    const bind = (prepared: DuckDBPreparedStatement) => bindParams(prepared, input.params);
    try {
      const { prepared, kind } = await checkUserStatement(conn, statement.text, allowWrites, bind);
      bind(prepared);
      return { conn, prepared, kind, fail, pageSize: input.pageSize ?? DEFAULT_PAGE };
    } catch (error) {
      throw fail(error);
    }
  }

  /** Runs a checked read: one in the middle of a script for nothing, the shown one into the results store. */
  private async runRead(
    checked: CheckedStatement,
    shown: { queryId: string; keepConnection: () => () => void } | null,
    inScriptTransaction = false,
    wholly = false,
  ): Promise<QueryResult> {
    const { conn, fail, pageSize } = checked;
    try {
      if (!shown) {
        await readOnly(conn, () => checked.prepared.run());
        return { ...EMPTY_RESULT, message: 'OK' };
      }
      const stored = await this.storeRead(
        conn,
        checked.prepared,
        Math.max(pageSize, 1),
        shown,
        fail,
        inScriptTransaction,
        wholly,
      );
      const rows =
        pageSize === 0
          ? []
          : (stored.firstRows?.slice(0, pageSize) ??
            (await this.page({ resultId: stored.id, offset: 0, limit: pageSize })).rows);
      delete stored.firstRows;
      const count = stored.rowCount.toLocaleString('en-US');
      return {
        ...EMPTY_RESULT,
        resultId: stored.id,
        columns: stored.columns,
        rowCount: stored.rowCount,
        complete: stored.complete,
        rows,
        message: stored.complete ? `${count} row(s).` : `${count}+ row(s) so far; the rest is being stored.`,
      };
    } catch (error) {
      throw fail(error);
    }
  }

  /**
   * Runs a read inside a READ ONLY transaction — DuckDB refuses any write it attempts — and streams its rows into
   * the results store. Returns as soon as `firstRows` rows (or all) are stored; the rest are appended in the
   * background on the connection `shown.keepConnection` keeps open, and `onStored` says how far it got.
   */
  private async storeRead(
    conn: DuckDBConnection,
    prepared: DuckDBPreparedStatement,
    firstRows: number,
    shown: { queryId: string; keepConnection: () => () => void },
    fail: (error: unknown) => SiftError,
    /** Set when the read ends a script that wrote: it runs in the script's transaction, wholly, before the commit. */
    inScriptTransaction = false,
    /** Every row is stored before this returns (a script's earlier statement, when each result is kept). */
    wholly = false,
  ): Promise<StoredResult> {
    if (!inScriptTransaction) await conn.run('BEGIN TRANSACTION READ ONLY');
    let handedOver = false;
    try {
      // In a script's transaction the read is materialised: DuckDB's streaming reader drops a failure's message, and
      // running it again (how a stream's failure is told) would run it without the script's uncommitted writes.
      const result = inScriptTransaction ? await prepared.run() : await prepared.stream();
      const names = uniqueNames(result.columnNames());
      const types = result.columnTypes().map((type) => String(type));
      const id = randomUUID();
      const table = quoteIdent(`r_${id.replace(/-/g, '')}`);
      const writer = await this.workspace.resultsConnection();
      let appender: DuckDBAppender | null = null;
      let rows = 0;
      let stopped = false;
      const firstPage: Cell[][] = [];
      const cancelled = () =>
        new SiftError({ code: 'CANCELLED', message: 'Query cancelled; the rows stored so far were dropped.' });
      /** Appends chunks until `until` rows are stored; true when the result has no more. */
      const pump = async (until: number): Promise<boolean> => {
        while (rows < until) {
          if (stopped || this.cancelled.has(shown.queryId)) throw cancelled();
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) {
            // An interrupt ends the stream the same way an error does; a cancelled read is not run again.
            if (stopped || this.cancelled.has(shown.queryId)) throw cancelled();
            await throwIfStreamFailed(conn, prepared, fail);
            return true;
          }
          appender!.appendDataChunk(chunk);
          for (let row = 0; row < chunk.rowCount && firstPage.length < firstRows; row++)
            firstPage.push(chunk.convertRowValues(row, JsonDuckDBValueConverter) as Cell[]);
          rows += chunk.rowCount;
        }
        return false;
      };
      const discard = async () => {
        try {
          appender?.closeSync();
        } catch {
          // the append already failed; the table goes below
        }
        await writer.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
        writer.closeSync();
      };
      let exhausted: boolean;
      let columns: ColumnInfo[];
      try {
        await writer.run(
          `CREATE TABLE ${table} (${names.map((name, i) => `${quoteIdent(name)} ${types[i] === 'NULL' ? 'INTEGER' : types[i]}`).join(', ') || '"result" VARCHAR'})`,
        );
        appender = await writer.createAppender(table.slice(1, -1));
        exhausted = await pump(inScriptTransaction || wholly ? Number.POSITIVE_INFINITY : firstRows);
        appender.flushSync();
        const describe = await writer.runAndReadAll(`DESCRIBE ${table}`);
        columns = describe
          .getRowObjectsJson()
          .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
      } catch (error) {
        await discard();
        throw error;
      }
      const stored: StoredResult = {
        id,
        table,
        columns,
        rowCount: rows,
        complete: exhausted,
        done: Promise.resolve(),
        stop: () => undefined,
        lastUsed: Date.now(),
        firstRows: firstPage,
      };
      this.results.set(id, stored);
      if (exhausted) {
        appender.closeSync();
        writer.closeSync();
      } else {
        handedOver = true;
        const release = shown.keepConnection();
        stored.stop = () => {
          stopped = true;
          conn.interrupt();
        };
        this.storing.set(shown.queryId, stored);
        stored.done = (async () => {
          try {
            while (!(await pump(rows + FLUSH_EVERY_ROWS))) {
              appender.flushSync();
              stored.rowCount = rows;
              this.onStored({ resultId: id, rowCount: rows, complete: false });
            }
            appender.closeSync();
            writer.closeSync();
            stored.rowCount = rows;
            stored.complete = true;
            this.onStored({ resultId: id, rowCount: rows, complete: true });
          } catch (error) {
            await discard();
            const failure = error instanceof SiftError ? error : fail(error);
            this.onStored({ resultId: id, rowCount: rows, complete: false, error: failure.info });
            throw failure;
          } finally {
            this.storing.delete(shown.queryId);
            await conn.run('ROLLBACK').catch(() => undefined);
            release();
          }
        })();
        stored.done.catch(() => undefined); // waited on by pages, sorts and exports; reported by the event
      }
      await this.evictOld(id);
      return stored;
    } finally {
      if (!handedOver && !inScriptTransaction) await conn.run('ROLLBACK').catch(() => undefined);
    }
  }

  /** Closes the least recently used results beyond MAX_LIVE_RESULTS, never the one just stored nor a pinned one. */
  private async evictOld(justStored: string): Promise<void> {
    if (this.results.size <= MAX_LIVE_RESULTS) return;
    const evictable = [...this.results.values()].filter(
      (result) => result.id !== justStored && !this.pinned.has(result.id),
    );
    const oldest = evictable.sort((a, b) => a.lastUsed - b.lastUsed).slice(0, this.results.size - MAX_LIVE_RESULTS);
    for (const result of oldest) await this.close(result.id);
  }

  private stored(resultId: string): StoredResult {
    return usedResult(this.results, resultId);
  }

  /** The table a result lives in (in the results store), for export: once every row is stored. */
  /** A page of a stored result, sorted when asked (storedResults.ts). */
  async page(input: {
    resultId: string;
    offset: number;
    limit: number;
    sort?: { column: string; direction: 'asc' | 'desc' };
  }): Promise<PageResult> {
    return readPage(this.workspace, this.stored(input.resultId), input);
  }

  resultTable(resultId: string): Promise<{ table: string; rowCount: number; columns: ColumnInfo[] }> {
    const stored = this.stored(resultId); // an unknown result throws here, before any waiting
    return stored.done.then(() => ({ table: stored.table, rowCount: stored.rowCount, columns: stored.columns }));
  }

  /** DuckDB's plan for one statement, checked as a run would be (statements.ts). */
  explain(input: { sql: string; params?: QueryParams }, allowWrites: boolean): Promise<QueryPlan> {
    return explainStatement(this.workspace, input, allowWrites);
  }

  cancel(queryId: string): boolean {
    const storing = this.storing.get(queryId);
    if (storing) {
      storing.stop();
      return true;
    }

    const conn = this.running.get(queryId);
    if (!conn) {
      if (this.finished.has(queryId)) return false; // too late, not too early
      // The cancel may overtake its own query (still opening its connection): remember it for a moment.
      this.cancelled.add(queryId);
      setTimeout(() => {
        if (!this.running.has(queryId)) this.cancelled.delete(queryId);
      }, PRE_CANCEL_MS).unref();
      return false;
    }
    this.cancelled.add(queryId);
    // An interrupt between two of the query's steps (checking, planning, running) would be lost: repeat it until
    // the query has stopped.
    conn.interrupt();
    if (!this.interrupting.has(queryId))
      this.interrupting.set(
        queryId,
        setInterval(() => conn.interrupt(), 50),
      );
    return true;
  }

  async close(resultId: string): Promise<boolean> {
    const stored = this.results.get(resultId);
    if (!stored) return false;
    this.results.delete(resultId);
    this.pinned.delete(resultId);
    stored.stop();
    await stored.done.catch(() => undefined);
    await this.workspace.withResults(async (conn) => {
      await conn.run(`DROP TABLE IF EXISTS ${stored.table}`);
      if (stored.sorted) await conn.run(`DROP TABLE IF EXISTS ${stored.sorted.table}`);
    });
    return true;
  }

  async cancelAll(): Promise<void> {
    for (const queryId of [...this.running.keys(), ...this.storing.keys()]) this.cancel(queryId);
  }
}
