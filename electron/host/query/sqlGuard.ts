/**
 * Decides what user SQL (the editor, reports, feature queries) may run, from what DuckDB's own parser and planner
 * say the statement is — never from its text:
 *   1. DuckDB splits the text; a piece that DuckDB reads as more than one statement is refused.
 *   2. A read is a statement DuckDB types SELECT *and* its parser serialises as a SELECT tree
 *      (`json_serialize_sql`); PRAGMA, EXPLAIN and the rest are not, whatever they look like. Reads run inside a
 *      READ ONLY transaction, so DuckDB itself refuses any write a read tries (nextval, a macro, a view).
 *   3. With writes allowed, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP and MERGE run too. Everything else is
 *      refused, naming its kind: deny by default.
 *   4. Every admitted statement is planned (EXPLAIN, which does not execute) and each table function in the plan
 *      — including ones hidden in views and macros — must be one that only reads.
 * Sift's own data is not in this database at all (see workspace.ts), so none of this is what protects the labels;
 * it keeps read-only mode read-only and keeps SQL from writing files or changing settings.
 */
import { type DuckDBConnection, DuckDBInstance, type DuckDBPreparedStatement, StatementType } from '@duckdb/node-api';
import { SiftError } from '../../../shared/errors.js';
import { bracketDepth, MAX_JSON_DEPTH } from '../../../shared/jsonDepth.js';

export type QueryParams = Record<string, string | number | boolean | null>;

/** Statement kinds admitted when the user turned writes on. Writes touch only the user's own tables. */
const WRITE_TYPES = new Set<StatementType>([
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.CREATE,
  StatementType.ALTER,
  StatementType.DROP,
  StatementType.MERGE_INTO,
]);

/** Table functions that only read data or the catalog. Anything else in a plan is refused. */
const READ_TABLE_FUNCTIONS = new Set([
  'read_csv',
  'read_csv_auto',
  'sniff_csv',
  'read_parquet',
  'parquet_scan',
  'parquet_metadata',
  'parquet_schema',
  'parquet_file_metadata',
  'parquet_kv_metadata',
  'parquet_bloom_probe',
  'read_json',
  'read_json_auto',
  'read_ndjson',
  'read_ndjson_auto',
  'read_json_objects',
  'read_json_objects_auto',
  'read_ndjson_objects',
  'read_text',
  'read_blob',
  'glob',
  'range',
  'generate_series',
  'unnest',
  'json_each',
  'json_tree',
  'repeat',
  'repeat_row',
  'summary',
  'pragma_table_info',
  'pragma_show',
  'pragma_storage_info',
  'pragma_database_size',
  'pragma_version',
  'pragma_platform',
  'pragma_metadata_info',
  'pragma_user_agent',
  'pragma_collations',
  'icu_calendar_names',
  'pg_timezone_names',
  'sql_auto_complete',
  'duckdb_columns',
  'duckdb_constraints',
  'duckdb_databases',
  'duckdb_dependencies',
  'duckdb_extensions',
  'duckdb_functions',
  'duckdb_indexes',
  'duckdb_keywords',
  'duckdb_schemas',
  'duckdb_sequences',
  'duckdb_settings',
  'duckdb_tables',
  'duckdb_types',
  'duckdb_views',
  'duckdb_memory',
  'duckdb_optimizers',
  'duckdb_approx_database_count',
  'duckdb_variables',
  'duckdb_prepared_statements',
]);

/** Scalar functions that change state: a sequence, the session's random seed, the log. */
const SIDE_EFFECT_FUNCTIONS = new Set(['nextval', 'setval', 'setseed', 'write_log']);

