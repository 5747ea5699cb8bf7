/**
 * How DuckDB should read a user's file: its format (by name, then by its first bytes), checks that refuse a broken
 * file by name before DuckDB reads it (a truncated Parquet file, binary or too deeply nested JSON), and for CSV the
 * dialect and what to do with bad rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CsvDialect, ImportFormat } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { JsonDepthMeter, MAX_JSON_DEPTH } from '../../../shared/jsonDepth.js';
import { openRegularFile } from '../workspace/fileAccess.js';
import { quoteLiteral } from '../workspace/workspace.js';
import { looksBinary, SNIFF_BYTES, sniffCsv } from './csvSniff.js';

/** How a CSV read treats bad rows: fail on the first (the default), set them aside, or pass over them for a preview. */
type BadRows = 'fail' | 'set-aside' | 'preview';
export const REJECTS = { table: 'sift_rejects', scan: 'sift_reject_scans' };
export const rejectsTableFor = (table: string) => `${table}__rejects`;

export interface ReadPlan {
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
export function readHead(file: string, bytes: number): Buffer {
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
export async function sniffWithDuckdb(conn: DuckDBConnection, file: string): Promise<DetectedDialect | null> {
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
