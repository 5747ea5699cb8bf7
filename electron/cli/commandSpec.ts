/**
 * Every `sift` command's flags, one table per command: the same table parses the command's arguments (node:util
 * parseArgs, strict) and prints its `--help`, so the help cannot drift from what the command accepts. What a table
 * states — types, allowed values, required flags, --sql/--file alternatives — is checked here, once, with the
 * command's name in the message; the commands themselves check only what needs their own knowledge (numbers' ranges,
 * how many files). This file holds the parsing and the help; the tables are in workbenchCommandTable.ts and
 * labelingCommandTable.ts, merged in commands.ts.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly default?: string;
  /** The value's name in the help (`--port N`); string flags only. */
  readonly value?: string;
  /** The only values a string flag takes; anything else is refused by name. */
  readonly choices?: readonly string[];
  readonly required?: boolean;
  readonly description: string;
}

export interface CommandSpec {
  /** As typed: `query`, or `session create`. */
  readonly name: string;
  /** One line, for `sift --help`. */
  readonly summary: string;
  /** Positional arguments as the help names them (`FILE...`); a command without them refuses any. */
  readonly positionals?: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Flags of which exactly one must be given. */
  readonly exactlyOne?: readonly [string, string];
  /** More lines for the command's help. */
  readonly notes?: string;
}

export const workspace: FlagSpec = {
  type: 'string',
  value: 'DIR',
  description: 'the workspace folder (default: the workspace used last)',
};
export const json: FlagSpec = { type: 'boolean', description: 'print JSON for scripts' };

/** Checked by TypeScript against CommandSpec while keeping each flag's literal type, which types the parsed values. */
export function command<const F extends Readonly<Record<string, FlagSpec>>>(
  spec: Omit<CommandSpec, 'flags'> & { flags: F },
): Omit<CommandSpec, 'flags'> & { flags: F } {
  return spec;
}

/** A usage mistake: `sift` prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly spec?: CommandSpec,
  ) {
    super(message);
  }
}

/** `--help` was asked for: `sift` prints the command's help and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly spec: CommandSpec) {
    super(`help for ${spec.name}`);
  }
}

/** What parsing a table yields: a string or boolean per flag, an array when repeatable; never undefined with a default or when required. */
type FlagValue<T extends FlagSpec> = T extends { multiple: true } ? FlagScalar<T>[] : FlagScalar<T>;
type FlagScalar<T extends FlagSpec> = T['type'] extends 'boolean' ? boolean : string;
export type CommandValues<F> = {
  -readonly [K in keyof F]: F[K] extends FlagSpec
    ? FlagValue<F[K]> | (F[K] extends { default: string } | { required: true } ? never : undefined)
    : never;
};

const orList = (words: readonly string[]) =>
  words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
const flagValue = (flag: FlagSpec) => flag.value ?? flag.choices?.join('|') ?? 'VALUE';
const flagForm = (name: string, flag: FlagSpec) =>
  flag.type === 'boolean' ? `--${name}` : `--${name} ${flagValue(flag)}`;

/**
 * Parses a command's arguments by its table: unknown flags, a value where none belongs (or none where one does),
 * a value outside a flag's choices, a missing required flag and stray positionals are usage errors naming the command.
 */
/**
 * parseArgs reads a negative number after a string flag (`--threshold -3`) as an option and refuses it as ambiguous;
 * it is the flag's value (`--threshold=-3`), which the command then checks against its range with a proper message.
 */
function negativeValuesJoined(flags: Readonly<Record<string, FlagSpec>>, args: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.startsWith('--') ? args[i]!.slice(2) : '';
    const next = args[i + 1];
    if (Object.hasOwn(flags, name) && flags[name]!.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else joined.push(args[i]!);
  }
  return joined;
}

