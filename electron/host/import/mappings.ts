/**
 * Column mappings onto the canonical tables. Saving one records it in the workspace and (re)creates the
 * canonical name as a view that renames the source's columns, so features can query `content`, `reports`, …
 * whatever the export called them. A canonical name that is a real table (e.g. the sample's) is never replaced.
 */
import { CANONICAL_TABLES, canonicalTable } from '../../../shared/canonical.js';
import type { SavedMapping } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { quoteIdent, type Workspace } from '../workspace/workspace.js';

export async function listMappings(workspace: Workspace): Promise<SavedMapping[]> {
  return workspace.withStore(async (conn) => {
    const reader = await conn.runAndReadAll(
      `SELECT source_table, canonical_table, columns_json, strftime(saved_at, '%Y-%m-%dT%H:%M:%S') AS saved_at FROM column_mappings ORDER BY canonical_table`,
    );
    return reader.getRowObjectsJson().map((row) => ({
      sourceTable: String(row.source_table),
      canonicalTable: String(row.canonical_table),
      columns: JSON.parse(String(row.columns_json)) as Record<string, string | null>,
      savedAt: String(row.saved_at),
    }));
  });
}

export async function saveMapping(workspace: Workspace, mapping: Omit<SavedMapping, 'savedAt'>): Promise<SavedMapping> {
  const canonical = canonicalTable(mapping.canonicalTable);
  if (!canonical || canonical.siftOwned) {
    const names = CANONICAL_TABLES.filter((table) => !table.siftOwned).map((table) => table.name).join(', ');
    throw new SiftError({ code: 'BAD_REQUEST', message: `canonicalTable: "${mapping.canonicalTable}" is not one of ${names}.` });
  }
  const tables = await workspace.listTables();
  const source = tables.find((table) => table.name === mapping.sourceTable);
  if (!source) throw new SiftError({ code: 'NOT_FOUND', message: `sourceTable: no table named "${mapping.sourceTable}".` });
  for (const key of Object.keys(mapping.columns)) {
    if (!canonical.columns.some((column) => column.name === key)) {
      throw new SiftError({ code: 'BAD_REQUEST', message: `columns: "${key}" is not a column of ${canonical.name}.` });
    }
  }
  const sourceColumns = new Set(source.columns.map((column) => column.name));
  for (const [target, from] of Object.entries(mapping.columns)) {
    if (from !== null && !sourceColumns.has(from)) {
      throw new SiftError({ code: 'BAD_REQUEST', message: `columns.${target}: ${mapping.sourceTable} has no column "${from}".` });
    }
  }
  const existing = tables.find((table) => table.name === canonical.name);
  if (existing && existing.kind === 'table') {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `The workspace already has a table named ${canonical.name}; a mapping would hide it. Rename that table first.`,
    });
  }
  const selectList = canonical.columns
    .map((column) => {
      const from = mapping.columns[column.name];
      return from ? `${quoteIdent(from)} AS ${quoteIdent(column.name)}` : `NULL AS ${quoteIdent(column.name)}`;
    })
    .join(', ');
  const columns = Object.fromEntries(canonical.columns.map((column) => [column.name, mapping.columns[column.name] ?? null]));
  const view = quoteIdent(canonical.name);
  await workspace.withConnection((conn) => conn.run(`CREATE OR REPLACE VIEW ${view} AS SELECT ${selectList} FROM ${quoteIdent(mapping.sourceTable)}`));
  try {
    // The bookkeeping lives in Sift's store, a second database: if recording fails, the view goes too.
    await workspace.withStore((conn) =>
      conn.run(`INSERT OR REPLACE INTO column_mappings VALUES ($source, $canonical, $json, now()::TIMESTAMP)`, {
        source: mapping.sourceTable,
        canonical: canonical.name,
        json: JSON.stringify(columns),
      }),
    );
  } catch (error) {
    await workspace.withConnection((conn) => conn.run(`DROP VIEW IF EXISTS ${view}`)).catch(() => undefined);
    throw error;
  }
  return { sourceTable: mapping.sourceTable, canonicalTable: canonical.name, columns, savedAt: new Date().toISOString().slice(0, 19) };
}
