/**
 * The `sift` command line. Every command takes --workspace DIR (default: the workspace used last). The commands'
 * flags, and their help (`sift CMD --help`), are the tables in cliCommands.ts; the labeling commands are in
 * cliLabeling.ts.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InputOf, QueryResult, SpikeOverview } from '../shared/contract.js';
import { SiftError, toErrorInfo } from '../shared/errors.js';
import { tiedNote } from '../shared/labeling.js';
import { type SqlStatementSpan, splitStatements } from '../shared/sqlText.js';
import { shutdownComputePool } from './host/compute/workerPool.js';
import { readAppState, rememberWorkspace } from './host/workspace/appState.js';
import { exportRelation, type ExportFormat } from './host/query/exporter.js';
import { Host } from './host/host.js';
import { scoreQuery } from './host/models/scoring.js';
import { prepareReport } from './host/reports/reports.js';
import type { JobContext } from './host/jobs.js';
import { rendererDist } from './host/projectPaths.js';
import { createSampleWorkspace, type SampleKind } from './host/workspace/sampleWorkspace.js';
import { createEmptyWorkspace, DATABASE_FILE, isNewOrEmptyFolder } from './host/workspace/workspace.js';
import {
  COMMAND_GROUPS,
  COMMANDS,
  commandHelp,
  commandList,
  type CommandSpec,
  commandSynopsis,
  HelpRequested,
  parseCommand,
  UsageError,
} from './cliCommands.js';
import {
  commandAgreement,
  commandDataset,
  commandLabels,
  commandPolicy,
  commandSession,
  type CliTools,
} from './cliLabeling.js';
import { mappingFromFlags } from './cliMapping.js';
import { EngineClient } from './engine/engineClient.js';
import { startServer } from './server.js';
import { runTerminalJob } from './cli/terminalJobs.js';

function resolveWorkspace(flag: string | undefined): string {
  if (flag) return path.resolve(flag);
  const last = readAppState().lastWorkspace;
  if (!last)
    throw new UsageError(
      'No workspace given and none used before: pass --workspace DIR (create one with: sift sample --workspace DIR).',
    );
  return last;
}

/** Progress for the terminal: a live line on a TTY, nothing on a pipe (scripts read stdout, not this). */
function terminalJobContext(label: string): { ctx: JobContext; finish(): void; controller: AbortController } {
  const controller = new AbortController();
  const live = process.stderr.isTTY;
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return {
    controller,
    ctx: {
      signal: controller.signal,
      progress: (fraction, message) => {
        if (live)
          process.stderr.write(
            `\r${label}: ${message ?? ''} ${fraction === null ? '' : `${Math.round(fraction * 100)}%`}   `,
          );
      },
      log: (message) => process.stderr.write(`${message}\n`),
    },
    finish: () => {
      process.off('SIGINT', onSigint);
      if (live) process.stderr.write('\r\x1b[K');
    },
  };
}

