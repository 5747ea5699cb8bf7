/**
 * The columns of the workspace's own tables and views (main schema), names lower-cased: what features that adapt to
 * a workspace's data (the labeling pool's context, Discourse's canonical views) read before choosing their SQL.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from './workspace.js';

export type Columns = Map<string, Set<string>>;

/** Every relation of the main schema with its columns, or only `tables` when given. */
export async function relationColumns(conn: DuckDBConnection, tables?: readonly string[]): Promise<Columns> {
  const only = tables ? ` AND lower(table_name) IN (${tables.map(quoteLiteral).join(', ')})` : '';
  const rows = (
    await conn.runAndReadAll(
      `SELECT lower(table_name), lower(column_name) FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = 'main'${only}`,
    )
  ).getRowsJson() as [string, string][];
  const columns: Columns = new Map();
  for (const [table, column] of rows) {
    const set = columns.get(table) ?? new Set<string>();
    set.add(column);
    columns.set(table, set);
  }
  return columns;
}

/** Whether `table` has every one of `names`. */
export const hasColumns = (columns: Columns, table: string, ...names: string[]): boolean =>
  names.every((name) => columns.get(table)?.has(name) ?? false);
