/**
 * One statement of the user's SQL, apart from running it: its named parameters bound, Sift's own names kept out of
 * a write's reach, a streamed read's dropped error brought back, and its plan (EXPLAIN).
 */
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { PROTECTED_TABLES, SIFT_OWNED_VIEWS } from '../../../shared/canonical.js';
import type { QueryPlan } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { splitStatements } from '../../../shared/sqlText.js';
import { sqlError } from '../workspace/duckdbErrors.js';
import type { Workspace } from '../workspace/workspace.js';
import { readOnly } from './readOnlyQuery.js';
import { checkNesting, checkUserStatement, type QueryParams } from './sqlGuard.js';

/** Binds the named parameters a statement declares; the rest belong to other statements of the script. */
export function bindParams(prepared: DuckDBPreparedStatement, params: QueryParams | undefined): void {
  const count = prepared.parameterCount;
  if (count === 0) return;
  const values: Record<string, DuckDBValue> = {};
  for (let index = 1; index <= count; index++) {
    const name = prepared.parameterName(index);
    if (!params || !(name in params)) {
      throw new SiftError({
        code: 'SQL_ERROR',
        message: `The query uses parameter $${name}, but no value was given for it.`,
      });
    }
    values[name] = params[name] as DuckDBValue;
  }
  prepared.bind(values);
}

/** DuckDB may return two columns of one name (SELECT a, a); a stored result needs distinct ones. */
export function uniqueNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let candidate = name || 'column';
    for (let n = 1; used.has(candidate.toLowerCase()); n++) candidate = `${name}_${n}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

export async function viewDefinitions(conn: DuckDBConnection): Promise<Map<string, string>> {
  const reader = await conn.runAndReadAll(
    `SELECT view_name, sql FROM duckdb_views() WHERE temporary AND view_name IN (${SIFT_OWNED_VIEWS.map((name) => `'${name}'`).join(', ')})`,
  );
  return new Map(reader.getRowsJson().map((row) => [String(row[0]), String(row[1])]));
}

/**
 * Sift's views live in this connection's temporary catalog, where a write could drop or replace them (changing
 * nothing stored), and the user's own schema must not take a name Sift owns. Both are read from DuckDB's catalog
 * after the write, inside its transaction, which is rolled back when either is so.
 */
export async function checkSiftNames(conn: DuckDBConnection, expected: Map<string, string>): Promise<void> {
  const now = await viewDefinitions(conn);
  // A Sift view dropped, replaced, or created where it was absent (a forged feature view) are all refused.
  const touched = SIFT_OWNED_VIEWS.filter((name) => now.get(name) !== expected.get(name));
  const taken = (
    await conn.runAndReadAll(
      `SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND lower(table_name) IN (${PROTECTED_TABLES.map((name) => `'${name}'`).join(', ')})`,
    )
  ).getRowsJson();
  const name = touched[0] ?? (taken[0]?.[0] as string | undefined);
  if (name === undefined) return;
  throw new SiftError({
    code: 'SQL_PROTECTED',
    message: `"${name}" belongs to Sift (labels, sessions, dataset versions); SQL can read it but cannot drop, replace or shadow it. Nothing was changed.`,
  });
}

/**
 * DuckDB's streaming fetch (in the Node binding) ends a read that failed as if it had finished, and drops the
 * error. The failure leaves the read transaction aborted, which one more statement shows; the read is then run
 * once more, materialised, to get DuckDB's own message.
 */
export async function throwIfStreamFailed(
  conn: DuckDBConnection,
  prepared: DuckDBPreparedStatement,
  fail: (error: unknown) => SiftError,
): Promise<void> {
  try {
    await conn.run('SELECT 1');
    return;
  } catch {
    await conn.run('ROLLBACK').catch(() => undefined);
  }
  try {
    await readOnly(conn, () => prepared.run());
  } catch (error) {
    throw fail(error);
  }
  throw new SiftError({
    code: 'SQL_ERROR',
    message: 'The query stopped part-way with an error DuckDB did not repeat when run again; run it again.',
  });
}

/**
 * DuckDB's plan for one statement: checked exactly as a run would be (a statement the editor may not run is not
 * explained either), then EXPLAIN — which plans without executing — on a fresh connection.
 */
export async function explainStatement(
  workspace: Workspace,
  input: { sql: string; params?: QueryParams },
  allowWrites: boolean,
): Promise<QueryPlan> {
  checkNesting(input.sql, input.params);
  const statements = splitStatements(input.sql);
  if (statements.length !== 1)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message:
        statements.length === 0
          ? 'There is no SQL statement to explain.'
          : `Explain takes one statement; this text holds ${statements.length}.`,
    });
  const statement = statements[0]!;
  const fail = (error: unknown) => sqlError(error, statement, input.sql);
  const conn = await workspace.connect();
  try {
    const bind = (prepared: DuckDBPreparedStatement) => bindParams(prepared, input.params);
    const { kind } = await checkUserStatement(conn, statement.text, allowWrites, bind);
    const explain = await conn.prepare(`EXPLAIN ${statement.text}`);
    bind(explain);
    // EXPLAIN plans without executing; a write's plan is still taken in a transaction that is rolled back.
    const rows = (
      kind === 'read'
        ? await readOnly(conn, () => explain.runAndReadAll())
        : await (async () => {
            await conn.run('BEGIN TRANSACTION');
            try {
              return await explain.runAndReadAll();
            } finally {
              await conn.run('ROLLBACK').catch(() => undefined);
            }
          })()
    ).getRowsJson();
    return {
      kind,
      plan: rows
        .map((row) => String(row[1] ?? ''))
        .join('\n')
        .trimEnd(),
    };
  } catch (error) {
    throw fail(error);
  } finally {
    conn.closeSync();
  }
}
