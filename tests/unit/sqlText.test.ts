import { describe, expect, it } from 'vitest';
import { identifiersIn, locateSqlError, splitStatements, statementAt } from '../../shared/sqlText';

describe('splitting SQL into statements', () => {
  it('splits on semicolons outside strings, identifiers, comments and dollar quotes', () => {
    const sql = `SELECT ';' AS a; -- trailing; comment\nSELECT "x;y" FROM t /* ; */;\nSELECT $$a;b$$;\n  \n-- only a comment;`;
    expect(splitStatements(sql).map((s) => s.text)).toEqual([
      `SELECT ';' AS a`,
      `-- trailing; comment\nSELECT "x;y" FROM t /* ; */`,
      'SELECT $$a;b$$',
    ]);
  });

  it('keeps each statement\u2019s offset in the whole text', () => {
    const sql = 'SELECT 1;\n\n  SELECT 2';
    const spans = splitStatements(sql);
    expect(sql.slice(spans[1]!.start)).toBe('SELECT 2');
  });
});

describe('identifiers', () => {
  it('finds bare and quoted names, not words inside strings or comments', () => {
    expect([...identifiersIn(`DELETE FROM "Label_Events" WHERE note = 'label_events' -- sift.imports`)].sort()).toEqual(
      ['delete', 'from', 'label_events', 'note', 'where'],
    );
  });
});

describe('locating DuckDB errors', () => {
  it('maps the caret under a LINE excerpt to a line, column and offset', () => {
    const full = 'SELECT 1;\nSELECT a,\n  bogus FROM t';
    const statement = splitStatements(full)[1]!;
    const message = 'Binder Error: Referenced column "bogus" not found\n\nLINE 2:   bogus FROM t\n          ^';
    const location = locateSqlError(message, statement, full)!;
    expect(location).toEqual({ line: 3, column: 3, position: full.indexOf('bogus') });
  });

  it('handles excerpts DuckDB shortened with an ellipsis', () => {
    const long = `SELECT ${'x, '.repeat(60)}missing FROM t`;
    const statement = splitStatements(long)[0]!;
    const excerpt = long.slice(long.indexOf('missing') - 20);
    const message = `Binder Error: nope\n\nLINE 1: ...${excerpt}\n${' '.repeat('LINE 1: ...'.length + 20)}^`;
    expect(locateSqlError(message, statement, long)?.position).toBe(long.indexOf('missing'));
  });

  it('returns nothing when the message has no position', () => {
    expect(
      locateSqlError('Catalog Error: Table x does not exist', splitStatements('SELECT 1')[0]!, 'SELECT 1'),
    ).toBeUndefined();
  });
});

describe('the statement under the cursor', () => {
  const sql = "SELECT 1 AS a;\n\nSELECT ';' AS b -- not; the end\nFROM t;\n  SELECT 3;";
  const at = (needle: string, shift = 0) => statementAt(sql, sql.indexOf(needle) + shift)?.text;

  it('picks the statement the cursor is in, touching, or just after', () => {
    expect(at('SELECT 1')).toBe('SELECT 1 AS a');
    expect(at('1 AS a')).toBe('SELECT 1 AS a');
    expect(at(';\n\n', 1)).toBe('SELECT 1 AS a'); // right after the semicolon
    expect(at("';'")).toBe("SELECT ';' AS b -- not; the end\nFROM t"); // a semicolon in a string is not an end
    expect(at('not; the end', 4)).toBe("SELECT ';' AS b -- not; the end\nFROM t"); // nor one in a comment
    expect(at('FROM t')).toBe("SELECT ';' AS b -- not; the end\nFROM t");
    expect(at('SELECT 3', 3)).toBe('SELECT 3');
    expect(statementAt(sql, sql.length)?.text).toBe('SELECT 3');
  });

  it('on the blank line between two statements means the one above; indentation before one means that one', () => {
    expect(statementAt(sql, sql.indexOf('\n\n') + 1)?.text).toBe('SELECT 1 AS a');
    expect(at('  SELECT 3', 1)).toBe('SELECT 3');
  });

  it('has nothing to run in blank or comment-only text, and the first statement before any', () => {
    expect(statementAt('   -- only a comment\n', 3)).toBeUndefined();
    expect(statementAt('\n\nSELECT 9', 0)?.text).toBe('SELECT 9');
    expect(statementAt('SELECT 9', 0)?.start).toBe(0);
  });
});
