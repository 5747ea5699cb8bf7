/**
 * Data Explorer style report parameters: the `-- [params]` block grammar, value casting, and rewriting `:name`
 * references into bound query parameters. Follows Discourse Data Explorer (lib/.../parameter.rb): the block
 * starts at a line `-- [params]`; each following `-- <type> :<name> [= <default>]` line declares one (blank
 * lines are skipped); the block ends at the first other line. `null` before (or after) the type makes it
 * nullable; `#null` as a value means NULL.
 */

export type ParamType =
  'int' | 'bigint' | 'boolean' | 'string' | 'date' | 'time' | 'datetime' | 'double' | 'int_list' | 'string_list';

const TYPES: readonly ParamType[] = [
  'int',
  'bigint',
  'boolean',
  'string',
  'date',
  'time',
  'datetime',
  'double',
  'int_list',
  'string_list',
];
/** Data Explorer's aliases, plus its id types, which are integers in a Discourse database. */
const ALIASES: Record<string, ParamType> = {
  integer: 'int',
  text: 'string',
  timestamp: 'datetime',
  user_id: 'int',
  post_id: 'int',
  topic_id: 'int',
  category_id: 'int',
  group_id: 'int',
  badge_id: 'int',
};

/** The SQL type each parameter is cast to where it is bound. */
export const SQL_TYPE: Record<ParamType, string> = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
  date: 'DATE',
  time: 'TIME',
  datetime: 'TIMESTAMP',
  double: 'DOUBLE',
  int_list: 'INTEGER',
  string_list: 'VARCHAR',
};

export interface ParamDecl {
  name: string;
  type: ParamType;
  /** The type as written (an alias stays visible to the UI). */
  declaredType: string;
  nullable: boolean;
  /** The default as written, or null when the line gives none. */
  defaultValue: string | null;
  /** 1-based line of the declaration in the SQL text. */
  line: number;
}

export type ParamValue = number | string | boolean | null | (number | string | null)[];

export class ParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParamError';
  }
}

const DECLARATION = /^\s*--\s*([a-zA-Z_ ]+?)\s*:([a-z_][a-z0-9_]*)\s*(?:=\s+(.*?)\s*)?$/;

/** Reads the parameter block. Throws a ParamError naming the parameter for an unknown type or a repeated name. */
export function parseParams(sql: string): ParamDecl[] {
  const params: ParamDecl[] = [];
  const lines = sql.split(/\r?\n/);
  let inBlock = false;
  for (const [index, line] of lines.entries()) {
    if (!inBlock) {
      if (/^\s*--\s*\[params\]\s*$/.test(line)) inBlock = true;
      continue;
    }
    if (/^\s*$/.test(line)) continue;
    const match = DECLARATION.exec(line);
    if (!match) break;
    const [, typeText, name, defaultText] = match as unknown as [string, string, string, string | undefined];
    const words = typeText.trim().toLowerCase().split(/\s+/);
    const nullable = words[0] === 'null' || (words.length > 1 && words[words.length - 1] === 'null');
    const declaredType = words.filter((word, i) => !(word === 'null' && (i === 0 || i === words.length - 1))).join(' ');
    const type = (TYPES as readonly string[]).includes(declaredType)
      ? (declaredType as ParamType)
      : ALIASES[declaredType];
    if (!type) {
      throw new ParamError(
        name,
        `Parameter :${name} (line ${index + 1}) has unknown type "${declaredType}"; use one of ${[...TYPES, ...Object.keys(ALIASES)].join(', ')}.`,
      );
    }
    if (params.some((param) => param.name === name))
      throw new ParamError(name, `Parameter :${name} is declared twice (line ${index + 1}).`);
    params.push({ name, type, declaredType, nullable, defaultValue: defaultText ?? null, line: index + 1 });
  }
  return params;
}

const INT32 = { min: -2147483648, max: 2147483647 };
const INTEGER = /^\s*-?\d+\s*$/;