function splitParam(raw: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param ${raw}: expected NAME=VALUE.`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

function parseParam(raw: string): [string, string | number | boolean | null] {
  const [name, value] = splitParam(raw);
  if (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return [name, Number(value)];
  if (/^-?\d*\.\d+(e[-+]?\d+)?$/i.test(value)) return [name, Number(value)];
  if (value === 'true' || value === 'false') return [name, value === 'true'];
  if (value === '#null') return [name, null];
  return [name, value];
}

function formatTable(columns: string[], rows: unknown[][]): string {
  const cell = (value: unknown) =>
    value === null ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const text = rows.map((row) => row.map(cell));
  const widths = columns.map((name, i) => Math.min(60, Math.max(name.length, ...text.map((row) => row[i]!.length))));
  const fit = (value: string, i: number) =>
    value.length > widths[i]! ? `${value.slice(0, widths[i]! - 1)}…` : value.padEnd(widths[i]!);
  const lines = [
    columns.map(fit).join(' │ '),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...text.map((row) => row.map(fit).join(' │ ')),
  ];
  return `${lines.join('\n')}\n`;
}

async function withHost<T>(workspaceFlag: string | undefined, work: (host: Host) => Promise<T>): Promise<T> {
  const host = await Host.open(resolveWorkspace(workspaceFlag));
  try {
    return await work(host);
  } finally {
    await host.close();
  }
}

const cliTools: CliTools = {
  withHost,
  terminalJobContext,
  formatTable,
  usageError: (message) => new UsageError(message),
};

async function commandImport(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(COMMANDS.import, args);
  if (positionals.length === 0) throw new UsageError('import: name at least one FILE.');
  const mapping = mappingFromFlags(
    { as: values.as, map: values.map, whenTaken: values['when-taken'] },
    positionals.length,
    (message) => new UsageError(message),
  );
  if (values.table && positionals.length > 1)
    throw new UsageError('import: --table names one table, so give one FILE with it.');
  if (values.workspace && isNewOrEmptyFolder(path.resolve(values.workspace))) {
    // Your own data into a new folder: the workspace is made for it (and said, so a typo in the path is noticed).
    const created = await createEmptyWorkspace(values.workspace);
    await created.close();
    process.stderr.write(`sift: created an empty workspace in ${created.dir}\n`);
  }
  return withHost(values.workspace, async (host) => {
    for (const file of positionals) {
      try {
        // The same contract check IPC and HTTP apply: a table name like "label_events " or "sift.imports" is refused here too.
        const input = {
          path: file,
          table: values.table,
          link: values.link,
          replace: values.replace,
          encoding: values.encoding,
          skipBadRows: values['skip-bad-rows'],
          mapping,
        } as InputOf<'import.run'>;
        const outcome = await runTerminalJob(host, 'import.run', input, path.basename(file));
        const setAside = outcome.rejected
          ? `; ${outcome.rejected} bad rows set aside in ${outcome.rejectsTable} (line, raw, reason)`
          : outcome.rejected === 0
            ? '; no bad rows'
            : '';
        console.log(
          `Imported ${outcome.rows} rows from ${file} into ${outcome.table}${outcome.linked ? ' (linked)' : ''} in ${(outcome.elapsedMs / 1000).toFixed(2)} s${setAside}`,
        );
        if (outcome.mapping) {
          const mapped = Object.entries(outcome.mapping.columns)
            .filter(([, from]) => from !== null)
            .map(([to, from]) => `${to}=${from}`)
            .join(', ');
          const how =
            outcome.mapping.appendedRows !== undefined
              ? `appended ${outcome.mapping.appendedRows} rows to the table`
              : `mapped as the view`;
          console.log(
            `${outcome.table} ${how} ${outcome.mapping.canonicalTable} (${mapped})${outcome.mapping.backupTable ? `; the old ${outcome.mapping.canonicalTable} table is kept as ${outcome.mapping.backupTable}` : ''}`,
          );
        }
        if (outcome.canonicalViews)
          console.log(
            `The Discourse tables are complete: added the view(s) ${outcome.canonicalViews.join(', ')} over them (flags as reports, reviewable resolutions as moderation actions).`,
          );
      } catch (error) {
        // The host names the choice in words the app's dialog shows; on the command line it is a flag.
        if (error instanceof SiftError && error.info.code === 'IMPORT_TABLE_EXISTS') {
          throw new SiftError({
            ...error.info,
            message: `${error.info.message.replace(/\.$/, '')} (--table NAME${error.info.message.includes('replace') ? ' or --replace' : ''}).`,
          });
        }
        if (error instanceof SiftError && error.info.message.startsWith('whenTaken: ')) {
          throw new SiftError({
            ...error.info,
            message: `${error.info.message.replace(/^whenTaken: /, '').replace(/\.$/, '')} (--when-taken replace|append).`,
          });
        }
        throw error;
      }
    }
    return 0;
  });
}

async function commandTables(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.tables, args);
  return withHost(values.workspace, async (host) => {
    const tables = await host.workspace.listTables();
    if (values.json) {
      console.log(JSON.stringify(tables, null, 2));
    } else {
      process.stdout.write(
        formatTable(
          ['table', 'kind', 'rows', 'columns', 'notes'],
          tables.map((t) => [
            t.name,
            t.kind,
            t.rowCount,
            t.columns.length,
            [t.protected ? 'protected' : '', t.source?.linked ? 'linked' : '', t.mappedTo ? `→ ${t.mappedTo}` : '']
              .filter(Boolean)
              .join(', '),
          ]),
        ),
      );
    }
    return 0;
  });
}

/** Rows the table format prints of one result; csv and json print all. */
const TABLE_ROWS = 1000;

/** A result with rows stored (not an INSERT's message). */
type RowsResult = QueryResult & { resultId: string };
const hasRows = (result: QueryResult): result is RowsResult => result.resultId !== null;

async function commandQuery(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.query, args);
  const format = values.format;
  if (format === 'parquet' && !values.out) throw new UsageError('query: --format parquet needs --out FILE.');
  let sql = values.sql;
  if (values.file) {
    if (!fs.existsSync(values.file))
      throw new SiftError({ code: 'NOT_FOUND', message: `${values.file}: no such file.`, file: values.file });
    sql = fs.readFileSync(values.file, 'utf8');
  }
  // A script prints each statement's result in turn; one file holds them only as one JSON array.
  const statements = splitStatements(sql!);
  if (statements.length > 1 && values.out && format !== 'json') {
    throw new UsageError(
      `query: --out with a script of ${statements.length} statements takes --format json (one array, an element per statement).`,
    );
  }
  const rawParams = values.param ?? [];
  return withHost(values.workspace, async (host) => {
    // A report (SQL with a Data Explorer `-- [params]` block) takes `:name` parameters, cast by their declared
    // types; plain SQL takes DuckDB's `$name` parameters with values typed from their text.
    const isReport = /^\s*--\s*\[params\]\s*$/m.test(sql!);
    const query = isReport
      ? prepareReport(sql!, Object.fromEntries(rawParams.map((raw) => splitParam(raw))))
      : { sql: sql!, binds: Object.fromEntries(rawParams.map(parseParam)) };
    if (values.explain) {
      const { plan } = await host.queries.explain(
        Host.validate('query.explain', { sql: query.sql, params: query.binds }),
        Boolean(values['allow-writes']),
      );
      process.stdout.write(`${plan}\n`);
      return 0;
    }
    const input = Host.validate('query.run', {
      queryId: randomUUID(),
      sql: query.sql,
      params: query.binds,
      pageSize: 0,
    });
    const result = await host.queries.run(input, Boolean(values['allow-writes']), { everyStatement: true });
    if (!result.statements) return printResult(host, result, format, values.out);
    return printScript(host, result.statements, statements, format, values.out);
  });
}

/** One statement's result, as `sift query` has always printed it. */
async function printResult(host: Host, result: QueryResult, format: string, out: string | undefined): Promise<number> {
  if (!hasRows(result)) {
    console.error(result.message);
    return 0;
  }
  const { rowCount } = await host.queries.resultTable(result.resultId); // every row stored
  if (format === 'table') {
    const text = await tableText(host, result);
    if (out) fs.writeFileSync(out, text);
    else process.stdout.write(text);
    return 0;
  }
  if (out) {
    await exportResult(host, result, format as ExportFormat, out);
    console.error(`Wrote ${rowCount} rows to ${out}`);
  } else {
    await withExported(host, result, format as ExportFormat, (file) => pipeFile(file, process.stdout));
  }
  return 0;
}

/**
 * A script's results in turn: table — a heading per statement, then its rows or its message; csv — a block per
 * statement that returns rows, separated by a blank line; json — one array with an element per statement (a
 * statement without rows, such as an INSERT, is null and its message goes to stderr), to stdout or --out.
 */
async function printScript(
  host: Host,
  results: QueryResult[],
  statements: SqlStatementSpan[],
  format: string,
  out: string | undefined,
): Promise<number> {
  if (format === 'table') {
    for (const [index, result] of results.entries()) {
      // The statement as a heading: one line, without the comments that lead it.
      const text = statements[index]!.text.replace(/^(\s*--[^\n]*(\n|$))+/, '')
        .replace(/\s+/g, ' ')
        .trim();
      process.stdout.write(
        `${index > 0 ? '\n' : ''}-- statement ${index + 1} of ${results.length}: ${text.length > 100 ? `${text.slice(0, 99)}…` : text}\n`,
      );
      process.stdout.write(hasRows(result) ? await tableText(host, result) : `${result.message}\n`);
    }
    return 0;
  }
  if (format === 'csv') {
    let blocks = 0;
    for (const result of results) {
      if (!hasRows(result)) {
        console.error(result.message);
        continue;
      }
      if (blocks++ > 0) process.stdout.write('\n');
      await withExported(host, result, 'csv', (file) => pipeFile(file, process.stdout));
    }
    return 0;
  }
  // json: the elements are each result's own JSON array, written one after another into a single array.
  const writeArray = async (sink: NodeJS.WritableStream) => {
    sink.write('[\n');
    for (const [index, result] of results.entries()) {
      if (index > 0) sink.write(',\n');
      if (hasRows(result)) await withExported(host, result, 'json', (file) => pipeFile(file, sink, true));
      else {
        console.error(`statement ${index + 1}: ${result.message}`);
        sink.write('null');
      }
    }
    sink.write('\n]\n');
  };
  if (!out) {
    await writeArray(process.stdout);
    return 0;
  }
  // The same checks and the same all-or-nothing write as any export: a temporary name beside the target, renamed once whole.
  const target = host.workspace.checkExportTarget(out, 'path');
  const partial = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}-${randomUUID().slice(0, 8)}.partial`,
  );
  try {
    const file = fs.createWriteStream(partial);
    const closed = new Promise<void>((resolve, reject) => file.on('close', resolve).on('error', reject));
    await writeArray(file);
    file.end();
    await closed;
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  console.error(`Wrote ${results.length} results to ${out}`);
  return 0;
}