const KIND_HINTS: Partial<Record<StatementType, string>> = {
  [StatementType.EXPLAIN]: 'EXPLAIN ANALYZE runs the statement it explains, so Sift runs no EXPLAIN from SQL',
  [StatementType.COPY]: 'use Export (or sift query --out) to write a result to a file, and Import to read one',
  [StatementType.EXPORT]: 'use Export (or sift query --out) to write a result to a file',
  [StatementType.SET]: 'settings are fixed when the workspace opens',
  [StatementType.VARIABLE_SET]: 'settings are fixed when the workspace opens',
  [StatementType.ATTACH]: 'Sift opens one workspace database; import other data instead',
  [StatementType.DETACH]: 'Sift opens one workspace database',
  [StatementType.LOAD]: 'extensions are fixed when the workspace opens',
  [StatementType.TRANSACTION]: 'Sift runs each statement in its own transaction',
  [StatementType.PREPARE]: 'use $name parameters instead',
  [StatementType.EXECUTE]: 'use $name parameters instead',
  [StatementType.CALL]: 'CALL runs a table function for its effect',
  [StatementType.PRAGMA]: 'read settings with SELECT current_setting(…) or duckdb_settings()',
};

/** Refuses SQL or parameter values nested deeper than DuckDB's JSON functions survive (see jsonDepth.ts). */
export function checkNesting(sql: string, params: QueryParams | undefined): void {
  const values = [sql, ...Object.values(params ?? {}).filter((value): value is string => typeof value === 'string')];
  for (const value of values) {
    const depth = bracketDepth(value);
    if (depth > MAX_JSON_DEPTH) {
      throw new SiftError({
        code: 'SQL_REFUSED',
        message: `${value === sql ? 'The SQL' : 'A parameter value'} nests [ or { ${depth} levels deep; Sift refuses more than ${MAX_JSON_DEPTH} because DuckDB's JSON functions cannot handle such nesting safely.`,
      });
    }
  }
}

export type StatementClass = 'read' | 'write';

export function statementKind(type: StatementType): string {
  return (StatementType[type] ?? 'UNKNOWN').replace(/_/g, ' ');
}

const refuse = (message: string) => new SiftError({ code: 'SQL_REFUSED', message });

function refusedKind(type: StatementType): SiftError {
  const hint = KIND_HINTS[type];
  const what =
    type === StatementType.SELECT ? 'PRAGMA (or another statement DuckDB rewrites into a query)' : statementKind(type);
  return refuse(`${what} statements cannot run from Sift's SQL${hint ? `: ${hint}` : ''}.`);
}

/** `type` is null when DuckDB could not bind the statement without the workspace's tables. */
function readOnly(type: StatementType | null): SiftError {
  const what = type === null ? 'statement (it is not a query)' : statementKind(type);
  return new SiftError({
    code: 'SQL_READ_ONLY',
    message: `The SQL editor is read-only, so this ${what} was not run. Turn on "Allow writes" (sift query --allow-writes) to change imported tables.`,
  });
}

/**
 * Prepares one statement of user SQL and decides whether it may run. `text` must be the whole statement as it
 * will run; `bind` binds its parameters to a prepared statement (the same values the run will use).
 */
export async function checkUserStatement(
  conn: DuckDBConnection,
  text: string,
  allowWrites: boolean,
  bind: (prepared: DuckDBPreparedStatement) => void,
): Promise<{ prepared: DuckDBPreparedStatement; kind: StatementClass }> {
  const extracted = await conn.extractStatements(text);
  if (extracted.count !== 1) {
    throw refuse(
      `DuckDB reads this as ${extracted.count} statements (a PIVOT without an IN list, for one, creates a type first); run them one at a time.`,
    );
  }
  const tree = await selectTree(conn, text);
  if (tree === null) {
    // Binding can act: DuckDB binds EXPORT DATABASE by creating its folder. A statement that is not a SELECT is
    // bound first where it can reach nothing; in read-only mode it goes no further.
    const sandboxType = await bindInSandbox(text);
    if (sandboxType !== null && !WRITE_TYPES.has(sandboxType)) throw refusedKind(sandboxType);
    if (!allowWrites) throw readOnly(sandboxType);
  }
  const prepared = await extracted.prepare(0);
  const type = prepared.statementType;
  let kind: StatementClass;
  if (type === StatementType.SELECT && tree !== null) {
    kind = 'read';
    const functions = scalarFunctionsIn(tree);
    const effect = functions.find((name) => SIDE_EFFECT_FUNCTIONS.has(name));
    if (effect)
      throw refuse(
        `${effect}() changes state (a sequence, the random seed or the log), so it cannot run from Sift's SQL.`,
      );
  } else if (WRITE_TYPES.has(type)) {
    if (!allowWrites) throw readOnly(type);
    kind = 'write';
  } else {
    throw refusedKind(type);
  }
  await checkPlan(conn, text, type, bind);
  return { prepared, kind };
}