function invalid(param: ParamDecl, raw: string, why: string): never {
  throw new ParamError(
    param.name,
    `Parameter :${param.name} (${param.declaredType}): "${raw.length > 60 ? `${raw.slice(0, 60)}…` : raw}" ${why}.`,
  );
}

function castInt(param: ParamDecl, raw: string, bits: 32 | 64): number | string {
  if (!INTEGER.test(raw)) invalid(param, raw, 'is not an integer');
  const big = BigInt(raw.trim());
  if (bits === 32 && (big < BigInt(INT32.min) || big > BigInt(INT32.max)))
    invalid(param, raw, 'is too large for int (use bigint)');
  if (bits === 64 && (big < -(2n ** 63n) || big > 2n ** 63n - 1n)) invalid(param, raw, 'is too large for bigint');
  // A bigint travels as text so no digit is lost on the way; the SQL casts it.
  return bits === 32 ? Number(big) : big.toString();
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function castDate(param: ParamDecl, raw: string): string {
  const match = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(raw);
  if (!match) invalid(param, raw, 'is not a date (YYYY-MM-DD)');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    invalid(param, raw, 'is not a real calendar date');
  return `${year}-${pad(month)}-${pad(day)}`;
}

function castTime(param: ParamDecl, raw: string): string {
  const match = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*$/.exec(raw);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59)
    invalid(param, raw, 'is not a time (HH:MM or HH:MM:SS)');
  return `${pad(Number(match[1]))}:${match[2]}:${match[3] ?? '00'}${match[4] ?? ''}`;
}

