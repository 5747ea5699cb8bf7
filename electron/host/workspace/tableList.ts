/** The workspace's tables and views as the Tables list shows them: from DuckDB's catalog and Sift's store, never a scan. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SIFT_OWNED_VIEWS } from '../../../shared/canonical.js';
import type { TableInfo } from '../../../shared/contract.js';
import { quoteLiteral } from './sqlQuote.js';

/** What of a workspace the listing reads (workspace.ts's Workspace). */
export interface TableSource {
  withStore<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  withConnection<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
}

export async function listTables(workspace: TableSource): Promise<TableInfo[]> {
  const { imports, mappedTo, labelCount } = await workspace.withStore(async (conn) => {
    const importsReader = await conn.runAndReadAll(
      `SELECT table_name, path, linked, rows, strftime(imported_at, '%Y-%m-%dT%H:%M:%S') AS imported_at FROM imports`,
    );
    const mappingsReader = await conn.runAndReadAll(`SELECT source_table, canonical_table FROM column_mappings`);
    return {
      imports: new Map(importsReader.getRowObjectsJson().map((row) => [String(row.table_name), row])),
      mappedTo: new Map(
        mappingsReader.getRowObjectsJson().map((row) => [String(row.source_table), String(row.canonical_table)]),
      ),
      labelCount: Number((await conn.runAndReadAll('SELECT count(*) FROM label_events')).getRowsJson()[0]![0]),
    };
  });
  return workspace.withConnection(async (conn) => {
    // The catalog functions, not information_schema's views over them: a third of the time on a CLI start.
    const tablesReader = await conn.runAndReadAll(`
      SELECT table_name AS name, 'table' AS kind, false AS sift_owned, estimated_size FROM duckdb_tables()
      WHERE database_name = current_database() AND schema_name = 'main'
      UNION ALL
      SELECT view_name, 'view', database_name = 'temp', NULL FROM duckdb_views()
      WHERE NOT internal AND ((database_name = current_database() AND schema_name = 'main') OR (database_name = 'temp' AND view_name IN (${SIFT_OWNED_VIEWS.map(quoteLiteral).join(', ')})))
      ORDER BY name, sift_owned DESC`);
    // duckdb_columns(): information_schema.columns' rows, read ~5× faster (it matters to a CLI start).
    const columnsReader = await conn.runAndReadAll(`
      SELECT database_name = 'temp' AS sift_owned, table_name, column_name, data_type FROM duckdb_columns()
      WHERE (database_name = current_database() AND schema_name = 'main') OR (database_name = 'temp' AND table_name IN (${SIFT_OWNED_VIEWS.map(quoteLiteral).join(', ')}))
      ORDER BY table_name, column_index`);
    const columnsByTable = new Map<string, { name: string; type: string }[]>();
    for (const row of columnsReader.getRowObjectsJson()) {
      const key = `${row.sift_owned}:${row.table_name}`;
      const list = columnsByTable.get(key) ?? [];
      list.push({ name: String(row.column_name), type: String(row.data_type) });
      columnsByTable.set(key, list);
    }
    const tables: TableInfo[] = [];
    const seen = new Set<string>();
    for (const row of tablesReader.getRowObjectsJson()) {
      const name = String(row.name);
      // Sift's view wins the name, as it does in every query (the temporary catalog is searched first).
      if (seen.has(name)) continue;
      seen.add(name);
      const siftOwned = row.sift_owned === true;
      const imported = siftOwned ? undefined : imports.get(name);
      // Never a scan: a table's count is in DuckDB's catalog, a linked file was counted once when linked,
      // Sift's labels are counted in its store; another view's count is unknown until queried.
      const rowCount = siftOwned
        ? name === 'label_events'
          ? labelCount
          : null
        : row.kind === 'table'
          ? Number(row.estimated_size)
          : imported
            ? Number(imported.rows)
            : null;
      tables.push({
        name,
        kind: row.kind === 'view' && !siftOwned ? 'view' : 'table',
        rowCount,
        columns: columnsByTable.get(`${siftOwned}:${name}`) ?? [],
        protected: siftOwned,
        source: imported
          ? {
              path: String(imported.path),
              linked: Boolean(imported.linked),
              importedAt: String(imported.imported_at),
            }
          : undefined,
        mappedTo: siftOwned ? undefined : mappedTo.get(name),
      });
    }
    // A canonical name mapped onto an import is a view with the source's rows.
    const counts = new Map(tables.map((table) => [table.name, table.rowCount]));
    for (const table of tables) {
      const source = [...mappedTo.entries()].find(([, canonical]) => canonical === table.name)?.[0];
      if (table.rowCount === null && source !== undefined) table.rowCount = counts.get(source) ?? null;
    }
    return tables;
  });
}