/** The table format: the first TABLE_ROWS rows, saying so on stderr when there are more. */
async function tableText(host: Host, result: RowsResult): Promise<string> {
  const { rowCount } = await host.queries.resultTable(result.resultId);
  const page = await host.queries.page({
    resultId: result.resultId,
    offset: 0,
    limit: Math.max(1, Math.min(TABLE_ROWS, rowCount)),
  });
  if (rowCount > TABLE_ROWS)
    console.error(
      `(${rowCount.toLocaleString('en-US')} rows; the first ${TABLE_ROWS} shown — use --format csv or json for all)`,
    );
  return formatTable(
    result.columns.map((c) => c.name),
    rowCount === 0 ? [] : page.rows,
  );
}

async function exportResult(host: Host, result: RowsResult, format: ExportFormat, target: string): Promise<void> {
  const { table } = await host.queries.resultTable(result.resultId);
  const terminal = terminalJobContext('export');
  try {
    await exportRelation(host.workspace, `SELECT * FROM ${table}`, format, target, terminal.ctx);
  } finally {
    terminal.finish();
  }
}

/** Exports a result to a temporary file, hands it to `use`, and removes it. */
async function withExported(
  host: Host,
  result: RowsResult,
  format: ExportFormat,
  use: (file: string) => Promise<void>,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-query-'));
  try {
    const file = path.join(dir, `out.${format}`);
    await exportResult(host, result, format, file);
    await use(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies a file to `sink` (left open); `trimFinalNewline` drops the file's last newline, to join JSON arrays neatly. */
async function pipeFile(file: string, sink: NodeJS.WritableStream, trimFinalNewline = false): Promise<void> {
  let heldNewline = false;
  const write = async (text: string) => {
    if (text && !sink.write(text)) await once(sink, 'drain');
  };
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' })) {
    const text: string = `${heldNewline ? '\n' : ''}${chunk as string}`;
    heldNewline = trimFinalNewline && text.endsWith('\n');
    await write(heldNewline ? text.slice(0, -1) : text);
  }
}

async function commandSpike(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.spike, args);
  const threshold = Number(values.threshold);
  if (!Number.isFinite(threshold) || threshold <= 0)
    throw new UsageError('spike: --threshold is a positive number (a z-score).');
  return withHost(values.workspace, async (host) => {
    const outcome = await host.dispatch('spike.overview', {
      source: values.source,
      by: values.by,
      bucket: values.bucket,
      threshold,
    });
    if (!outcome.ok) throw new SiftError(outcome.error);
    const overview = outcome.value as SpikeOverview;
    if (values.json) {
      // Scripts rely on exactly these keys.
      console.log(
        JSON.stringify(
          overview.windows.map(({ start, end, series, z }) => ({ start, end, series, z })),
          null,
          2,
        ),
      );
      return 0;
    }
    process.stdout.write(
      formatTable(
        ['start', 'end', 'series', 'z', 'count', 'expected'],
        overview.windows.map((w) => [w.start, w.end, w.series, w.z, w.count, w.expected]),
      ),
    );
    for (const marker of overview.markers)
      console.log(`model ${marker.model} ${marker.previous} → ${marker.version} at ${marker.at}`);
    return 0;
  });
}

async function commandModels(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.models, args);
  return withHost(values.workspace, async (host) => {
    const models = await host.models.list();
    if (values.json) {
      console.log(
        JSON.stringify(
          models.map((m) => ({
            name: m.name,
            version: m.version,
            kind: m.kind,
            categories: m.categories,
            runtime: m.kind === 'late_fusion' ? 'cuda (cpu fallback)' : 'cpu',
            hash: m.hash,
            dir: m.dir,
            source: m.source,
            ...(m.error ? { error: m.error } : {}),
          })),
          null,
          2,
        ),
      );
      return 0;
    }
    process.stdout.write(
      formatTable(
        ['model', 'version', 'kind', 'categories', 'runtime', 'hash', 'problem'],
        models.map((m) => [
          m.name,
          m.version,
          m.kind,
          m.categories.join(','),
          m.kind === 'late_fusion' ? 'cuda→cpu' : 'cpu',
          m.hash.slice(0, 12),
          m.error ?? '',
        ]),
      ),
    );
    return 0;
  });
}

