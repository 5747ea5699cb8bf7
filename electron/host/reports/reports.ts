/**
 * Saved reports: SQL with a Data Explorer parameter block, stored in the workspace, run with bound parameters,
 * and moved in and out as Data Explorer `.dcquery.json` files or plain `.sql`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type ChartSpec, chartSpecSchema } from '../../../shared/chart.js';
import type { QueryResult, Report, ReportSummary } from '../../../shared/contract.js';

export type { Report, ReportSummary };
import { SiftError } from '../../../shared/errors.js';
import { bindReport, castParams, type ParamDecl, ParamError, parseParams } from '../../../shared/reportParams.js';
import type { QueryService } from '../query/queryService.js';
import { quoteIdent, quoteLiteral, type Workspace, writeFileAtomic } from '../workspace/workspace.js';

const MAX_REPORT_FILE_BYTES = 10 << 20;

export interface ReportDraft {
  id?: number;
  name: string;
  description?: string;
  folder?: string;
  sql: string;
  /** A shipped or imported .sql file may say how it is charted (`-- chart: {"type":"bar","x":…}`). */
  chart?: ChartSpec | null;
}

function parseChart(json: unknown): ChartSpec | null {
  if (typeof json !== 'string' || json === '') return null;
  try {
    const parsed = chartSpecSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function paramError(error: unknown): SiftError {
  if (error instanceof ParamError) return new SiftError({ code: 'BAD_REQUEST', message: error.message });
  throw error;
}

export function parseReportParams(sql: string): ParamDecl[] {
  try {
    return parseParams(sql);
  } catch (error) {
    throw paramError(error);
  }
}

/** Reads `-- name:` and `-- description:` header lines of a shipped or imported .sql report. */
export function reportFromSqlFile(file: string, text = fs.readFileSync(file, 'utf8')): ReportDraft {
  const header = (key: string) => new RegExp(`^\\s*--\\s*${key}:\\s*(.+)$`, 'im').exec(text)?.[1]?.trim();
  const fallbackName = path
    .basename(file)
    .replace(/\.sql$/i, '')
    .replace(/^\d+[-_]/, '')
    .replace(/[-_]+/g, ' ');
  const chart = parseChart(header('chart'));
  return {
    name: header('name') ?? fallbackName,
    description: header('description') ?? '',
    sql: text,
    ...(chart ? { chart } : {}),
  };
}

export class ReportStore {
  constructor(
    private readonly workspace: Workspace,
    private readonly queries: QueryService,
  ) {}

  private summarise(row: Record<string, unknown>): Report {
    const sql = String(row.sql);
    let params: ParamDecl[] = [];
    let error: string | undefined;
    try {
      params = parseParams(sql);
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    return {
      id: Number(row.id),
      name: String(row.name),
      description: String(row.description ?? ''),
      folder: String(row.folder ?? ''),
      params,
      paramError: error,
      updatedAt: String(row.updated_at),
      pinned: row.pinned_at !== null && row.pinned_at !== undefined,
      sql,
      lastValues: row.last_values_json ? (JSON.parse(String(row.last_values_json)) as Record<string, string>) : {},
      chart: parseChart(row.chart_json),
    };
  }

  async list(): Promise<ReportSummary[]> {
    return this.workspace.withStore(async (conn) => {
      const reader = await conn.runAndReadAll(
        `SELECT *, strftime(updated_at, '%Y-%m-%dT%H:%M:%S') AS updated_at FROM reports ORDER BY folder, name`,
      );
      return reader.getRowObjectsJson().map((row) => {
        const { sql: _sql, lastValues: _values, chart: _chart, ...summary } = this.summarise(row);
        return summary;
      });
    });
  }

  async get(id: number): Promise<Report> {
    return this.workspace.withStore(async (conn) => {
      const reader = await conn.runAndReadAll(
        `SELECT *, strftime(updated_at, '%Y-%m-%dT%H:%M:%S') AS updated_at FROM reports WHERE id = $id`,
        { id },
      );
      const row = reader.getRowObjectsJson()[0];
      if (!row) throw new SiftError({ code: 'NOT_FOUND', message: `id: no report with id ${id}.` });
      return this.summarise(row);
    });
  }

  async save(draft: ReportDraft): Promise<Report> {
    parseReportParams(draft.sql); // refuse a report whose parameter block does not parse
    if (!draft.name.trim()) throw new SiftError({ code: 'BAD_REQUEST', message: 'name: a report needs a name.' });
    const id = await this.workspace.withStore(async (conn) => {
      const values = {
        name: draft.name.trim(),
        description: draft.description ?? '',
        folder: draft.folder ?? '',
        sql: draft.sql,
      };
      if (draft.id !== undefined) {
        const updated = await conn.run(
          `UPDATE reports SET name = $name, description = $description, folder = $folder, sql = $sql, updated_at = now()::TIMESTAMP WHERE id = $id`,
          { ...values, id: draft.id },
        );
        if (Number(updated.rowsChanged) === 0)
          throw new SiftError({ code: 'NOT_FOUND', message: `id: no report with id ${draft.id}.` });
        return draft.id;
      }
      const inserted = await conn.runAndReadAll(
        `INSERT INTO reports (id, name, description, folder, sql, created_at, updated_at)
         SELECT coalesce(max(id), 0) + 1, $name, $description, $folder, $sql, now()::TIMESTAMP, now()::TIMESTAMP FROM reports RETURNING id`,
        values,
      );
      return Number(inserted.getRowsJson()[0]![0]);
    });
    if (draft.chart !== undefined) return this.setChart(id, draft.chart);
    return this.get(id);
  }

  async setChart(id: number, chart: ChartSpec | null): Promise<Report> {
    await this.workspace.withStore(async (conn) => {
      const updated = await conn.run(`UPDATE reports SET chart_json = $chart WHERE id = $id`, {
        id,
        chart: chart ? JSON.stringify(chart) : null,
      });
      if (Number(updated.rowsChanged) === 0)
        throw new SiftError({ code: 'NOT_FOUND', message: `id: no report with id ${id}.` });
    });
    return this.get(id);
  }

  /** Pins a report's chart to the Monitor view (or unpins it); pinned reports list in the order they were pinned. */
  async setPinned(id: number, pinned: boolean): Promise<Report> {
    await this.workspace.withStore(async (conn) => {
      const updated = await conn.run(
        `UPDATE reports SET pinned_at = CASE WHEN $pinned THEN coalesce(pinned_at, now()::TIMESTAMP) END WHERE id = $id`,
        { id, pinned },
      );
      if (Number(updated.rowsChanged) === 0)
        throw new SiftError({ code: 'NOT_FOUND', message: `id: no report with id ${id}.` });
    });
    return this.get(id);
  }

  async delete(id: number): Promise<boolean> {
    return this.workspace.withStore(
      async (conn) => Number((await conn.run(`DELETE FROM reports WHERE id = $id`, { id })).rowsChanged) > 0,
    );
  }

  /** Casts the values, binds them, runs the SQL; remembers the values of a saved report. */
  async run(input: {
    queryId: string;
    id?: number;
    sql?: string;
    values: Record<string, string>;
    pageSize?: number;
  }): Promise<QueryResult> {
    if ((input.id === undefined) === (input.sql === undefined))
      throw new SiftError({ code: 'BAD_REQUEST', message: 'reports.run: give exactly one of id or sql.' });
    const sql = input.sql ?? (await this.get(input.id!)).sql;
    const bound = prepareReport(sql, input.values);
    const result = await this.queries.run(
      { queryId: input.queryId, sql: bound.sql, params: bound.binds, pageSize: input.pageSize },
      false,
    );
    if (input.id !== undefined) {
      await this.workspace.withStore((conn) =>
        conn.run(`UPDATE reports SET last_values_json = $json WHERE id = $id`, {
          json: JSON.stringify(input.values),
          id: input.id!,
        }),
      );
    }
    if (result.resultId && result.complete && result.rowCount === 0) return this.withDataEnd(result, sql, input.values);
    return result;
  }

  /**
   * An empty result whose date parameters all lie after the workspace's last activity says so: "0 row(s)" alone
   * reads as "nothing happened" when the data simply stops earlier. All of them, because a range whose end alone
   * is past the data still overlaps it: its emptiness has another cause.
   */
  private async withDataEnd(result: QueryResult, sql: string, values: Record<string, string>): Promise<QueryResult> {
    const params = parseParams(sql);
    const cast = castParams(params, values);
    const end = await lastActivity(this.workspace);
    if (!end) return result;
    const dated = params.filter(
      (param) => (param.type === 'date' || param.type === 'datetime') && typeof cast[param.name] === 'string',
    );
    const isPast = (param: ParamDecl) => {
      const value = cast[param.name] as string;
      return param.type === 'date' ? value > end.slice(0, 10) : value > end;
    };
    const past = dated.filter(isPast);
    if (past.length === 0 || past.length < dated.length) return result;
    const dataEnds = end.slice(0, 10);
    const named = past.map((param) => `:${param.name} (${String(cast[param.name])})`).join(' and ');
    return {
      ...result,
      pastDataEnd: { dataEnds, params: past.map((param) => param.name) },
      message: `${result.message} The data ends on ${dataEnds}; ${named} ${past.length === 1 ? 'is' : 'are'} after it.`,
    };
  }

  /** Imports Data Explorer `.dcquery.json` exports (one query or a list) and plain `.sql` files. */
  async importFile(file: string, folder = 'Imported'): Promise<Report[]> {
    file = this.workspace.checkReadable(file, 'path');
    if (!fs.existsSync(file)) throw new SiftError({ code: 'NOT_FOUND', message: `${file}: no such file.`, file });
    const stat = fs.statSync(file);
    if (!stat.isFile())
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${file}: is a folder, not a report file (.sql or .dcquery.json).`,
        file,
      });
    if (stat.size > MAX_REPORT_FILE_BYTES)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${file}: ${stat.size.toLocaleString('en-US')} bytes is too large for a report file (at most 10 MB).`,
        file,
      });
    const text = fs.readFileSync(file, 'utf8');
    const display = path.basename(file);
    let drafts: ReportDraft[];
    if (/\.sql$/i.test(file)) drafts = [reportFromSqlFile(file, text)];
    else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${display}: not valid JSON (expected a Data Explorer .dcquery.json export).`,
          file,
        });
      }
      const record = parsed as { query?: unknown; queries?: unknown };
      const items = Array.isArray(record.queries) ? record.queries : record.query ? [record.query] : [parsed];
      drafts = items.map((item, index) => {
        const query = item as { name?: unknown; sql?: unknown; description?: unknown };
        if (typeof query.sql !== 'string' || query.sql.trim() === '') {
          throw new SiftError({
            code: 'BAD_REQUEST',
            message: `${display}: query ${index + 1} has no "sql" text.`,
            file,
          });
        }
        return {
          name: typeof query.name === 'string' && query.name.trim() ? query.name : display,
          description: typeof query.description === 'string' ? query.description : '',
          sql: query.sql,
        };
      });
    }
    for (const draft of drafts) {
      try {
        parseParams(draft.sql);
      } catch (error) {
        throw new SiftError({ code: 'BAD_REQUEST', message: `${display}: ${(error as Error).message}`, file });
      }
    }
    const saved: Report[] = [];
    for (const draft of drafts) saved.push(await this.save({ ...draft, folder }));
    return saved;
  }

  async exportReport(id: number, format: 'dcquery' | 'sql', target?: string): Promise<{ path: string }> {
    const report = await this.get(id);
    const slug =
      report.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || `report-${id}`;
    const destination = target
      ? this.workspace.checkExportTarget(target, 'path')
      : path.join(this.workspace.exportsDir(), `${slug}.${format === 'dcquery' ? 'dcquery.json' : 'sql'}`);
    if (!fs.existsSync(path.dirname(destination))) {
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `path: the folder ${path.dirname(destination)} does not exist.`,
        file: destination,
      });
    }
    if (format === 'sql') {
      const hasHeader = /^\s*--\s*name:/im.test(report.sql);
      const header = hasHeader
        ? ''
        : `-- name: ${report.name}\n${report.description ? `-- description: ${report.description}\n` : ''}`;
      writeFileAtomic(destination, `${header}${report.sql.endsWith('\n') ? report.sql : `${report.sql}\n`}`);
    } else {
      const query = {
        id: report.id,
        sql: report.sql,
        name: report.name,
        description: report.description,
        param_info: report.params.map((param) => ({
          identifier: param.name,
          type: param.declaredType,
          default: param.defaultValue,
          nullable: param.nullable,
        })),
        created_at: report.updatedAt,
        last_run_at: null,
        hidden: false,
        user_id: -1,
      };
      writeFileAtomic(destination, `${JSON.stringify({ query }, null, 2)}\n`);
    }
    return { path: destination };
  }

  /** Adds the shipped report library for a sample kind, unless reports of those names exist already. */
  async installLibrary(dir: string): Promise<number> {
    if (!fs.existsSync(dir)) return 0;
    const existing = new Set((await this.list()).map((report) => report.name));
    let added = 0;
    for (const file of fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.sql'))
      .sort()) {
      const draft = reportFromSqlFile(path.join(dir, file));
      if (existing.has(draft.name)) continue;
      await this.save({ ...draft, folder: 'Library' });
      added++;
    }
    return added;
  }
}

/** Parses the block, casts the values and turns `:name` into binds; errors name the parameter. */
/** The tables whose created_at says when the workspace's activity happened: posts, reports filed, actions taken. */
const ACTIVITY_TABLES = ['content', 'reports', 'moderation_actions'];

/** The last moment of activity in the workspace ('YYYY-MM-DD HH:MM:SS', UTC), or null when no activity table has a time. */
export async function lastActivity(workspace: Workspace): Promise<string | null> {
  return workspace.withConnection(async (conn) => {
    const timed = (
      await conn.runAndReadAll(
        `SELECT DISTINCT table_name FROM duckdb_columns()
         WHERE database_name = current_database() AND schema_name = 'main' AND column_name = 'created_at'
           AND (data_type LIKE 'TIMESTAMP%' OR data_type = 'DATE') AND table_name IN (${ACTIVITY_TABLES.map(quoteLiteral).join(', ')})`,
      )
    )
      .getRowsJson()
      .map((row) => String(row[0]));
    if (timed.length === 0) return null;
    const latest = timed
      .map((table) => `SELECT max(created_at)::TIMESTAMP AS last_at FROM ${quoteIdent(table)}`)
      .join(' UNION ALL ');
    const [row] = (
      await conn.runAndReadAll(`SELECT strftime(max(last_at), '%Y-%m-%d %H:%M:%S') FROM (${latest})`)
    ).getRowsJson();
    return row?.[0] == null ? null : String(row[0]);
  });
}

export function prepareReport(sql: string, values: Record<string, string>) {
  try {
    return bindReport(sql, values);
  } catch (error) {
    throw paramError(error);
  }
}