function castDatetime(param: ParamDecl, raw: string): string {
  const match =
    /^\s*(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|UTC|[+-]\d{2}:?\d{2})?\s*$/i.exec(
      raw,
    );
  if (!match) invalid(param, raw, 'is not a date-time (YYYY-MM-DD HH:MM:SS)');
  const date = castDate(param, match[1]!);
  const time = match[2] ? castTime(param, match[2]) : '00:00:00';
  const zone = match[3];
  if (!zone || /^(z|utc)$/i.test(zone)) return `${date} ${time}`;
  // An explicit offset is converted to UTC, the zone the workspace's timestamps are in.
  const instant = new Date(`${date}T${time}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  return instant
    .toISOString()
    .replace('T', ' ')
    .replace(/\.000Z$|Z$/, '');
}

function castDouble(param: ParamDecl, raw: string): number {
  const text = raw.trim();
  const infinity = /^(-?)inf(inity)?$/i.exec(text);
  if (infinity) return infinity[1] ? -Infinity : Infinity;
  if (/^-?nan$/i.test(text)) return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) invalid(param, raw, 'is not a number');
  return Number(text);
}

function castBoolean(param: ParamDecl, raw: string): boolean {
  const text = raw.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', '1', 'on'].includes(text)) return true;
  if (['f', 'false', 'n', 'no', '0', 'off'].includes(text)) return false;
  return invalid(param, raw, 'is not a boolean (true/false, t/f, yes/no, y/n, 1/0)');
}

/**
 * Casts one parameter's value as Data Explorer does. `raw` undefined means "not given": the default applies.
 * Blank means NULL for a nullable parameter; for any other, a cleared field falls back to the declared default,
 * and is an error only when there is none.
 */
export function castParam(param: ParamDecl, raw: string | undefined): ParamValue {
  const blank = raw === undefined || raw.trim() === '';
  const text = blank && !(param.nullable && raw !== undefined) ? (param.defaultValue ?? '') : raw!;
  if (text.trim() === '') {
    if (param.nullable) return null;
    throw new ParamError(
      param.name,
      `Parameter :${param.name} (${param.declaredType}) needs a value: it has no default and is not nullable.`,
    );
  }
  if (text.trim().toLowerCase() === '#null') return null;
  switch (param.type) {
    case 'int':
      return castInt(param, text, 32);
    case 'bigint':
      return castInt(param, text, 64);
    case 'boolean':
      return castBoolean(param, text);
    case 'double':
      return castDouble(param, text);
    case 'date':
      return castDate(param, text);
    case 'time':
      return castTime(param, text);
    case 'datetime':
      return castDatetime(param, text);
    case 'int_list':
    case 'string_list': {
      const items = text.split(',').map((item) => item.trim());
      if (items.length === 0 || items.every((item) => item === '')) invalid(param, text, "can't be empty");
      return items.map((item) => {
        if (item.toLowerCase() === '#null') return null;
        if (param.type === 'string_list') return item;
        if (!INTEGER.test(item)) invalid(param, item, 'is not an integer (in a comma-separated list)');
        return castInt(param, item, 32);
      });
    }
    case 'string':
      return text;
  }
}

export function castParams(params: ParamDecl[], raw: Record<string, string | undefined>): Record<string, ParamValue> {
  const known = new Set(params.map((param) => param.name));
  for (const name of Object.keys(raw)) {
    if (!known.has(name))
      throw new ParamError(
        name,
        `The report declares no parameter :${name} (it declares ${params.map((p) => `:${p.name}`).join(', ') || 'none'}).`,
      );
  }
  return Object.fromEntries(params.map((param) => [param.name, castParam(param, raw[param.name])]));
}

export interface BoundSql {
  sql: string;
  /** Bind name → value; every `:name` became one or more `$bind::TYPE` references. */
  binds: Record<string, number | string | boolean | null>;
}

/**
 * Rewrites `:name` references to typed binds. Not a parameter: `:name` inside a string literal, quoted identifier,
 * comment or dollar-quoted string; after `::` (a cast); or glued to a preceding identifier (`arr[a:b]`).
 * A list becomes one bind per element: `IN (:ids)` → `IN ($ids_1::INTEGER, $ids_2::INTEGER)`.
 */
/**
 * Bind names live in two disjoint spaces — `p_<name>` for a value, `l<n>_<name>` for the n-th item of a list — so a
 * list `:ids` and a parameter named `ids_1` can never share a bind.
 */
export const scalarBindName = (name: string) => `p_${name}`;
export const listBindName = (name: string, position: number) => `l${position}_${name}`;

/**
 * A report's SQL bound to values given as text (a form's fields, `sift query --param`): its block parsed, each value
 * cast by its declared type, every `:name` bound. Throws a ParamError naming the parameter.
 */
export function bindReport(sql: string, values: Record<string, string | undefined>): BoundSql {
  const params = parseParams(sql);
  return bindParams(sql, params, castParams(params, values));
}

export function bindParams(sql: string, params: ParamDecl[], values: Record<string, ParamValue>): BoundSql {
  const declared = new Map(params.map((param) => [param.name, param]));
  const binds: BoundSql['binds'] = {};
  let out = '';
  let i = 0;
  const copyUntil = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === "'" || ch === '"') {
      let end = i + 1;
      while (end < sql.length) {
        if (sql[end] === ch) {
          if (sql[end + 1] === ch) end += 2;
          else break;
        } else end++;
      }
      copyUntil(Math.min(end + 1, sql.length));
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      copyUntil(end < 0 ? sql.length : end);
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      copyUntil(end < 0 ? sql.length : end + 2);
    } else if (ch === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      copyUntil(end < 0 ? sql.length : end + tag.length);
    } else if (ch === ':' && next === ':') {
      copyUntil(i + 2);
    } else if (ch === ':' && /[a-z_]/.test(next ?? '') && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '')) {
      const name = /^[a-z_][a-z0-9_]*/.exec(sql.slice(i + 1))![0];
      const param = declared.get(name);
      if (!param) {
        copyUntil(i + 1 + name.length);
        continue;
      }
      const value = values[name] ?? null;
      const sqlType = SQL_TYPE[param.type];
      if (Array.isArray(value)) {
        out += value
          .map((item, index) => {
            binds[listBindName(name, index + 1)] = item;
            return `$${listBindName(name, index + 1)}::${sqlType}`;
          })
          .join(', ');
      } else {
        binds[scalarBindName(name)] = value;
        out += `$${scalarBindName(name)}::${sqlType}`;
      }
      i += 1 + name.length;
    } else {
      copyUntil(i + 1);
    }
  }
  return { sql: out, binds };
}
