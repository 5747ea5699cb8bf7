/**
 * Imports CSV/TSV, Parquet, JSON and NDJSON files into the workspace, either copied into a table or linked as
 * a view over the file. Everything happens inside one transaction: a file that fails part-way leaves no table,
 * no view and no bookkeeping behind.
 */
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PROTECTED_TABLES, suggestMappings } from '../../../shared/canonical.js';
import type { Cell, CsvDialect, ImportOutcome, ImportPreview, SavedMapping } from '../../../shared/contract.js';
import { SiftError, toErrorInfo } from '../../../shared/errors.js';
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
import { quoteIdent, quoteLiteral, type Workspace } from '../workspace/workspace.js';
import { commitMedia, discardStaged, type StagedMedia } from '../media/registration.js';
import { stageImportMedia } from './importMedia.js';
import { isLinkedSet, noMatchError, planLinkedSet } from './linkedSet.js';
import { readablePath } from './readablePath.js';
import { planRead, type ReadPlan, REJECTS, rejectsTableFor, sniffWithDuckdb, tableNameFor } from './readPlan.js';

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
  /** The column of media paths (relative to the file's folder) to register (importMedia.ts); else the mapping's `media`. */
  mediaColumn?: string;
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
    if (options.link && isLinkedSet(file)) {
      // Many files behind one view: a pattern, or a folder of Parquet files (linkedSet.ts).
      const set = planLinkedSet(this.workspace, file);
      ctx.progress(null, `Checking ${set.pattern}`);
      return this.importLiteral(
        set.pattern,
        set.pattern,
        { ...options, table: options.table ?? set.table },
        ctx,
        started,
        set.plan,
      );
    }
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
    linkedSet?: ReadPlan,
  ): Promise<ImportOutcome> {
    const display = linkedSet ? resolved : path.basename(resolved);
    const link = Boolean(options.link);
    if (options.skipBadRows && link)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${display}: a linked file is read as it is; to set bad rows aside, import a copy (not linked).`,
        file: resolved,
      });
    const detected =
      options.encoding || linkedSet
        ? null
        : await this.workspace.withConnection((conn) => sniffWithDuckdb(conn, readPath));
    const plan =
      linkedSet ?? planRead(readPath, options.encoding, display, options.skipBadRows ? 'set-aside' : 'fail', detected);
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
    const mediaColumn = options.mediaColumn ?? mapping?.columns.media ?? undefined;
    let staged: StagedMedia | undefined;
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
        if (mediaColumn) {
          const idColumn = mapping?.columns.content_id ?? 'content_id';
          const request = { table, mediaColumn, idColumn, file: resolved, display };
          staged = await stageImportMedia(conn, this.workspace, request, ctx);
        }
        if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: `Import of ${display} cancelled.` });
        await conn.run('COMMIT');
        return count;
      } catch (error) {
        if (staged) discardStaged(staged);
        await conn.run('ROLLBACK').catch(() => undefined);
        throw (linkedSet && noMatchError(error, resolved)) || importError(error, display, plan.format);
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
    if (staged) {
      try {
        await commitMedia(this.workspace, staged);
      } catch (error) {
        discardStaged(staged);
        if (!exists) await this.discard(table);
        throw error;
      }
    }
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
      ...(staged
        ? { media: { files: staged.rows.length, items: new Set(staged.rows.map((r) => r.contentId)).size } }
        : {}),
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
