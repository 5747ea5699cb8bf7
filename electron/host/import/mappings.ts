/**
 * Column mappings onto the canonical tables. Saving one records it in the workspace and (re)creates the
 * canonical name as a view that renames the source's columns, so features can query `content`, `reports`, …
 * whatever the export called them. A canonical name that is already a real table (e.g. the sample's) is replaced only
 * when asked — the old table kept under a backup name — or receives the source's rows, mapped, when asked to append.
 */
import {
  CANONICAL_TABLES,
  type CanonicalTable,
  canonicalTable,
  missingKeysProblem,
  requiredColumns,
} from '../../../shared/canonical.js';
import type { SavedMapping, TableInfo } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import type { DuckDBConnection } from '@duckdb/node-api';
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

export type MappingRequest = Omit<SavedMapping, 'savedAt' | 'backupTable' | 'appendedRows'> & {
  whenTaken?: 'replace' | 'append';
};

/** The canonical table a mapping targets, or a refusal naming the ones it may. */
export function mappingTarget(name: string): CanonicalTable {
  const canonical = canonicalTable(name);
  if (!canonical || canonical.siftOwned) {
    const names = CANONICAL_TABLES.filter((table) => !table.siftOwned)
      .map((table) => table.name)
      .join(', ');
    throw new SiftError({ code: 'BAD_REQUEST', message: `canonicalTable: "${name}" is not one of ${names}.` });
  }
  return canonical;
}

/**
 * Everything that makes a mapping unusable, checked before anything is written — by saveMapping, and by an import
 * that maps as it goes inside its own transaction (so a refused mapping leaves no imported table either): every
 * column named is the canonical table's and the source's, the key columns are mapped, and no source row lacks a key.
 */
export async function checkMapping(
  conn: DuckDBConnection,
  canonical: CanonicalTable,
  source: { table: string; columns: string[]; file?: string },
  columns: Record<string, string | null>,
): Promise<void> {
  refuseUnknownColumns(canonical, columns);
  const sourceColumns = new Set(source.columns);
  for (const [target, from] of Object.entries(columns)) {
    if (from !== null && !sourceColumns.has(from)) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `columns.${target}: ${source.table} has no column "${from}".`,
      });
    }
  }
  const keysProblem = missingKeysProblem(canonical, columns);
  if (keysProblem) throw new SiftError({ code: 'BAD_REQUEST', message: keysProblem });
  await refuseNullKeys(conn, canonical.name, requiredColumns(canonical), source.table, source.file, columns);
}

function refuseUnknownColumns(canonical: CanonicalTable, columns: Record<string, string | null>): void {
  for (const key of Object.keys(columns)) {
    if (!canonical.columns.some((column) => column.name === key)) {
      throw new SiftError({ code: 'BAD_REQUEST', message: `columns: "${key}" is not a column of ${canonical.name}.` });
    }
  }
}

/** What can be checked of a mapping without its source: before an import reads a large file only to be refused. */
export function checkMappingShape(canonical: CanonicalTable, columns: Record<string, string | null>): void {
  refuseUnknownColumns(canonical, columns);
  const keysProblem = missingKeysProblem(canonical, columns);
  if (keysProblem) throw new SiftError({ code: 'BAD_REQUEST', message: keysProblem });
}

/** A canonical name that is already a table is replaced or appended to only when asked. */
export function refuseTakenWithoutChoice(
  tables: TableInfo[],
  canonical: string,
  whenTaken: MappingRequest['whenTaken'],
): TableInfo | undefined {
  const existing = tables.find((table) => table.name === canonical && table.kind === 'table');
  if (existing && !whenTaken) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `whenTaken: the workspace already has a table named ${canonical} (${existing.rowCount ?? '?'} rows). Replace it (the old table is kept under a backup name) or append these rows to it.`,
    });
  }
  return existing;
}

