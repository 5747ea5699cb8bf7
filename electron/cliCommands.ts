/**
 * Every `sift` command's flags, one table per command: the same table parses the command's arguments (node:util
 * parseArgs, strict) and prints its `--help`, so the help cannot drift from what the command accepts. What a table
 * states — types, allowed values, required flags, --sql/--file alternatives — is checked here, once, with the
 * command's name in the message; the commands themselves check only what needs their own knowledge (numbers' ranges,
 * how many files).
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { DEFAULT_BINS } from '../shared/calibration.js';
import { STRATEGIES } from '../shared/labeling.js';
import { SAMPLE_KINDS } from './host/workspace/sampleWorkspace.js';
import { canonicalTable, requiredColumns } from '../shared/canonical.js';
import { MAPPING_TARGETS, WHEN_TAKEN } from './cliMapping.js';

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

const workspace: FlagSpec = {
  type: 'string',
  value: 'DIR',
  description: 'the workspace folder (default: the workspace used last)',
};
const json: FlagSpec = { type: 'boolean', description: 'print JSON for scripts' };

/** Checked by TypeScript against CommandSpec while keeping each flag's literal type, which types the parsed values. */
function command<const F extends Readonly<Record<string, FlagSpec>>>(
  spec: Omit<CommandSpec, 'flags'> & { flags: F },
): Omit<CommandSpec, 'flags'> & { flags: F } {
  return spec;
}

