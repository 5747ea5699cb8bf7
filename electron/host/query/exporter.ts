/**
 * Writes a stored query result to CSV, Parquet or JSON. The target is checked first (never one of the workspace's
 * own files; in browser mode only the exports folder or a named folder). DuckDB — the results store, which no
 * user SQL reaches — writes to a temporary name beside the target, and the file is renamed into place only when
 * complete, so a cancelled or failed export leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExportOutcome } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { isInterrupt, messageOf } from '../workspace/duckdbErrors.js';
import { type JobContext, trackDuckdbWork } from '../jobs.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { neutraliseFormulaSql } from '../../../shared/spreadsheetSafety.js';
import { quoteIdent, quoteLiteral, type Workspace } from '../workspace/workspace.js';

export type ExportFormat = 'csv' | 'parquet' | 'json';

const COPY_OPTIONS: Record<ExportFormat, string> = {
  csv: 'FORMAT csv, HEADER true',
  parquet: "FORMAT parquet, COMPRESSION 'zstd'",
  // ARRAY true writes one JSON array of row objects, which is what scripts expect from --format json.
  json: 'FORMAT json, ARRAY true',
};

/** `relationSql` reads from the results store (a stored result's table). */
export async function exportRelation(
  workspace: Workspace,
  relationSql: string,
  format: ExportFormat,
  target: string,
  ctx: JobContext,
): Promise<ExportOutcome> {
  const resolved = workspace.checkExportTarget(target, 'path');
  const dir = path.dirname(resolved);
  if (!fs.existsSync(dir))
    throw new SiftError({
      code: 'NOT_FOUND',
      message: `Cannot export to ${resolved}: the folder ${dir} does not exist.`,
      file: resolved,
    });
  const partial = path.join(
    dir,
    `.${path.basename(resolved)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`,
  );
  try {
    const rows = await workspace.withResults((conn) =>
      trackDuckdbWork(conn, ctx, `Writing ${path.basename(resolved)}`, async () => {
        const source = format === 'csv' ? await spreadsheetSafeSelect(conn, relationSql) : relationSql;
        const outcome = await conn.run(
          `COPY (${source}) TO ${quoteLiteral(partial)} (${COPY_OPTIONS[format]}, USE_TMP_FILE false)`,
        );
        return Number(outcome.rowsChanged);
      }),
    );
    if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Export cancelled.' });
    fs.renameSync(partial, resolved);
    return { path: resolved, format, rows, bytes: fs.statSync(resolved).size };
  } catch (error) {
    fs.rmSync(partial, { force: true, recursive: true });
    if (error instanceof SiftError) throw error;
    if (isInterrupt(error)) throw new SiftError({ code: 'CANCELLED', message: 'Export cancelled.' });
    throw new SiftError({
      code: 'INTERNAL',
      message: `Export to ${resolved} failed: ${messageOf(error).split('\n')[0]}`,
      file: resolved,
    });
  }
}

/**
 * A script's results as one JSON array with an element per statement: each relation's own array of row objects, or
 * null for a statement without rows. Written whole under a temporary name beside the target, like any export.
 */
export async function exportJsonArray(
  workspace: Workspace,
  relations: (string | null)[],
  target: string,
  ctx: JobContext,
): Promise<ExportOutcome> {
  const resolved = workspace.checkExportTarget(target, 'path');
  const partial = path.join(
    path.dirname(resolved),
    `.${path.basename(resolved)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`,
  );
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-script-'));
  let rows = 0;
  try {
    const sink = fs.createWriteStream(partial);
    const closed = new Promise<void>((resolve, reject) => sink.on('close', resolve).on('error', reject));
    sink.write('[\n');
    for (const [index, relation] of relations.entries()) {
      if (index > 0) sink.write(',\n');
      if (relation === null) {
        sink.write('null');
        continue;
      }
      const element = path.join(scratch, `${index}.json`);
      rows += (await exportRelation(workspace, relation, 'json', element, ctx)).rows;
      await appendWithoutFinalNewline(element, sink);
      fs.rmSync(element);
    }
    sink.end('\n]\n');
    await closed;
    fs.renameSync(partial, resolved);
    return { path: resolved, format: 'json', rows, bytes: fs.statSync(resolved).size };
  } finally {
    fs.rmSync(partial, { force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Copies a file into `sink` (left open) less its last newline, so that arrays join neatly. */
async function appendWithoutFinalNewline(file: string, sink: fs.WriteStream): Promise<void> {
  let heldNewline = false;
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' })) {
    const text: string = `${heldNewline ? '\n' : ''}${chunk as string}`;
    heldNewline = text.endsWith('\n');
    const written = heldNewline ? text.slice(0, -1) : text;
    if (written && !sink.write(written)) await once(sink, 'drain');
  }
}

/**
 * The relation as CSV for people must hold it (shared/spreadsheetSafety.ts): each text column's formula-like cells
 * neutralised, every other column as it is — numbers stay numbers.
 */
export async function spreadsheetSafeSelect(conn: DuckDBConnection, relationSql: string): Promise<string> {
  const columns = (await conn.runAndReadAll(`DESCRIBE ${relationSql}`)).getRowObjectsJson() as {
    column_name: string;
    column_type: string;
  }[];
  const list = columns.map(({ column_name: name, column_type: type }) =>
    type === 'VARCHAR' ? `${neutraliseFormulaSql(quoteIdent(name))} AS ${quoteIdent(name)}` : quoteIdent(name),
  );
  return `SELECT ${list.join(', ')} FROM (${relationSql})`;
}

export function defaultExportName(format: ExportFormat): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `result-${stamp}.${format}`;
}