export async function saveMapping(workspace: Workspace, mapping: MappingRequest): Promise<SavedMapping> {
  const canonical = mappingTarget(mapping.canonicalTable);
  const tables = await workspace.listTables();
  const source = tables.find((table) => table.name === mapping.sourceTable);
  if (!source)
    throw new SiftError({ code: 'NOT_FOUND', message: `sourceTable: no table named "${mapping.sourceTable}".` });
  await workspace.withConnection((conn) =>
    checkMapping(
      conn,
      canonical,
      { table: mapping.sourceTable, columns: source.columns.map((column) => column.name), file: source.source?.path },
      mapping.columns,
    ),
  );
  const existing = refuseTakenWithoutChoice(tables, canonical.name, mapping.whenTaken);
  const taken = existing !== undefined;
  const selectList = canonical.columns
    .map((column) => {
      const from = mapping.columns[column.name];
      return from ? `${quoteIdent(from)} AS ${quoteIdent(column.name)}` : `NULL AS ${quoteIdent(column.name)}`;
    })
    .join(', ');
  const columns = Object.fromEntries(
    canonical.columns.map((column) => [column.name, mapping.columns[column.name] ?? null]),
  );
  const view = quoteIdent(canonical.name);
  if (taken && mapping.whenTaken === 'append') {
    const appendedRows = await appendMapped(workspace, canonical.name, existing.columns, mapping.sourceTable, columns);
    return {
      sourceTable: mapping.sourceTable,
      canonicalTable: canonical.name,
      columns,
      savedAt: new Date().toISOString().slice(0, 19),
      appendedRows,
    };
  }
  let backupTable: string | undefined;
  await workspace.withConnection(async (conn) => {
    await conn.run('BEGIN TRANSACTION');
    try {
      if (taken) {
        backupTable = await freeBackupName(conn, canonical.name);
        await conn.run(`ALTER TABLE ${view} RENAME TO ${quoteIdent(backupTable)}`);
      }
      await conn.run(`CREATE OR REPLACE VIEW ${view} AS SELECT ${selectList} FROM ${quoteIdent(mapping.sourceTable)}`);
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
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
    await workspace
      .withConnection(async (conn) => {
        await conn.run(`DROP VIEW IF EXISTS ${view}`);
        if (backupTable) await conn.run(`ALTER TABLE ${quoteIdent(backupTable)} RENAME TO ${view}`);
      })
      .catch(() => undefined);
    throw error;
  }
  return {
    sourceTable: mapping.sourceTable,
    canonicalTable: canonical.name,
    columns,
    savedAt: new Date().toISOString().slice(0, 19),
    ...(backupTable ? { backupTable } : {}),
  };
}

/**
 * Refuses a source with a row whose key is NULL, naming the column and how many: a view over it would hand every
 * feature an item without an id (re-scoring once wrote scores for the item 'null'). Checked before anything is written.
 */
async function refuseNullKeys(
  conn: DuckDBConnection,
  canonical: string,
  keys: string[],
  source: string,
  file: string | undefined,
  columns: Record<string, string | null>,
): Promise<void> {
  const counts = keys.map((name) => `count(*) FILTER (WHERE ${quoteIdent(columns[name]!)} IS NULL)`).join(', ');
  const row = (await conn.runAndReadAll(`SELECT count(*), ${counts} FROM ${quoteIdent(source)}`)).getRowsJson()[0]!;
  const total = Number(row[0]);
  keys.forEach((name, i) => {
    const nulls = Number(row[i + 1]);
    if (nulls === 0) return;
    const from = columns[name]!;
    const sqlName = (ident: string) => (/^[a-z_][a-z0-9_]*$/.test(ident) ? ident : quoteIdent(ident));
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `columns.${name}: ${nulls.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows of ${source}${file ? ` (${file})` : ''} have no ${from} (NULL), and ${name} identifies every row of ${canonical}; nothing was mapped. Fill them in or leave those rows out (e.g. CREATE TABLE ${sqlName(`${source}_keyed`)} AS SELECT * FROM ${sqlName(source)} WHERE ${sqlName(from)} IS NOT NULL) and map that.`,
    });
  });
}

/** `content_backup`, or `content_backup_2`, … : the first name no table or view has. */
async function freeBackupName(conn: DuckDBConnection, name: string): Promise<string> {
  const used = new Set(
    (
      (
        await conn.runAndReadAll(
          `SELECT lower(table_name) FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = 'main'`,
        )
      ).getRowsJson() as [string][]
    ).map((row) => row[0]),
  );
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${name}_backup` : `${name}_backup_${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/**
 * Appends the source's rows to the existing canonical table, each mapped column cast to the table's type (a value
 * that does not fit fails the whole append, naming the column, rather than turning into NULL).
 */
async function appendMapped(
  workspace: Workspace,
  table: string,
  targetColumns: { name: string; type: string }[],
  source: string,
  columns: Record<string, string | null>,
): Promise<number> {
  const mapped = targetColumns.filter((column) => columns[column.name]);
  if (mapped.length === 0)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `columns: map at least one column of ${table} to append rows to it.`,
    });
  return workspace.withConnection(async (conn) => {
    await conn.run('BEGIN TRANSACTION');
    try {
      const list = mapped.map((column) => quoteIdent(column.name)).join(', ');
      const values = mapped.map((column) => `CAST(${quoteIdent(columns[column.name]!)} AS ${column.type})`).join(', ');
      const outcome = await conn.run(
        `INSERT INTO ${quoteIdent(table)} (${list}) SELECT ${values} FROM ${quoteIdent(source)}`,
      );
      await conn.run('COMMIT');
      return Number(outcome.rowsChanged);
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      if (error instanceof SiftError) throw error;
      const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `Appending ${source} to ${table} failed, nothing was added: ${detail}`,
      });
    }
  });
}
