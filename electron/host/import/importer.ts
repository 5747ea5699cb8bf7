/**
 * Imports CSV/TSV, Parquet, JSON and NDJSON files into the workspace, either copied into a table or linked as
 * a view over the file. Everything happens inside one transaction: a file that fails part-way leaves no table,
 * no view and no bookkeeping behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { PROTECTED_TABLES, suggestMappings } from '../../../shared/canonical.js';
import type {
  Cell,
  CsvDialect,
  ImportFormat,
  ImportOutcome,
  ImportPreview,
  SavedMapping,
} from '../../../shared/contract.js';
import { SiftError, toErrorInfo } from '../../../shared/errors.js';
import { JsonDepthMeter, MAX_JSON_DEPTH } from '../../../shared/jsonDepth.js';
import { byteOrderMark, SNIFF_BYTES, looksBinary, sniffCsv } from './csvSniff.js';
import { importError } from '../workspace/duckdbErrors.js';
import {
  checkMapping,
  checkMappingShape,
  type MappingRequest,
  mappingTarget,
  refuseTakenWithoutChoice,
  saveMapping,
} from './mappings.js';
import { type JobContext, trackDuckdbWork } from '../jobs.js';
import { openRegularFile } from '../workspace/fileAccess.js';
import { quoteIdent, quoteLiteral, type Workspace } from '../workspace/workspace.js';

export interface ImportOptions {
  table?: string;
  link?: boolean;
  replace?: boolean;
  encoding?: CsvDialect['encoding'];
  /** CSV: set rows DuckDB cannot read aside into `<table>__rejects` (line, raw text, reason) instead of failing. */
  skipBadRows?: boolean;
  /**
   * Map the imported table onto a canonical one as part of the import: the mapping is checked (columns, keys, no NULL
   * key) inside the import's transaction, so a refused mapping leaves no table behind.
   */
  mapping?: Omit<MappingRequest, 'sourceTable'>;
}

/** How a CSV read treats bad rows: fail on the first (the default), set them aside, or pass over them for a preview. */
type BadRows = 'fail' | 'set-aside' | 'preview';
const REJECTS = { table: 'sift_rejects', scan: 'sift_reject_scans' };
export const rejectsTableFor = (table: string) => `${table}__rejects`;

interface ReadPlan {
  format: ImportFormat;
  /** A DuckDB table expression that reads the file. */
  source: string;
  csv?: CsvDialect;
  bytes: number;
  /** The first bad row the sample shows (preview and set-aside reads only). */
  problem?: string;
  setsRejectsAside?: boolean;
}

const PARQUET_MAGIC = 'PAR1';

// Every read of the user's file opens it with openRegularFile: a FIFO would block the engine's loop on open.
function readHead(file: string, bytes: number): Buffer {
  const fd = openRegularFile(file);
  try {
    const buffer = Buffer.alloc(bytes);
    const read = fs.readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

function readTail(file: string, size: number, bytes: number): Buffer {
  const fd = openRegularFile(file);
  try {
    const buffer = Buffer.alloc(Math.min(bytes, size));
    fs.readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer;
  } finally {
    fs.closeSync(fd);
  }
}

function detectFormat(file: string, head: Buffer): ImportFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.parquet' || extension === '.pq' || head.subarray(0, 4).toString('latin1') === PARQUET_MAGIC)
    return 'parquet';
  if (extension === '.json' || extension === '.ndjson' || extension === '.jsonl') return 'json';
  if (['.csv', '.tsv', '.txt', '.tab'].includes(extension)) return 'csv';
  const firstChar = head.toString('utf8', 0, Math.min(head.length, 256)).trimStart()[0];
  return firstChar === '{' || firstChar === '[' ? 'json' : 'csv';
}

/** A table name from a file name: letters, digits and underscores, not starting with a digit. */
export function tableNameFor(file: string): string {
  const base = path.basename(file).replace(/\.(csv|tsv|txt|tab|parquet|pq|json|ndjson|jsonl)(\.gz)?$/i, '');
  let name = base
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) name = 'imported';
  if (/^[0-9]/.test(name)) name = `t_${name}`;
  return name.slice(0, 63);
}

