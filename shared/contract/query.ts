/** SQL: running, paging, cancelling and exporting results. */
import { z } from 'zod/v3';
import { type ChartData, chartSpecSchema } from '../chart.js';
import { type Cell, cellParam, job, method, nonEmpty } from './base.js';
import type { ColumnInfo } from './workspace.js';

export interface QueryResult {
  /** Null when the last statement returned no rows to page (e.g. an INSERT). */
  resultId: string | null;
  columns: ColumnInfo[];
  /** Rows stored so far; the final count once `complete`. */
  rowCount: number;
  /** False while the rest of the rows stream in behind the first page (watch `query` events). */
  complete: boolean;
  rows: Cell[][];
  elapsedMs: number;
  statementCount: number;
  message: string;
  /**
   * Reports only: the run found no rows and these date parameters lie after the workspace's last activity (the
   * latest created_at of content, reports and moderation_actions), which ends on `dataEnds` (YYYY-MM-DD).
   */
  pastDataEnd?: { dataEnds: string; params: string[] };
  /** With `everyStatement`, a script's results in order, one per statement (the last is this result). */
  statements?: QueryResult[];
}

export interface PageResult {
  resultId: string;
  offset: number;
  rowCount: number;
  rows: Cell[][];
}

export interface ExportOutcome {
  path: string;
  format: 'csv' | 'parquet' | 'json';
  rows: number;
  bytes: number;
}

/** A query the SQL editor ran, kept in the workspace (most recent first). */
export interface HistoryEntry {
  ranAt: string;
  sql: string;
  elapsedMs: number;
  /** Rows of the last statement's result; null for a statement without rows, or a failure. */
  rows: number | null;
  error: string | null;
}

/** The SQL editor's tabs, kept in the workspace. */
export interface EditorTab {
  id: string;
  title: string;
  sql: string;
}

export interface QueryPlan {
  /** Whether the statement would read or write (a write shows only with writes allowed). */
  kind: 'read' | 'write';
  /** DuckDB's physical plan, as its EXPLAIN draws it. */
  plan: string;
}

export interface EditorTabs {
  tabs: EditorTab[];
  active: string;
}

const editorTab = z
  .object({
    id: nonEmpty('tabs.id').max(64),
    title: z.string().max(80),
    sql: z.string().max(1_000_000, 'a tab holds at most 1,000,000 characters'),
  })
  .strict();

export const queryMethods = {
  'query.run': method<QueryResult>()(
    z
      .object({
        queryId: nonEmpty('queryId'),
        sql: nonEmpty('sql'),
        params: z.record(z.string(), cellParam).optional(),
        pageSize: z.number().int().min(0).max(5000).optional(),
        /** Keep this run in the workspace's query history (the SQL editor's runs; not reports or previews). */
        remember: z.boolean().optional(),
        /** `sift query --allow-writes`: writes allowed for this run, whatever the workspace's setting. */
        allowWrites: z.literal(true).optional(),
        /**
         * `sift query`'s form: every row of every result stored before the answer, and a script's answer holds
         * each statement's own result (`statements`), which stay until closed.
         */
        everyStatement: z.boolean().optional(),
      })
      .strict(),
  ),
  /** A chart of a stored result, aggregated by the host to what the chart draws. */
  'query.chart': method<ChartData>()(z.object({ resultId: nonEmpty('resultId'), spec: chartSpecSchema }).strict()),
  'query.history': method<HistoryEntry[]>()(
    z.object({ limit: z.number().int().min(1).max(1000).optional(), search: z.string().max(200).optional() }).strict(),
  ),
  'editor.tabs': method<EditorTabs | null>()(z.object({}).strict()),
  'editor.saveTabs': method<EditorTabs>()(
    z
      .object({ tabs: z.array(editorTab).min(1).max(30, 'at most 30 tabs'), active: nonEmpty('active') })
      .strict()
      .refine((state) => state.tabs.some((tab) => tab.id === state.active), {
        message: 'active names one of the tabs',
        path: ['active'],
      }),
  ),
  'query.page': method<PageResult>()(
    z
      .object({
        resultId: nonEmpty('resultId'),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(5000),
        sort: z
          .object({ column: nonEmpty('sort.column'), direction: z.enum(['asc', 'desc']) })
          .strict()
          .optional(),
      })
      .strict(),
  ),
  /** DuckDB's plan for one statement, checked as a run would be and not executed (EXPLAIN ANALYZE is never run). */
  'query.explain': method<QueryPlan>()(
    z
      .object({
        sql: nonEmpty('sql'),
        params: z.record(z.string(), cellParam).optional(),
        /** `sift query --explain --allow-writes`: explains a write whatever the workspace's setting. */
        allowWrites: z.literal(true).optional(),
      })
      .strict(),
  ),
  'query.cancel': method<{ cancelled: boolean }>()(z.object({ queryId: nonEmpty('queryId') }).strict()),
  'query.close': method<{ closed: boolean }>()(z.object({ resultId: nonEmpty('resultId') }).strict()),
  'query.export': job<ExportOutcome>()(
    z
      .object({
        resultId: nonEmpty('resultId'),
        format: z.enum(['csv', 'parquet', 'json']),
        path: nonEmpty('path').optional(),
      })
      .strict(),
  ),
  /**
   * A script's results as one JSON file: an array with an element per statement, each result's own array of rows
   * (null for a statement without rows). `sift query --format json` of a script.
   */
  'query.exportScript': job<ExportOutcome>()(
    z
      .object({
        resultIds: z.array(nonEmpty('resultIds').nullable()).min(1).max(10_000),
        path: nonEmpty('path'),
      })
      .strict(),
  ),
} as const;