export const COMMANDS = {
  serve: command({
    name: 'serve',
    summary: 'the UI in your browser, on 127.0.0.1; SQL reads only the workspace and each --folder',
    flags: {
      workspace,
      port: { type: 'string', value: 'N', description: 'the port to listen on (default: a free one)' },
      'no-token': { type: 'boolean', description: 'serve without an access token (any local process can connect)' },
      open: { type: 'boolean', description: 'open the URL in the default browser' },
      folder: {
        type: 'string',
        multiple: true,
        value: 'DIR',
        description: 'a folder SQL and imports may read besides the workspace',
      },
    },
  }),
  init: command({
    name: 'init',
    summary: 'an empty workspace for your own data (a new or empty folder)',
    flags: {
      workspace: { ...workspace, required: true, description: 'the folder to create the workspace in (new or empty)' },
    },
  }),
  import: command({
    name: 'import',
    summary: 'import CSV/TSV, Parquet, JSON or NDJSON files as tables',
    positionals: 'FILE...',
    flags: {
      workspace: {
        ...workspace,
        description: 'the workspace (default: the one used last); a new or empty folder becomes a workspace',
      },
      table: {
        type: 'string',
        value: 'NAME',
        description: 'the table to create (one FILE only; default: from the file name)',
      },
      link: { type: 'boolean', description: 'keep a view over the file instead of copying its rows' },
      replace: { type: 'boolean', description: 'replace a table of the same name' },
      encoding: { type: 'string', choices: ['utf-8', 'utf-16', 'latin-1'], description: "the text files' encoding" },
      'skip-bad-rows': {
        type: 'boolean',
        description: 'set unreadable CSV rows aside in <table>__rejects instead of failing',
      },
      as: {
        type: 'string',
        choices: MAPPING_TARGETS,
        description: 'map the FILE onto this canonical table as it is imported (one FILE only)',
      },
      map: {
        type: 'string',
        multiple: true,
        value: 'canonical=source,...',
        description: "with --as: which of the file's columns each canonical column reads",
      },
      'when-taken': {
        type: 'string',
        choices: WHEN_TAKEN,
        description:
          'with --as, when the canonical name is already a table: replace it (kept under a backup name) or append to it',
      },
    },
    notes: `With --as, the canonical table's key columns must be mapped and never NULL (${MAPPING_TARGETS.map((name) => `${name}: ${requiredColumns(canonicalTable(name)!).join(', ') || 'none'}`).join('; ')}); else nothing is imported.`,
  }),
  tables: command({
    name: 'tables',
    summary: "the workspace's tables and views",
    flags: { workspace, json },
  }),
  query: command({
    name: 'query',
    summary: 'run SQL (read-only unless --allow-writes) and print or write the result',
    notes: `A script (statements separated by ;) runs all or nothing and prints each statement's result in turn: the table
format with a heading per statement, csv as one block per statement that returns rows (separated by a blank
line), json as one array with an element per statement (null for one without rows, such as an INSERT). --out
takes a script's results only with --format json.`,
    exactlyOne: ['sql', 'file'],
    flags: {
      workspace,
      sql: { type: 'string', value: 'TEXT', description: 'the SQL to run' },
      file: {
        type: 'string',
        value: 'F',
        description: 'a .sql file to run (a report with a Data Explorer -- [params] block takes :name parameters)',
      },
      param: {
        type: 'string',
        multiple: true,
        value: 'NAME=VALUE',
        description: 'a parameter value: $name in plain SQL, :name in a report',
      },
      format: {
        type: 'string',
        default: 'table',
        choices: ['table', 'csv', 'json', 'parquet'],
        description: 'the output format (parquet needs --out)',
      },
      out: { type: 'string', value: 'FILE', description: 'write the result to FILE instead of stdout' },
      'allow-writes': { type: 'boolean', description: "let the SQL change the user's own tables (never Sift's)" },
      explain: { type: 'boolean', description: 'print the plan; nothing runs' },
    },
  }),
  models: command({
    name: 'models',
    summary: 'the registered models',
    flags: { workspace, json },
  }),
  score: command({
    name: 'score',
    summary: 'score content with a model, into model_scores',
    flags: {
      workspace,
      model: { type: 'string', required: true, value: 'NAME', description: 'the model to score with' },
      sql: {
        type: 'string',
        required: true,
        value: 'SQL',
        description: 'the items: SELECT content_id, text, ... (the columns the model reads)',
      },
      remote: { type: 'string', value: 'URL', description: 'score on a KServe v2 server instead of locally' },
      'remote-model': { type: 'string', value: 'N', description: "the remote server's model name" },
      'remote-token': {
        type: 'string',
        value: 'T',
        description: 'the remote bearer token (default: $SIFT_REMOTE_TOKEN)',
      },
      'remote-ca': {
        type: 'string',
        value: 'FILE',
        description: "a CA certificate to trust for the remote server's TLS",
      },
      binary: { type: 'string', choices: ['auto', 'always', 'never'], description: "KServe's binary tensor extension" },
      batch: { type: 'string', value: 'N', description: 'items per inference batch' },
      json,
    },
  }),
  eval: command({
    name: 'eval',
    summary: "a model's AP, ROC AUC, Brier score and calibration against the labels",
    flags: {
      workspace,
      model: { type: 'string', required: true, value: 'NAME', description: 'the model to evaluate' },
      version: {
        type: 'string',
        value: 'V',
        description: 'the model version (default: the registered one if it has scores, else the latest scored)',
      },
      labels: {
        type: 'string',
        value: 'SQL',
        description: 'the labels to evaluate against (default: current_labels, majority vote)',
      },
      bins: { type: 'string', default: String(DEFAULT_BINS), value: 'N', description: 'reliability bins, 2 to 100' },
      strategy: {
        type: 'string',
        default: 'uniform',
        choices: ['uniform', 'quantile'],
        description: 'how the reliability bins are cut',
      },
      json,
    },
  }),
  spike: command({
    name: 'spike',
    summary: 'the marked spike windows of reports or moderation actions over time',
    flags: {
      workspace,
      bucket: { type: 'string', default: 'hour', choices: ['15min', 'hour', 'day'], description: 'the time bucket' },
      source: { type: 'string', default: 'reports', choices: ['reports', 'actions'], description: 'what is counted' },
      by: {
        type: 'string',
        value: 'DIMENSION',
        description: 'one series per value of this column (default: reason for reports, category for actions)',
      },
      threshold: { type: 'string', default: '3', value: 'Z', description: 'the z-score that marks a window' },
      json: { type: 'boolean', description: 'print the windows as JSON: start, end, series, z' },
    },
  }),
  sample: command({
    name: 'sample',
    summary: 'create a sample workspace',
    flags: {
      workspace: { ...workspace, required: true, description: 'the folder to create the sample workspace in' },
      kind: {
        type: 'string',
        default: 'platform',
        choices: SAMPLE_KINDS,
        description: 'a platform export or a Discourse-shaped forum',
      },
      from: { type: 'string', value: 'DIR', description: 'the sample files to load (default: the committed sample)' },
    },
  }),
  'session create': command({
    name: 'session create',
    summary: 'a labeling session: a pool of items ranked by a strategy, served in batches',
    flags: {
      workspace,
      name: { type: 'string', required: true, value: 'NAME', description: "the session's name" },
      pool: { type: 'string', required: true, value: 'SQL', description: 'the items: SELECT content_id FROM ...' },
      model: {
        type: 'string',
        required: true,
        value: 'NAME[@VERSION]',
        description: 'the model whose scores rank the pool',
      },
      strategy: { type: 'string', required: true, choices: STRATEGIES, description: 'how items are ranked' },
      batch: { type: 'string', required: true, value: 'N', description: 'items per batch' },
      overlap: { type: 'string', value: 'K', description: 'annotators per item (default: 1)' },
      'idle-minutes': {
        type: 'string',
        value: 'M',
        description: "minutes before an idle annotator's unlabeled items go to whoever asks next (default: 15)",
      },
      seed: { type: 'string', value: 'S', description: 'the seed of the seeded draws (random, stratified)' },
      annotator: { type: 'string', value: 'NAME', description: 'who creates the session' },
      json,
    },
  }),
  'session list': command({
    name: 'session list',
    summary: 'the labeling sessions',
    flags: { workspace, json },
  }),
  'session retrain': command({
    name: 'session retrain',
    summary:
      "retrain the session's model on the labels so far; the session re-ranks by it (a killed retrain leaves the previous version in use)",
    flags: { workspace, session: { type: 'string', required: true, value: 'ID', description: 'the session' }, json },
  }),
  'session next': command({
    name: 'session next',
    summary: "the annotator's open batch, or the next one",
    flags: {
      workspace,
      session: { type: 'string', required: true, value: 'ID', description: 'the session' },
      annotator: { type: 'string', required: true, value: 'NAME', description: 'the annotator' },
      json,
    },
  }),
  'labels ingest': command({
    name: 'labels ingest',
    summary: 'NDJSON label events on stdin; prints {"event_id":…} per event once it is on disk',
    flags: {
      workspace,
      session: { type: 'string', required: true, value: 'ID', description: 'the session' },
      annotator: { type: 'string', required: true, value: 'NAME', description: 'the annotator' },
    },
    notes: `One event per line: {"content_id":"c1","category":"spam","value":1} (optionally "leaf", "note"),
{"kind":"adjudicate","content_id","category","value"}, {"kind":"skip"|"unsure","content_id"},
{"kind":"note","content_id","note"} or {"kind":"undo"}. A bad line is named on stderr and skipped (exit code 1).`,
  }),
  'labels export': command({
    name: 'labels export',
    summary: "a session's audit trail (stdout without --out); one annotator's is their label pack",
    flags: {
      workspace,
      session: {
        type: 'string',
        value: 'ID',
        description: 'the session (required unless --format label-studio, which may cover every session)',
      },
      format: {
        type: 'string',
        default: 'ndjson',
        choices: ['ndjson', 'csv', 'parquet', 'label-studio'],
        description: 'the output format (parquet needs --out)',
      },
      annotator: { type: 'string', value: 'NAME', description: "only this annotator's events" },
      out: { type: 'string', value: 'FILE', description: 'write to FILE instead of stdout' },
    },
  }),
  'labels import': command({
    name: 'labels import',
    summary: 'a label pack or a Label Studio JSON export (a new session when none is named); twice adds nothing',
    positionals: 'FILE',
    flags: {
      workspace,
      session: { type: 'string', value: 'ID', description: 'the session to import into' },
      format: { type: 'string', default: 'pack', choices: ['pack', 'label-studio'], description: "the file's format" },
      json,
    },
  }),
  agreement: command({
    name: 'agreement',
    summary: "agreement per category: Fleiss' kappa, Krippendorff's alpha, Cohen's kappa per pair",
    flags: {
      workspace,
      session: {
        type: 'string',
        multiple: true,
        value: 'ID',
        description: 'a session to include (default: every session)',
      },
      json,
    },
  }),
  'dataset export': command({
    name: 'dataset export',
    summary: 'a new dataset version of the settled labels, split by time, with a manifest and a dataset card',
    flags: {
      workspace,
      name: { type: 'string', required: true, value: 'NAME', description: "the dataset's name" },
      out: {
        type: 'string',
        required: true,
        value: 'DIR',
        description: 'the folder that holds the versions (NAME/vN/ is created in it)',
      },
      session: {
        type: 'string',
        multiple: true,
        value: 'ID',
        description: 'a session whose labels are included (default: every session)',
      },
      'cut-date': {
        type: 'string',
        value: 'D',
        description:
          'train is before D, validation the --val-days after it, test the rest (default: the 70th and 85th percentiles of time)',
      },
      'val-days': { type: 'string', value: 'N', description: 'days of validation after --cut-date (default: 7)' },
      format: { type: 'string', default: 'parquet', value: 'parquet|parquet,jsonl', description: 'the files written' },
      policy: {
        type: 'string',
        value: 'vN',
        description: 'export the labels made under this policy version (default: the latest)',
      },
      'leave-out-other-policies': {
        type: 'boolean',
        description: 'leave out items labeled only under another policy version (otherwise they are refused by name)',
      },
      json,
    },
  }),
  'dataset verify': command({
    name: 'dataset verify',
    summary: "re-check a dataset version's checksums (exit 1 naming any file that differs)",
    positionals: 'DIR',
    flags: {
      workspace: {
        ...workspace,
        description:
          'the workspace that wrote it, whose record is checked too (default: the one the folder lies in, else the one used last)',
      },
      json,
    },
  }),
  'dataset diff': command({
    name: 'dataset diff',
    summary: 'items added, removed, relabeled, moved between two versions',
    positionals: 'DIR_A DIR_B',
    flags: { workspace, json },
  }),
  'policy migrate': command({
    name: 'policy migrate',
    summary: 'carry labels to a new policy version by its declared changes; the rest go to a relabel session',
    flags: {
      workspace,
      to: { type: 'string', value: 'vN', description: 'the policy version to migrate to (default: the newest)' },
      json,
    },
  }),
} as const;

export type CommandName = keyof typeof COMMANDS;

/** The words that take a second word, and the second words each takes (in the order the help lists them). */
export const COMMAND_GROUPS: Readonly<Record<string, readonly string[]>> = Object.entries(COMMANDS).reduce<
  Record<string, string[]>
>((groups, [name]) => {
  const [group, sub] = name.split(' ');
  if (sub) (groups[group!] ??= []).push(sub);
  return groups;
}, {});

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
      args,
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

/** `sift --help`, and `sift session --help` for a group: the commands, one line each. */
export function commandList(group?: string): string {
  const specs = Object.values(COMMANDS as Record<string, CommandSpec>).filter(
    (spec) => !group || spec.name.startsWith(`${group} `),
  );
  const width = Math.max(...specs.map((spec) => spec.name.length));
  const heading = group
    ? `Usage: sift ${group} <${COMMAND_GROUPS[group]!.join('|')}> [options]   (sift ${group} <command> --help for its options)`
    : 'Usage: sift <command> [options]   (every command takes --workspace DIR; sift <command> --help for its options)';
  return [heading, ...specs.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`)].join('\n');
}