/** Checks the file and decides how DuckDB should read it; throws a SiftError naming the file on any problem. */
export function planRead(
  file: string,
  encoding?: CsvDialect['encoding'],
  display = path.basename(file),
  badRows: BadRows = 'fail',
  detected: DetectedDialect | null = null,
): ReadPlan {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new SiftError({ code: 'IMPORT_NOT_FOUND', message: `${file}: no such file.`, file });
  }
  if (!stat.isFile()) throw new SiftError({ code: 'IMPORT_NOT_FOUND', message: `${file}: not a regular file.`, file });
  if (stat.size === 0)
    throw new SiftError({ code: 'IMPORT_EMPTY', message: `${display}: the file is empty (0 bytes).`, file });
  const head = readHead(file, SNIFF_BYTES);
  const format = detectFormat(file, head);
  const literal = quoteLiteral(file);
  if (format === 'parquet') {
    const tail = readTail(file, stat.size, 4).toString('latin1');
    if (head.subarray(0, 4).toString('latin1') !== PARQUET_MAGIC || tail !== PARQUET_MAGIC || stat.size < 12) {
      throw new SiftError({
        code: 'IMPORT_BAD_PARQUET',
        message: `${display}: not a readable Parquet file — ${tail !== PARQUET_MAGIC ? 'it is truncated (the footer is missing)' : 'it does not start with the Parquet header'}.`,
        file,
      });
    }
    return { format, source: `read_parquet(${literal})`, bytes: stat.size };
  }
  if (format === 'json') {
    if (looksBinary(head))
      throw new SiftError({ code: 'IMPORT_BINARY', message: `${display}: this is a binary file, not JSON.`, file });
    if (head.toString('utf8').trim() === '')
      throw new SiftError({ code: 'IMPORT_EMPTY', message: `${display}: the file is empty.`, file });
    checkJsonDepth(file, display);
    return {
      format,
      source: `read_json_auto(${literal}, format = 'auto', maximum_object_size = 67108864)`,
      bytes: stat.size,
    };
  }
  const sniff = sniffCsv(
    display,
    head,
    head.length >= stat.size,
    path.extname(file).toLowerCase(),
    encoding,
    badRows !== 'fail',
    detected,
  );
  const options = [
    `delim = ${quoteLiteral(sniff.delimiter)}`,
    `quote = '"'`,
    `escape = ${quoteLiteral(sniff.escape)}`,
    'strict_mode = true',
    'null_padding = false',
  ];
  if (sniff.encoding !== 'utf-8') options.push(`encoding = ${quoteLiteral(sniff.encoding)}`);
  // A preview reads the same way (its rejects live in the preview connection's temporary catalog and go with it):
  // DuckDB's ignore_errors misreads a ragged file as one over-long line.
  if (badRows !== 'fail')
    options.push(
      'store_rejects = true',
      `rejects_table = ${quoteLiteral(REJECTS.table)}`,
      `rejects_scan = ${quoteLiteral(REJECTS.scan)}`,
    );
  return {
    format,
    source: `read_csv(${literal}, ${options.join(', ')})`,
    csv: { delimiter: sniff.delimiter, header: true, encoding: sniff.encoding },
    bytes: stat.size,
    ...(sniff.problem ? { problem: sniff.problem.message } : {}),
    setsRejectsAside: badRows === 'set-aside',
  };
}

export interface DetectedDialect {
  delimiter: string;
  escape: string;
}

/**
 * DuckDB's sniffer on a delimited text file: its delimiter and escape character, or null when it cannot tell (a
 * non-CSV file, an encoding it does not read). Bad rows do not stop it: deciding about them is the import's job.
 */
