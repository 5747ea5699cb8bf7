/**
 * Checks user SQL that feeds a feature (scoring, labels): one statement that sqlGuard admits as a read, and the
 * columns it returns. The caller runs it inside `readOnly`, so DuckDB refuses any write it might still attempt.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SiftError } from '../../../shared/errors.js';
import { splitStatements } from '../../../shared/sqlText.js';
import { sqlError } from '../workspace/duckdbErrors.js';
import { checkNesting, checkUserStatement } from './sqlGuard.js';

export async function describeReadOnlyQuery(
  conn: DuckDBConnection,
  sql: string,
  field: string,
  expected: string,
): Promise<{ text: string; columns: string[] }> {
  const statements = splitStatements(sql);
  if (statements.length !== 1)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${field}: give one SELECT returning ${expected} (got ${statements.length} statements).`,
    });
  const statement = statements[0]!;
  checkNesting(sql, undefined);
  let prepared;
  try {
    prepared = (await checkUserStatement(conn, statement.text, false, () => undefined)).prepared;
  } catch (error) {
    throw sqlError(error, statement, sql);
  }
  return {
    text: statement.text,
    columns: Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i)),
  };
}

/** 'table', 'view', or null when the main schema has no such name. */
export async function relationKind(conn: DuckDBConnection, name: string): Promise<'table' | 'view' | null> {
  const kind = (
    await conn.runAndReadAll(
      `SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $name`,
      { name },
    )
  ).getRowsJson()[0]?.[0];
  return kind === undefined ? null : kind === 'VIEW' ? 'view' : 'table';
}

/** Runs `work` inside a READ ONLY transaction on `conn`. */
export async function readOnly<T>(conn: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION READ ONLY');
  try {
    return await work();
  } finally {
    await conn.run('ROLLBACK').catch(() => undefined);
  }
}

/**
 * DuckDB's streaming fetch ends a read that failed part-way as if it had finished: the Node binding returns no
 * chunk and drops the error. Inside a transaction the failure leaves it aborted, so one more statement tells.
 */
export async function assertStreamFinished(conn: DuckDBConnection, what: string): Promise<void> {
  try {
    await conn.run('SELECT 1');
  } catch {
    throw new SiftError({
      code: 'SQL_ERROR',
      message: `${what} stopped part-way with an error (DuckDB's streaming reader does not pass its message on); run the query in the SQL editor to see it.`,
    });
  }
}
