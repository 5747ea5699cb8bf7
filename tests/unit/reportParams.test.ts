import { describe, expect, it } from 'vitest';
import { bindParams, castParam, castParams, type ParamDecl, ParamError, parseParams } from '../../shared/reportParams';

const REPORT = `-- name: flags by type
-- [params]
-- date :start_date = 2024-01-01
-- null int :min_flags

-- int_list :category_ids = 1,2
-- string :reason = spam
-- boolean :only_staff = false
-- integer :limit_rows = 100
-- text :label
-- timestamp null :since
SELECT 1 -- the block ended at the line above
-- int :not_a_param`;

describe('the [params] block grammar', () => {
  it('reads types, names, defaults and nullability, skipping blank lines, ending at the first other line', () => {
    const params = parseParams(REPORT);
    expect(params.map((p) => [p.name, p.type, p.nullable, p.defaultValue])).toEqual([
      ['start_date', 'date', false, '2024-01-01'],
      ['min_flags', 'int', true, null],
      ['category_ids', 'int_list', false, '1,2'],
      ['reason', 'string', false, 'spam'],
      ['only_staff', 'boolean', false, 'false'],
      ['limit_rows', 'int', false, '100'],
      ['label', 'string', false, null],
      ['since', 'datetime', true, null],
    ]);
    expect(params.find((p) => p.name === 'limit_rows')!.declaredType).toBe('integer');
    expect(params[0]!.line).toBe(3);
  });

  it('finds no parameters without a block, and only after the block marker', () => {
    expect(parseParams('-- int :x = 1\nSELECT :x')).toEqual([]);
    expect(parseParams('SELECT 1')).toEqual([]);
  });

  it('names the parameter of an unknown type or a repeated declaration', () => {
    expect(() => parseParams('-- [params]\n-- float :ratio = 1.5\nSELECT 1')).toThrow(
      /Parameter :ratio \(line 2\) has unknown type "float"/,
    );
    expect(() => parseParams('-- [params]\n-- int :a\n-- int :a\nSELECT 1')).toThrow(/:a is declared twice/);
    try {
      parseParams('-- [params]\n-- widget :w\n');
    } catch (error) {
      expect(error).toBeInstanceOf(ParamError);
      expect((error as ParamError).param).toBe('w');
    }
  });
});

const decl = (type: ParamDecl['type'], extra: Partial<ParamDecl> = {}): ParamDecl => ({
  name: 'p',
  type,
  declaredType: type,
  nullable: false,
  defaultValue: null,
  line: 2,
  ...extra,
});