async function sniffWithDuckdb(conn: DuckDBConnection, file: string): Promise<DetectedDialect | null> {
  const extension = path.extname(file).toLowerCase();
  if (['.parquet', '.pq', '.json', '.ndjson', '.jsonl'].includes(extension)) return null;
  try {
    const row = (
      await conn.runAndReadAll(`SELECT Delimiter, Escape FROM sniff_csv(${quoteLiteral(file)}, ignore_errors = true)`)
    ).getRowsJson()[0];
    return row ? { delimiter: String(row[0]), escape: String(row[1]) } : null;
  } catch {
    return null;
  }
}

/** Reads the whole file once, in chunks, and refuses nesting DuckDB's JSON reader cannot survive. */
function checkJsonDepth(file: string, display: string): void {
  const meter = new JsonDepthMeter();
  const fd = openRegularFile(file);
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      meter.feed(buffer.subarray(0, read));
      if (meter.maxDepth > MAX_JSON_DEPTH) {
        throw new SiftError({
          code: 'IMPORT_BAD_JSON',
          message: `${display}: JSON nested more than ${MAX_JSON_DEPTH} levels deep (at byte ${meter.maxAt.toLocaleString('en-US')}); Sift refuses it because DuckDB's JSON reader cannot read such nesting safely. Flatten the export.`,
          file,
        });
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** DuckDB reads `*`, `?` and `[` in a path as a pattern; Sift reads the file the user named, literally. */
const GLOB_CHARACTERS = /[*?[\]]/;

/**
 * The path DuckDB should read for a user's file: the file itself, or for a name DuckDB would take as a pattern a
 * link to it under a plain name in the workspace's temporary folder (removed by `release`).
 */
function literalPath(workspace: Workspace, file: string, purpose: 'read' | 'link'): { path: string; release(): void } {
  if (!GLOB_CHARACTERS.test(file)) return { path: file, release: () => undefined };
  if (purpose === 'link') {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${path.basename(file)}: a linked file's path may not contain *, ? or [ (DuckDB would read it as a pattern); rename the file or import a copy.`,
      file,
    });
  }
  const alias = path.join(
    workspace.tempDir(),
    `import-${randomUUID()}${path.extname(file).replace(GLOB_CHARACTERS, '')}`,
  );
  fs.symlinkSync(file, alias);
  return { path: alias, release: () => fs.rmSync(alias, { force: true }) };
}

/**
 * DuckDB reads UTF-8 text. A UTF-16 file (marked by its byte-order mark, or named so by the user) is decoded by
 * Sift into a UTF-8 copy in the workspace's temporary folder; a UTF-32 file is refused by name.
 */
function decodedPath(
  workspace: Workspace,
  file: string,
  purpose: 'read' | 'link',
  encoding: CsvDialect['encoding'] | undefined,
): { path: string; utf16: boolean; release(): void } {
  const plain = { path: file, utf16: false, release: () => undefined };
  const extension = path.extname(file).toLowerCase();
  if (extension === '.parquet' || extension === '.pq') return plain;
  let mark: ReturnType<typeof byteOrderMark> = null;
  try {
    mark = byteOrderMark(readHead(file, 4));
  } catch {
    return plain; // planRead names a missing or unreadable file
  }
  if (mark === 'utf-32le' || mark === 'utf-32be') {
    throw new SiftError({
      code: 'IMPORT_BAD_ENCODING',
      message: `${path.basename(file)}: the file is UTF-32 (${mark.toUpperCase()}), which Sift does not read; save it as UTF-8.`,
      file,
    });
  }
  const utf16 = mark === 'utf-16le' || mark === 'utf-16be' || (encoding === 'utf-16' && mark === null);
  if (!utf16) return plain;
  if (purpose === 'link') {
    throw new SiftError({
      code: 'IMPORT_BAD_ENCODING',
      message: `${path.basename(file)}: a linked file must be UTF-8 (this one is UTF-16); import a copy instead.`,
      file,
    });
  }
  const copy = path.join(workspace.tempDir(), `import-${randomUUID()}${extension}`);
  const decoder = new TextDecoder(mark === 'utf-16be' ? 'utf-16be' : 'utf-16le', { fatal: true });
  const input = openRegularFile(file);
  const output = fs.openSync(copy, 'w');
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const read = fs.readSync(input, buffer, 0, buffer.length, null);
      const text = decoder.decode(buffer.subarray(0, read), { stream: read > 0 });
      fs.writeSync(output, text.replace(/^\uFEFF/, ''));
      if (read === 0) break;
    }
  } catch (error) {
    fs.closeSync(output);
    fs.rmSync(copy, { force: true });
    if (error instanceof SiftError) throw error;
    throw new SiftError({
      code: 'IMPORT_BAD_ENCODING',
      message: `${path.basename(file)}: not valid UTF-16 text (${error instanceof Error ? error.message : error}).`,
      file,
    });
  } finally {
    fs.closeSync(input);
  }
  fs.closeSync(output);
  return { path: copy, utf16: true, release: () => fs.rmSync(copy, { force: true }) };
}