async function commandScore(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.score, args);
  const batchSize = values.batch ? Number(values.batch) : undefined;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1))
    throw new UsageError('score: --batch is a positive integer.');
  const remote = values.remote
    ? {
        url: values.remote,
        model: values['remote-model'],
        token: values['remote-token'] ?? process.env.SIFT_REMOTE_TOKEN,
        caFile: values['remote-ca'],
        binary: values.binary as 'auto' | 'always' | 'never' | undefined,
      }
    : undefined;
  return withHost(values.workspace, async (host) => {
    const terminal = terminalJobContext(`score ${values.model}`);
    try {
      const outcome = await scoreQuery(
        host.workspace,
        host.models,
        { model: values.model, sql: values.sql, remote, batchSize },
        terminal.ctx,
      );
      terminal.finish();
      if (values.json) console.log(JSON.stringify(outcome, null, 2));
      else
        console.log(
          `Scored ${outcome.items} items with ${outcome.model} ${outcome.version} on ${outcome.provider} (${outcome.note}): ${outcome.rows} scores written to model_scores (run ${outcome.runId}, ${outcome.replaced} earlier scores of this version replaced) in ${(outcome.elapsedMs / 1000).toFixed(1)} s, ${outcome.itemsPerSecond} items/s`,
        );
      return 0;
    } finally {
      terminal.finish();
    }
  });
}

