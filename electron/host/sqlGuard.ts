/**
 * Decides which statements the SQL editor may run. Reads are always allowed; writes only when the user turned
 * writes on, and never when they name a table or schema Sift owns. DuckDB tells us the statement type; the
 * protected-name check is lexical and deliberately conservative (a write that merely mentions
 * label_events is refused too).
 */
import { StatementType } from '@duckdb/node-api';
import { INTERNAL_SCHEMA, PROTECTED_TABLES, RESULTS_DATABASE } from '../../shared/canonical.js';
import { SiftError } from '../../shared/errors.js';
import { identifiersIn, stripComments } from '../../shared/sqlText.js';

const READ_TYPES = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);
const WRITE_TYPES = new Set<StatementType>([
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.CREATE,
  StatementType.ALTER,
  StatementType.DROP,
  StatementType.CREATE_FUNC,
  StatementType.MERGE_INTO,
]);
/** PRAGMAs and CALLs that only read the catalog. */
const READ_PRAGMAS = /^(pragma|call)\s+(pragma_)?(table_info|show_tables|show_tables_expanded|show|database_size|database_list|storage_info|version|platform|functions|duckdb_\w+)\b/i;

const PROTECTED_NAMES = new Set<string>([...PROTECTED_TABLES, INTERNAL_SCHEMA, RESULTS_DATABASE]);

export function statementKind(type: StatementType): string {
  return (StatementType[type] ?? 'UNKNOWN').replace(/_/g, ' ');
}

export function checkEditorStatement(type: StatementType, text: string, allowWrites: boolean): void {
  if (READ_TYPES.has(type)) return;
  const code = stripComments(text).trim();
  if ((type === StatementType.PRAGMA || type === StatementType.CALL) && READ_PRAGMAS.test(code)) return;
  if (!WRITE_TYPES.has(type)) {
    throw new SiftError({
      code: 'SQL_READ_ONLY',
      message: `${statementKind(type)} statements cannot run from the SQL editor; use Sift's import and export instead.`,
    });
  }
  if (/^drop\s+(schema|database)\b/i.test(code)) {
    throw new SiftError({ code: 'SQL_READ_ONLY', message: 'Dropping a schema or database is not allowed from the SQL editor.' });
  }
  const named = [...identifiersIn(code)].filter((name) => PROTECTED_NAMES.has(name));
  if (named.length > 0) {
    throw new SiftError({
      code: 'SQL_PROTECTED',
      message: `"${named[0]}" belongs to Sift (labels, sessions, dataset versions, bookkeeping) and cannot be changed from the SQL editor.`,
    });
  }
  if (!allowWrites) {
    throw new SiftError({
      code: 'SQL_READ_ONLY',
      message: `The SQL editor is read-only, so this ${statementKind(type)} was not run. Turn on "Allow writes" to change imported tables.`,
    });
  }
}