let sandbox: Promise<DuckDBInstance> | null = null;

/** An empty in-memory DuckDB with no file access at all and its configuration locked. */
function sandboxInstance(): Promise<DuckDBInstance> {
  sandbox ??= (async () => {
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const conn = await instance.connect();
    await conn.run('SET allowed_directories = []; SET enable_external_access = false; SET lock_configuration = true');
    conn.closeSync();
    return instance;
  })();
  return sandbox;
}

/**
 * Prepares the statement in the sandbox and returns its kind (null when it needs the workspace's tables to bind).
 * If DuckDB's confinement stopped it there, it reaches for files while being bound, and is refused before the
 * real engine binds it. A statement that fails there for want of the user's tables is left to the real check.
 */
async function bindInSandbox(text: string): Promise<StatementType | null> {
  const conn = await (await sandboxInstance()).connect();
  try {
    return (await (await conn.extractStatements(text)).prepare(0)).statementType;
  } catch (error) {
    if (/^(Permission|Extension Autoloading) Error/.test(error instanceof Error ? error.message : String(error))) {
      throw refuse(
        `This statement reaches for files or extensions while DuckDB reads it, so Sift's SQL does not run it.`,
      );
    }
    return null;
  } finally {
    conn.closeSync();
  }
}

/** DuckDB's parse tree of a SELECT, or null when DuckDB's parser says the text is not one SELECT. */
async function selectTree(conn: DuckDBConnection, text: string): Promise<unknown> {
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql($sql::VARCHAR)', { sql: text });
  const parsed = JSON.parse(String(reader.getRowsJson()[0]?.[0] ?? '{"error":true}')) as {
    error: boolean;
    statements?: unknown[];
  };
  return parsed.error || parsed.statements?.length !== 1 ? null : parsed.statements[0];
}

function scalarFunctionsIn(tree: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.class === 'FUNCTION' && typeof record.function_name === 'string')
        found.push(record.function_name.toLowerCase());
      Object.values(record).forEach(walk);
    }
  };
  walk(tree);
  return found;
}

/** Plans the statement without running it and checks every table function the plan calls. */
async function checkPlan(
  conn: DuckDBConnection,
  text: string,
  type: StatementType,
  bind: (prepared: DuckDBPreparedStatement) => void,
): Promise<void> {
  // DROP and ALTER name objects; they call no functions and DuckDB has no plan to show for some of them.
  if (type === StatementType.DROP || type === StatementType.ALTER) return;
  const explain = await conn.prepare(`EXPLAIN (FORMAT json) ${text}`);
  bind(explain);
  const reader = await explain.runAndReadAll();
  const functions = new Set<string>();
  for (const row of reader.getRowsJson()) {
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const record = node as { extra_info?: Record<string, unknown>; children?: unknown };
        const name = record.extra_info?.Function;
        if (typeof name === 'string') functions.add(name.toLowerCase());
        walk(record.children);
      }
    };
    walk(JSON.parse(String(row[1])));
  }
  const denied = [...functions].filter((name) => !READ_TABLE_FUNCTIONS.has(name));
  if (denied.length > 0) {
    throw refuse(
      `${denied[0]}() is not a function that only reads (it may write files or change settings), so Sift's SQL cannot call it — not directly, nor through a view or macro.`,
    );
  }
}