async function commandEval(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.eval, args);
  const bins = Number(values.bins);
  if (!Number.isInteger(bins) || bins < 2 || bins > 100)
    throw new UsageError('eval: --bins is an integer from 2 to 100.');
  return withHost(values.workspace, async (host) => {
    const input = { model: values.model, version: values.version, labels: values.labels, bins };
    const result = await runTerminalJob(host, 'eval.run', input, 'eval');
    const strategy = values.strategy as 'uniform' | 'quantile';
    const categories = Object.fromEntries(
      result.categories.map((c) => [
        c.category,
        {
          n: c.n,
          positives: c.positives,
          average_precision: c.averagePrecision,
          roc_auc: c.rocAuc,
          brier: c.brier,
          ece: c.ece,
          mce: c.mce,
          tied: result.tied.byCategory[c.category] ?? 0,
          bins: c.reliability[strategy].map((bin) => ({
            mean_predicted: bin.meanPredicted,
            fraction_positive: bin.fractionPositive,
            count: bin.count,
          })),
        },
      ]),
    );
    if (values.json) {
      console.log(
        JSON.stringify(
          {
            model: result.model,
            version: result.version,
            labels: result.labelSource,
            bins,
            strategy,
            categories,
            tied_items: result.tied.items,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(4));
    process.stdout.write(
      formatTable(
        ['category', 'n', 'positives', 'AP', 'ROC AUC', 'Brier', `ECE (${bins})`, 'MCE'],
        result.categories.map((c) => [
          c.category,
          c.n,
          c.positives,
          fmt(c.averagePrecision),
          fmt(c.rocAuc),
          fmt(c.brier),
          fmt(c.ece),
          fmt(c.mce),
        ]),
      ),
    );
    console.log(`${result.model} ${result.version}, labels from ${result.labelSource}`);
    if (result.tied.items > 0) console.log(tiedNote(result.tied.items));
    return 0;
  });
}

async function commandInit(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.init, args);
  const workspace = await createEmptyWorkspace(values.workspace);
  await workspace.close();
  // The policy file and Sift's own tables are in place before the first import.
  const host = await Host.open(workspace.dir, { remember: false });
  try {
    await (await host.labeling()).list();
  } finally {
    await host.close();
  }
  rememberWorkspace(workspace.dir);
  console.log(
    `Created an empty workspace in ${workspace.dir}. Import your data with: sift import --workspace ${workspace.dir} FILE… (map it onto content, users, reports, moderation_actions to light up every view).`,
  );
  return 0;
}

async function commandSample(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.sample, args);
  const workspace = await createSampleWorkspace(values.workspace, {
    kind: values.kind as SampleKind,
    from: values.from,
  });
  const tables = await workspace.listTables();
  await workspace.close();
  rememberWorkspace(workspace.dir);
  console.log(
    `Created sample workspace ${workspace.dir}: ${tables.map((t) => `${t.name} (${t.rowCount})`).join(', ')}`,
  );
  return 0;
}