/** What DuckDB should read for the user's file — literal, UTF-8 — and how to clean up after. */
function readablePath(
  workspace: Workspace,
  file: string,
  purpose: 'read' | 'link',
  encoding: CsvDialect['encoding'] | undefined,
): { path: string; utf16: boolean; release(): void } {
  const literal = literalPath(workspace, file, purpose);
  try {
    const decoded = decodedPath(workspace, literal.path, purpose, encoding);
    return {
      path: decoded.path,
      utf16: decoded.utf16,
      release: () => {
        decoded.release();
        literal.release();
      },
    };
  } catch (error) {
    literal.release();
    throw error;
  }
}

export class Importer {
  constructor(private readonly workspace: Workspace) {}

  async inspect(file: string): Promise<ImportPreview> {
    const resolved = this.workspace.checkReadable(file, 'path');
    const readable = readablePath(this.workspace, resolved, 'read', undefined);
    try {
      const preview = await this.inspectLiteral(resolved, readable.path);
      return readable.utf16 && preview.csv ? { ...preview, csv: { ...preview.csv, encoding: 'utf-16' } } : preview;
    } finally {
      readable.release();
    }
  }

  private async inspectLiteral(resolved: string, readPath: string): Promise<ImportPreview> {
    // A preview passes over bad rows and says where the first one is: the import's options decide what to do with them.
    return this.workspace.withConnection(async (conn) => {
      const plan = planRead(
        readPath,
        undefined,
        path.basename(resolved),
        'preview',
        await sniffWithDuckdb(conn, readPath),
      );
      try {
        const reader = await conn.runAndReadAll(`SELECT * FROM ${plan.source} LIMIT 20`);
        const names = reader.columnNames();
        const types = reader.columnTypes().map(String);
        const columns = names.map((name, index) => ({ name, type: types[index]! }));
        let csv = plan.csv;
        if (csv) {
          // ignore_errors: DuckDB's sniffer gives up on a ragged file, and the header question does not depend on it.
          const sniffed = await conn.runAndReadAll(
            `SELECT HasHeader FROM sniff_csv(${quoteLiteral(readPath)}, delim = ${quoteLiteral(csv.delimiter)}, ignore_errors = true)`,
          );
          csv = { ...csv, header: Boolean(sniffed.getRowsJson()[0]?.[0] ?? true) };
        }
        const suggestedTable = tableNameFor(resolved);
        return {
          path: resolved,
          format: plan.format,
          suggestedTable,
          csv,
          columns,
          rows: reader.getRowsJson() as Cell[][],
          bytes: plan.bytes,
          suggestions: suggestMappings(names, suggestedTable),
          ...(plan.problem ? { problem: plan.problem } : {}),
        };
      } catch (error) {
        // A sample whose own reading found the trouble (an unterminated quote, say) says it in those words.
        if (plan.problem) throw new SiftError({ code: 'IMPORT_BAD_CSV', message: plan.problem, file: resolved });
        throw importError(error, path.basename(resolved), plan.format);
      }
    });
  }

