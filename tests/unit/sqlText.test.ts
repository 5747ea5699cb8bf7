import { describe, expect, it } from 'vitest';
import { identifiersIn, locateSqlError, splitStatements } from '../../shared/sqlText';

describe('splitting SQL into statements', () => {
  it('splits on semicolons outside strings, identifiers, comments and dollar quotes', () => {
    const sql = `SELECT ';' AS a; -- trailing; comment\nSELECT "x;y" FROM t /* ; */;\nSELECT $$a;b$$;\n  \n-- only a comment;`;
    expect(splitStatements(sql).map((s) => s.text)).toEqual([`SELECT ';' AS a`, `-- trailing; comment\nSELECT "x;y" FROM t /* ; */`, 'SELECT $$a;b$$']);
  });

  it('keeps each statement\u2019s offset in the whole text', () => {
    const sql = 'SELECT 1;\n\n  SELECT 2';
    const spans = splitStatements(sql);
    expect(sql.slice(spans[1]!.start)).toBe('SELECT 2');
  });
});

describe('identifiers', () => {
  it('finds bare and quoted names, not words inside strings or comments', () => {
    expect([...identifiersIn(`DELETE FROM "Label_Events" WHERE note = 'label_events' -- sift.imports`)].sort()).toEqual(['delete', 'from', 'label_events', 'note', 'where']);
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
    expect(locateSqlError('Catalog Error: Table x does not exist', splitStatements('SELECT 1')[0]!, 'SELECT 1')).toBeUndefined();
  });
});