describe('casting values as Data Explorer does', () => {
  it('casts integers, rejecting text, fractions and int overflow (bigint holds it, exactly)', () => {
    expect(castParam(decl('int'), ' 42 ')).toBe(42);
    expect(castParam(decl('int'), '-7')).toBe(-7);
    expect(() => castParam(decl('int'), '4.5')).toThrow('Parameter :p (int): "4.5" is not an integer.');
    expect(() => castParam(decl('int'), 'abc')).toThrow(/is not an integer/);
    expect(() => castParam(decl('int'), '2147483648')).toThrow(/too large for int/);
    expect(castParam(decl('bigint'), '9007199254740993')).toBe('9007199254740993');
    expect(() => castParam(decl('bigint'), '9223372036854775808')).toThrow(/too large for bigint/);
  });

  it('casts booleans from t/true/y/yes/1 and f/false/n/no/0, in any case', () => {
    for (const yes of ['t', 'TRUE', 'y', 'Yes', '1']) expect(castParam(decl('boolean'), yes)).toBe(true);
    for (const no of ['f', 'False', 'n', 'NO', '0']) expect(castParam(decl('boolean'), no)).toBe(false);
    expect(() => castParam(decl('boolean'), 'maybe')).toThrow(/is not a boolean/);
  });

  it('casts doubles including Inf, -Infinity and NaN', () => {
    expect(castParam(decl('double'), '0.25')).toBe(0.25);
    expect(castParam(decl('double'), '-3')).toBe(-3);
    expect(castParam(decl('double'), '1e3')).toBe(1000);
    expect(castParam(decl('double'), 'Inf')).toBe(Infinity);
    expect(castParam(decl('double'), 'infinity')).toBe(Infinity);
    expect(castParam(decl('double'), '-Infinity')).toBe(-Infinity);
    expect(castParam(decl('double'), 'NaN')).toBeNaN();
    expect(() => castParam(decl('double'), '1.2.3')).toThrow(/is not a number/);
  });

  it('casts dates, times and date-times, rejecting impossible ones', () => {
    expect(castParam(decl('date'), '2024-3-1')).toBe('2024-03-01');
    expect(() => castParam(decl('date'), '2024-02-30')).toThrow(/not a real calendar date/);
    expect(() => castParam(decl('date'), 'yesterday')).toThrow(/is not a date/);
    expect(castParam(decl('time'), '9:05')).toBe('09:05:00');
    expect(() => castParam(decl('time'), '25:00')).toThrow(/is not a time/);
    expect(castParam(decl('datetime'), '2024-03-10 14:30')).toBe('2024-03-10 14:30:00');
    expect(castParam(decl('datetime'), '2024-03-10T14:30:00Z')).toBe('2024-03-10 14:30:00');
    expect(castParam(decl('datetime'), '2024-03-10T14:30:00+02:00')).toBe('2024-03-10 12:30:00');
    expect(castParam(decl('datetime'), '2024-03-10')).toBe('2024-03-10 00:00:00');
  });

  it('splits lists on commas, with #null elements, and refuses an empty list', () => {
    expect(castParam(decl('int_list'), '1, 2,3')).toEqual([1, 2, 3]);
    expect(castParam(decl('int_list'), '4,#null')).toEqual([4, null]);
    expect(castParam(decl('string_list'), 'spam, off_topic')).toEqual(['spam', 'off_topic']);
    expect(() => castParam(decl('int_list'), '1,x')).toThrow(/"x" is not an integer \(in a comma-separated list\)/);
    expect(() => castParam(decl('string_list'), ' , ')).toThrow(/can't be empty/);
  });

  it('uses defaults, blanks as NULL for nullable parameters, and #null as NULL', () => {
    expect(castParam(decl('int', { defaultValue: '5' }), undefined)).toBe(5);
    expect(castParam(decl('int', { defaultValue: '5' }), '6')).toBe(6);
    // A cleared field of a parameter with a default runs with the default (it used to say "has no default").
    expect(castParam(decl('int', { defaultValue: '5' }), '')).toBe(5);
    expect(castParam(decl('date', { defaultValue: '2024-03-01' }), '   ')).toBe('2024-03-01');
    expect(castParam(decl('int', { nullable: true }), '')).toBeNull();
    expect(castParam(decl('int', { nullable: true }), undefined)).toBeNull();
    expect(castParam(decl('int'), '#NULL')).toBeNull();
    expect(() => castParam(decl('int'), '  ')).toThrow(
      'Parameter :p (int) needs a value: it has no default and is not nullable.',
    );
  });

  it('names a value for a parameter the report does not declare', () => {
    expect(() => castParams(parseParams(REPORT), { nope: '1' })).toThrow(/declares no parameter :nope/);
  });
});

describe('binding parameters into the SQL', () => {
  const params = parseParams('-- [params]\n-- int :min\n-- int_list :ids\n-- string :name\n');
  const values = { min: 3, ids: [1, 2, 3], name: "o'brien" };

  it('replaces each reference with a typed bind, and repeats reuse one bind', () => {
    const bound = bindParams('SELECT * FROM t WHERE a >= :min AND b < :min * 2 AND who = :name', params, values);
    expect(bound.sql).toBe(
      'SELECT * FROM t WHERE a >= $p_min::INTEGER AND b < $p_min::INTEGER * 2 AND who = $p_name::VARCHAR',
    );
    expect(bound.binds).toEqual({ p_min: 3, p_name: "o'brien" });
  });

  it('expands a list into one bind per element', () => {
    const bound = bindParams('SELECT * FROM t WHERE id IN (:ids)', params, values);
    expect(bound.sql).toBe('SELECT * FROM t WHERE id IN ($l1_ids::INTEGER, $l2_ids::INTEGER, $l3_ids::INTEGER)');
    expect(bound.binds).toEqual({ l1_ids: 1, l2_ids: 2, l3_ids: 3 });
  });

  it('leaves parameter-like text in literals, identifiers, comments, casts and slices alone', () => {
    const sql = `SELECT ':min' AS s, "col:min", x::min_type, arr[a:min], $$ :min $$ -- :min\n/* :min */ FROM t WHERE y = :min`;
    const bound = bindParams(sql, params, values);
    expect(bound.sql).toBe(
      `SELECT ':min' AS s, "col:min", x::min_type, arr[a:min], $$ :min $$ -- :min\n/* :min */ FROM t WHERE y = $p_min::INTEGER`,
    );
    expect(Object.keys(bound.binds)).toEqual(['p_min']);
  });

  it('never splices a value into the SQL text', () => {
    const bound = bindParams('SELECT :name', params, { ...values, name: "'; DROP TABLE t; --" });
    expect(bound.sql).toBe('SELECT $p_name::VARCHAR');
  });
});