  async import(file: string, options: ImportOptions, ctx: JobContext): Promise<ImportOutcome> {
    const started = performance.now();
    const resolved = this.workspace.checkReadable(file, 'path');
    const display = path.basename(resolved);
    const link = Boolean(options.link);
    ctx.progress(null, `Checking ${display}`);
    const readable = readablePath(this.workspace, resolved, link ? 'link' : 'read', options.encoding);
    try {
      return await this.importLiteral(
        resolved,
        readable.path,
        readable.utf16 ? { ...options, encoding: undefined } : options,
        ctx,
        started,
      );
    } finally {
      readable.release();
    }
  }

  private async importLiteral(
    resolved: string,
    readPath: string,
    options: ImportOptions,
    ctx: JobContext,
    started: number,
  ): Promise<ImportOutcome> {
    const display = path.basename(resolved);
    const link = Boolean(options.link);
    if (options.skipBadRows && link)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${display}: a linked file is read as it is; to set bad rows aside, import a copy (not linked).`,
        file: resolved,
      });
    const detected = options.encoding
      ? null
      : await this.workspace.withConnection((conn) => sniffWithDuckdb(conn, readPath));
    const plan = planRead(readPath, options.encoding, display, options.skipBadRows ? 'set-aside' : 'fail', detected);
    if (options.skipBadRows && plan.format !== 'csv')
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${display}: skipping bad rows applies to CSV/TSV files; this one is ${plan.format}.`,
        file: resolved,
      });
    const table = options.table ?? tableNameFor(resolved);
    if ((PROTECTED_TABLES as readonly string[]).includes(table.toLowerCase())) {
      throw new SiftError({
        code: 'IMPORT_TABLE_EXISTS',
        message: `${display}: "${table}" is Sift's own table; import under another table name.`,
        file: resolved,
      });
    }
    const exists = await this.workspace.tableExists(table);
    if (exists && !options.replace) {
      throw new SiftError({
        code: 'IMPORT_TABLE_EXISTS',
        message: `${display}: a table named "${table}" already exists; choose another table name, or replace it.`,
        file: resolved,
      });
    }
    const mapping = options.mapping;
    const canonical = mapping ? mappingTarget(mapping.canonicalTable) : null;
    if (mapping && canonical) {
      if (table.toLowerCase() === canonical.name) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${display}: it would be imported as "${table}", the canonical name it is to be mapped onto; import it under another table name.`,
          file: resolved,
        });
      }
      checkMappingShape(canonical, mapping.columns);
      refuseTakenWithoutChoice(await this.workspace.listTables(), canonical.name, mapping.whenTaken);
    }
    let rejected = 0;
    const rows = await this.workspace.withConnection(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        const count = await trackDuckdbWork(conn, ctx, `${link ? 'Linking' : 'Importing'} ${display}`, () =>
          this.createRelation(conn, table, plan, link, exists, display),
        );
        if (plan.setsRejectsAside) rejected = await setRejectsAside(conn, table);
        if (mapping && canonical) {
          const columns = (
            await conn.runAndReadAll(
              `SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $table ORDER BY ordinal_position`,
              { table },
            )
          )
            .getRowsJson()
            .map((row) => String(row[0]));
          await checkMapping(conn, canonical, { table, columns, file: resolved }, mapping.columns);
        }
        if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: `Import of ${display} cancelled.` });
        await conn.run('COMMIT');
        return count;
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw importError(error, display, plan.format);
      }
    });
    await this.workspace.withStore((conn) =>
      conn.run(`INSERT OR REPLACE INTO imports VALUES ($table, $path, $format, $linked, $rows, now()::TIMESTAMP)`, {
        table,
        path: resolved,
        format: plan.format,
        linked: link,
        rows,
      }),
    );
    let saved: SavedMapping | undefined;
    if (mapping) {
      try {
        saved = await saveMapping(this.workspace, { ...mapping, sourceTable: table });
      } catch (error) {
        // Checked above, so rare (an append whose values do not fit the table's types): a fresh import goes too.
        if (exists) throw error;
        await this.discard(table);
        const info = toErrorInfo(error);
        throw new SiftError({
          ...info,
          message: `${info.message.replace(/\.$/, '')}; ${display} was not imported either.`,
        });
      }
    }
    ctx.progress(
      1,
      `Imported ${rows.toLocaleString('en-US')} rows into ${table}${rejected ? `; ${rejected.toLocaleString('en-US')} bad rows set aside in ${rejectsTableFor(table)}` : ''}`,
    );
    return {
      table,
      rows,
      linked: link,
      format: plan.format,
      path: resolved,
      elapsedMs: Math.round(performance.now() - started),
      ...(plan.setsRejectsAside ? { rejected, ...(rejected > 0 ? { rejectsTable: rejectsTableFor(table) } : {}) } : {}),
      ...(saved ? { mapping: saved } : {}),
    };
  }

  /** Removes a table this import just created, its rejects table and its record: as if it had not been imported. */
  private async discard(table: string): Promise<void> {
    await this.workspace.withConnection(async (conn) => {
      const kinds = (
        await conn.runAndReadAll(
          `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name IN ($table, $rejects)`,
          { table, rejects: rejectsTableFor(table) },
        )
      ).getRowsJson();
      for (const [name, type] of kinds)
        await conn.run(`DROP ${type === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS ${quoteIdent(String(name))}`);
    });
    await this.workspace.withStore((conn) => conn.run(`DELETE FROM imports WHERE table_name = $table`, { table }));
  }

  private async createRelation(
    conn: DuckDBConnection,
    table: string,
    plan: ReadPlan,
    link: boolean,
    replacing: boolean,
    display: string,
  ): Promise<number> {
    const target = quoteIdent(table);
    if (replacing) {
      const kind = await conn.runAndReadAll(
        `SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND lower(table_name) = lower($table)`,
        { table },
      );
      const isView = kind.getRowsJson()[0]?.[0] === 'VIEW';
      await conn.run(`DROP ${isView ? 'VIEW' : 'TABLE'} ${target}`);
    }
    if (link) {
      await conn.run(`CREATE VIEW ${target} AS SELECT * FROM ${plan.source}`);
      // Reading the whole file once proves it is readable; for Parquet the count comes from the footer.
      const count = await conn.runAndReadAll(`SELECT count(*) FROM ${target}`);
      return Number(count.getRowsJson()[0]?.[0] ?? 0);
    }
    await conn.run(`CREATE TABLE ${target} AS SELECT * FROM ${plan.source}`);
    const count = await conn.runAndReadAll(`SELECT count(*) FROM ${target}`);
    const rows = Number(count.getRowsJson()[0]?.[0] ?? 0);
    if (rows === 0 && plan.format === 'csv') {
      throw new SiftError({
        code: 'IMPORT_EMPTY',
        message: `${display}: the file has a header but no rows.`,
        file: display,
      });
    }
    return rows;
  }
}

/**
 * Moves the rows DuckDB set aside into `<table>__rejects` (line, raw text, reason), in the import's transaction, and
 * drops DuckDB's temporary tables. Returns how many rows were set aside.
 */
async function setRejectsAside(conn: DuckDBConnection, table: string): Promise<number> {
  const rejects = quoteIdent(rejectsTableFor(table));
  // DuckDB records one error per problem (a row missing two columns is two); a row is set aside once, with all its reasons.
  const count = Number(
    (await conn.runAndReadAll(`SELECT count(DISTINCT line) FROM temp.${REJECTS.table}`)).getRowsJson()[0]![0],
  );
  await conn.run(`DROP TABLE IF EXISTS ${rejects}`);
  if (count > 0) {
    await conn.run(`CREATE TABLE ${rejects} AS
      SELECT line, any_value(csv_line) AS raw, string_agg(DISTINCT error_message, '; ') AS reason, string_agg(DISTINCT error_type::VARCHAR, ', ') AS error_type
      FROM temp.${REJECTS.table} GROUP BY line ORDER BY line`);
  }
  await conn.run(`DROP TABLE IF EXISTS temp.${REJECTS.table}; DROP TABLE IF EXISTS temp.${REJECTS.scan}`);
  return count;
}