async function commandServe(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.serve, args);
  const port = values.port ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('serve: --port is a number from 0 to 65535.');
  const folders = (values.folder ?? []).map((folder) => path.resolve(folder));
  for (const folder of folders)
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
      throw new UsageError(`serve: --folder ${folder} is not a folder.`);
  // A server may be reached by others: SQL and imports read only the workspace and the folders named here.
  // The workspace lives in the engine process; this one only serves HTTP and routes calls to it.
  const dir = resolveWorkspace(values.workspace);
  if (!fs.existsSync(path.join(dir, DATABASE_FILE)))
    throw new SiftError({
      code: 'WORKSPACE_MISSING',
      message: `${dir} is not a Sift workspace (no ${DATABASE_FILE}). Create an empty one with: sift init --workspace ${dir} (or the sample data with: sift sample --workspace ${dir})`,
    });
  const host = await EngineClient.start({ dir, fileAccess: { kind: 'confined', folders } });
  rememberWorkspace(host.workspaceDir());
  const server = await startServer({
    host,
    port,
    token: values['no-token'] ? null : undefined,
    staticDir: rendererDist(),
  });
  console.log(`Sift is serving ${host.workspaceDir()} at ${server.url}`);
  if (values.open) openInBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.close();
  return 0;
}

export function openInBrowser(url: string): boolean {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const found =
    process.platform !== 'linux' ||
    (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, opener)));
  if (!found) return false;
  import('node:child_process').then(({ spawn }) => spawn(opener, [url], { detached: true, stdio: 'ignore' }).unref());
  return true;
}

