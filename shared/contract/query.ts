/** SQL: running, paging, cancelling and exporting results. */
import { z } from 'zod';
import { type Cell, cellParam, method, nonEmpty } from './base.js';
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

export const queryMethods = {
  'query.run': method<QueryResult>()(
    z
      .object({
        queryId: nonEmpty('queryId'),
        sql: nonEmpty('sql'),
        params: z.record(z.string(), cellParam).optional(),
        pageSize: z.number().int().min(0).max(5000).optional(),
      })
      .strict(),
  ),
  'query.page': method<PageResult>()(
    z
      .object({
        resultId: nonEmpty('resultId'),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(5000),
        sort: z.object({ column: nonEmpty('sort.column'), direction: z.enum(['asc', 'desc']) }).strict().optional(),
      })
      .strict(),
  ),
  'query.cancel': method<{ cancelled: boolean }>()(z.object({ queryId: nonEmpty('queryId') }).strict()),
  'query.close': method<{ closed: boolean }>()(z.object({ resultId: nonEmpty('resultId') }).strict()),
  'query.export': method<{ jobId: string }>()(
    z
      .object({ resultId: nonEmpty('resultId'), format: z.enum(['csv', 'parquet', 'json']), path: nonEmpty('path').optional() })
      .strict(),
  ),
} as const;