export function parseCommand<const F extends Readonly<Record<string, FlagSpec>>>(
  spec: Omit<CommandSpec, 'flags'> & { flags: F },
  args: string[],
) {
  const options: ParseArgsOptionsConfig = Object.fromEntries(
    Object.entries(spec.flags).map(([name, flag]) => [
      name,
      {
        type: flag.type,
        ...(flag.multiple ? { multiple: true } : {}),
        ...(flag.default !== undefined ? { default: flag.default } : {}),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: negativeValuesJoined(spec.flags, args),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // Node's first sentence names the problem ("Unknown option '--x'."); the rest is advice about `--` that the usage line replaces.
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(`${spec.name}: ${error.message.split('\n')[0]!.split(/(?<=\.) /)[0]}`, spec);
    throw error;
  }
  const { help, ...values } = parsed.values;
  if (help) throw new HelpRequested(spec);
  const raw = values as Record<string, string | boolean | string[] | undefined>;
  for (const [name, flag] of Object.entries(spec.flags)) {
    const given = raw[name];
    if (flag.required && (given === undefined || given === ''))
      throw new UsageError(`${spec.name}: ${flagForm(name, flag)} is required.`, spec);
    if (flag.choices && given !== undefined) {
      for (const value of [given].flat())
        if (!flag.choices.includes(String(value)))
          throw new UsageError(`${spec.name}: --${name} is ${orList(flag.choices)}.`, spec);
    }
  }
  if (spec.exactlyOne) {
    const [a, b] = spec.exactlyOne;
    if (!raw[a] === !raw[b])
      throw new UsageError(
        `${spec.name}: give exactly one of ${flagForm(a, spec.flags[a]!)} or ${flagForm(b, spec.flags[b]!)}.`,
        spec,
      );
  }
  if (!spec.positionals && parsed.positionals.length > 0)
    throw new UsageError(`${spec.name}: unexpected argument "${parsed.positionals[0]}".`, spec);
  return { values: values as CommandValues<F>, positionals: parsed.positionals };
}

/** One line: `sift query (--sql TEXT | --file F) [--param NAME=VALUE]... [--format table|csv|json|parquet] …`. */
export function commandSynopsis(spec: CommandSpec): string {
  const parts = [`sift ${spec.name}`];
  if (spec.positionals) parts.push(spec.positionals);
  if (spec.exactlyOne) parts.push(`(${spec.exactlyOne.map((name) => flagForm(name, spec.flags[name]!)).join(' | ')})`);
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (spec.exactlyOne?.includes(name) || (name === 'workspace' && !flag.required)) continue;
    const form = flagForm(name, flag);
    parts.push(flag.required ? form : `[${form}]${flag.multiple ? '...' : ''}`);
  }
  return parts.join(' ');
}

/** `sift CMD --help`: the synopsis, what it does, and every flag with its description and default. */
export function commandHelp(spec: CommandSpec): string {
  const rows = [
    ...Object.entries(spec.flags).map(([name, flag]) => {
      const notes = [
        flag.required ? 'required' : '',
        flag.multiple ? 'repeatable' : '',
        flag.default !== undefined ? `default: ${flag.default}` : '',
      ].filter(Boolean);
      return [flagForm(name, flag), `${flag.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`] as const;
    }),
    ['-h, --help', 'this help'] as const,
  ];
  // A long flag form (a list of choices) takes its own line rather than widening every row.
  const width = Math.min(24, Math.max(...rows.map(([form]) => form.length)));
  const row = ([form, text]: readonly [string, string]) =>
    form.length <= width ? `  ${form.padEnd(width)}  ${text}` : `  ${form}\n  ${' '.repeat(width)}  ${text}`;
  return [
    `Usage: ${commandSynopsis(spec)}`,
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    ...(spec.notes ? ['', spec.notes] : []),
    '',
    'Options:',
    ...rows.map(row),
  ].join('\n');
}

/** A whole-number flag's value (undefined when not given); anything else is a usage error. */
export function integerFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} is a whole number (got "${value}").`);
  return Number(value);
}