const HELP_FLAGS = ['--help', '-h'];

/** The table of the command argv names (`query`, `session create`), if it names one. */
function specOf(argv: string[]): CommandSpec | undefined {
  const commands: Record<string, CommandSpec> = COMMANDS;
  return commands[`${argv[0]} ${argv[1]}`] ?? commands[argv[0] ?? ''];
}

/** What follows a usage mistake: the command's synopsis, or the list of commands (of its group). */
function usageHint(argv: string[]): string {
  const spec = specOf(argv);
  if (spec) return `Usage: ${commandSynopsis(spec)}\nRun "sift ${spec.name} --help" for what each option does.`;
  return commandList(argv[0] && COMMAND_GROUPS[argv[0]] ? argv[0] : undefined);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `sift help [CMD]`, `sift --help`, and `sift GROUP --help` (`sift session --help`) list commands or show one's help.
    if (command === undefined || command === 'help' || HELP_FLAGS.includes(command)) {
      const spec = rest.length > 0 ? specOf(rest) : undefined;
      if (rest.length > 0 && !spec && !COMMAND_GROUPS[rest[0]!])
        throw new UsageError(`Unknown command "${rest.join(' ')}".`);
      console.log(spec ? commandHelp(spec) : commandList(rest[0]));
      return command === undefined ? 2 : 0;
    }
    if (COMMAND_GROUPS[command] && HELP_FLAGS.includes(rest[0] ?? '')) {
      console.log(commandList(command));
      return 0;
    }
    switch (command) {
      case 'serve':
        return await commandServe(rest);
      case 'import':
        return await commandImport(rest);
      case 'tables':
        return await commandTables(rest);
      case 'query':
        return await commandQuery(rest);
      case 'init':
        return await commandInit(rest);
      case 'sample':
        return await commandSample(rest);
      case 'spike':
        return await commandSpike(rest);
      case 'models':
        return await commandModels(rest);
      case 'score':
        return await commandScore(rest);
      case 'eval':
        return await commandEval(rest);
      case 'session':
        return await commandSession(rest, cliTools);
      case 'labels':
        return await commandLabels(rest, cliTools);
      case 'agreement':
        return await commandAgreement(rest, cliTools);
      case 'dataset':
        return await commandDataset(rest, cliTools);
      case 'policy':
        return await commandPolicy(rest, cliTools);
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(commandHelp(error.spec));
      return 0;
    }
    if (error instanceof UsageError) {
      console.error(`sift: ${error.message}\n${error.spec ? usageHint(error.spec.name.split(' ')) : usageHint(argv)}`);
      return 2;
    }
    console.error(`sift: ${toErrorInfo(error).message.split('\n')[0]}`);
    return 1;
  } finally {
    // A command that used the compute pool (eval, spike drill, scoring) would otherwise keep the process alive.
    await shutdownComputePool();
  }
}
