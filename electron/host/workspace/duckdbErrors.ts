/**
 * DuckDB reports problems as long free-text messages, sometimes quoting a whole (possibly 10 MB) line of the
 * input. These functions turn them into short SiftErrors that name the file or the SQL position.
 */
import { SiftError, type SiftErrorCode } from '../../../shared/errors.js';
import { locateSqlError, type SqlStatementSpan } from '../../../shared/sqlText.js';

const MAX_DETAIL = 240;

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isInterrupt(error: unknown): boolean {
  return /INTERRUPT Error|Interrupted/i.test(messageOf(error));
}

/** First line of a DuckDB message, without its "Xxx Error: " prefix kept only when useful. */
function headline(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.length > MAX_DETAIL ? `${first.slice(0, MAX_DETAIL)}…` : first;
}

export function sqlError(error: unknown, statement: SqlStatementSpan, fullText: string): SiftError {
  if (error instanceof SiftError) return error;
  const message = messageOf(error);
  if (isInterrupt(error)) return new SiftError({ code: 'CANCELLED', message: 'Query cancelled.' });
  const location = locateSqlError(message, statement, fullText);
  const where = location ? ` (line ${location.line}, column ${location.column})` : '';
  const detail = message
    .replace(/^Failed to (extract statements|prepare statement): /, '')
    .split('\n\nLINE ')[0]!
    .split('\n')
    .slice(0, 3)
    .join(' ')
    .slice(0, 500);
  return new SiftError({ code: 'SQL_ERROR', message: `${detail}${where}`, ...location });
}

/** Maps a failure while reading an import file to a sentence naming the file and the problem. */
export function importError(error: unknown, file: string, format: 'csv' | 'parquet' | 'json'): SiftError {
  if (error instanceof SiftError) return error;
  const message = messageOf(error);
  if (isInterrupt(error)) return new SiftError({ code: 'CANCELLED', message: `Import of ${file} cancelled.`, file });
  const lineMatch = /CSV Error on Line: (\d+)/.exec(message);
  const line = lineMatch ? Number(lineMatch[1]) : undefined;
  const at = line ? ` line ${line}` : '';
  const fail = (code: SiftErrorCode, problem: string) =>
    new SiftError({ code, message: `${file}${at}: ${problem}`, file, line });

  if (/Maximum line size/i.test(message)) {
    return fail(
      'IMPORT_LINE_TOO_LONG',
      'a row is longer than the 2,000,000-byte line limit (a single field that large is almost always a broken export).',
    );
  }
  if (/Invalid unicode|not utf-8 encoded/i.test(message)) {
    return fail(
      'IMPORT_BAD_ENCODING',
      'the file is not valid UTF-8. If it is Latin-1, import it again with encoding latin-1.',
    );
  }
  const columns = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (columns) return fail('IMPORT_BAD_CSV', `row has ${columns[2]} fields, expected ${columns[1]} like the header.`);
  if (/Value with unterminated quote|unterminated quote/i.test(message))
    return fail('IMPORT_BAD_CSV', 'a quoted field is never closed (the file may be truncated).');
  if (format === 'parquet' || /parquet|magic bytes/i.test(message)) {
    return new SiftError({
      code: 'IMPORT_BAD_PARQUET',
      message: `${file}: not a readable Parquet file (truncated or corrupt): ${headline(message).replace(/^.*?Error: /, '')}`,
      file,
    });
  }
  if (format === 'json') {
    return new SiftError({
      code: 'IMPORT_BAD_JSON',
      message: `${file}: not valid JSON or NDJSON: ${headline(message).replace(/^.*?Error: /, '')}`,
      file,
    });
  }
  if (/sniffing file|detect the CSV/i.test(message)) {
    return fail(
      'IMPORT_BAD_CSV',
      'could not work out the CSV layout (delimiter, quoting); rows may have different numbers of fields.',
    );
  }
  if (/Could not convert|Conversion Error/i.test(message)) {
    return fail('IMPORT_BAD_CSV', headline(message).replace(/^.*?Error: /, ''));
  }
  return new SiftError({ code: 'IMPORT_BAD_CSV', message: `${file}${at}: ${headline(message)}`, file, line });
}

export function workspaceOpenError(error: unknown, dir: string): SiftError {
  const message = messageOf(error);
  const pid = /PID (\d+)/.exec(message);
  if (/lock/i.test(message)) {
    return new SiftError({
      code: 'WORKSPACE_LOCKED',
      message: `Workspace ${dir} is open in another Sift process${pid ? ` (PID ${pid[1]})` : ''}; close it there first.`,
      file: dir,
    });
  }
  return new SiftError({
    code: 'INTERNAL',
    message: `Could not open workspace ${dir}: ${headline(message)}`,
    file: dir,
  });
}
