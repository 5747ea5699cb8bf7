/**
 * Lexical helpers over SQL text: statement splitting, identifier extraction, and mapping DuckDB's
 * "LINE n: ..." error excerpts back to positions in the text the user typed.
 */

export interface SqlStatementSpan {
  text: string;
  /** Offset of the statement's first character in the whole text. */
  start: number;
}

type ScanState = 'code' | 'single' | 'double' | 'line-comment' | 'block-comment' | 'dollar';

/** Splits on semicolons outside quotes, comments and $tag$ strings; drops statements that are only blanks/comments. */
export function splitStatements(sql: string): SqlStatementSpan[] {
  const spans: SqlStatementSpan[] = [];
  let state: ScanState = 'code';
  let dollarTag = '';
  let statementStart = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    switch (state) {
      case 'code':
        if (ch === "'") state = 'single';
        else if (ch === '"') state = 'double';
        else if (ch === '-' && next === '-') state = 'line-comment';
        else if (ch === '/' && next === '*') state = 'block-comment';
        else if (ch === '$') {
          const match = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
          if (match) {
            state = 'dollar';
            dollarTag = match[0];
            i += dollarTag.length - 1;
          }
        } else if (ch === ';') {
          pushSpan(spans, sql, statementStart, i);
          statementStart = i + 1;
        }
        break;
      case 'single':
        if (ch === "'") state = 'code';
        break;
      case 'double':
        if (ch === '"') state = 'code';
        break;
      case 'line-comment':
        if (ch === '\n') state = 'code';
        break;
      case 'block-comment':
        if (ch === '*' && next === '/') {
          state = 'code';
          i++;
        }
        break;
      case 'dollar':
        if (sql.startsWith(dollarTag, i)) {
          state = 'code';
          i += dollarTag.length - 1;
        }
        break;
    }
  }
  pushSpan(spans, sql, statementStart, sql.length);
  return spans;
}

function pushSpan(spans: SqlStatementSpan[], sql: string, from: number, to: number): void {
  const raw = sql.slice(from, to);
  if (stripComments(raw).trim() === '') return;
  const leading = raw.length - raw.trimStart().length;
  spans.push({ text: raw.trim(), start: from + leading });
}

/** Replaces comments with spaces (keeping offsets) and leaves string literals intact. */
export function stripComments(sql: string): string {
  return sql.replace(
    /('(?:[^']|'')*'|"(?:[^"]|"")*")|--[^\n]*|\/\*[\s\S]*?\*\//g,
    (match, quoted: string | undefined) => (quoted ? match : match.replace(/[^\n]/g, ' ')),
  );
}

/** Lower-cased identifiers (bare or double-quoted) outside string literals and comments. */
export function identifiersIn(sql: string): Set<string> {
  const found = new Set<string>();
  const cleaned = stripComments(sql).replace(/'(?:[^']|'')*'/g, "''");
  const pattern = /"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)/g;
  for (let match = pattern.exec(cleaned); match; match = pattern.exec(cleaned)) {
    const name = match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!;
    found.add(name.toLowerCase());
  }
  return found;
}

export interface SqlErrorLocation {
  line: number;
  column: number;
  position: number;
}

/**
 * DuckDB ends parser and binder errors with "LINE n: <excerpt>" and a caret line under it. The excerpt may be
 * cut with "..." on the left, so the caret is located by finding the excerpt in the statement's line.
 */
export function locateSqlError(
  message: string,
  statement: SqlStatementSpan,
  fullText: string,
): SqlErrorLocation | undefined {
  const match = /LINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!match) return undefined;
  const lineInStatement = Number(match[1]);
  let excerpt = match[2]!;
  const caretColumn = match[3]!.length - `LINE ${match[1]}: `.length;
  let excerptOffset = 0;
  if (excerpt.startsWith('...')) {
    excerpt = excerpt.slice(3);
    excerptOffset = 3;
  }
  const statementLines = statement.text.split('\n');
  const lineText = statementLines[lineInStatement - 1] ?? '';
  const probe = excerpt.replace(/\.\.\.$/, '').slice(0, 40);
  const found = probe ? lineText.indexOf(probe) : 0;
  const columnInLine = Math.max(0, (found >= 0 ? found : 0) + caretColumn - excerptOffset);
  let positionInStatement = 0;
  for (let i = 0; i < lineInStatement - 1; i++) positionInStatement += (statementLines[i]?.length ?? 0) + 1;
  positionInStatement += columnInLine;
  const position = statement.start + positionInStatement;
  const before = fullText.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return { line, column, position };
}

/**
 * The statement a cursor at `offset` means (the SQL client's Ctrl/Cmd+Enter): the one it is inside or touching
 * (up to its semicolon); between statements, the one just before; before the first, the first. Undefined when
 * the text holds no statement.
 */
export function statementAt(sql: string, offset: number): SqlStatementSpan | undefined {
  const spans = splitStatements(sql);
  let chosen: SqlStatementSpan | undefined;
  for (const span of spans) {
    if (span.start > offset) break;
    chosen = span;
  }
  if (!chosen) return spans[0];
  const end = chosen.start + chosen.text.length;
  // Past the statement's own end (and its semicolon) but before the next one starts: a blank line between two
  // statements belongs to the one above, as in DBeaver and DataGrip — unless the cursor sits on the next one's line.
  const next = spans[spans.indexOf(chosen) + 1];
  if (next && offset > end && sql.slice(end, offset).includes('\n') && !sql.slice(offset, next.start).includes('\n'))
    return next;
  return chosen;
}
