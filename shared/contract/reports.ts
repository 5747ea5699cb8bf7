/** Saved reports (the Data Explorer grammar) and their runs. */
import { z } from 'zod/v3';
import { type ChartSpec, chartSpecSchema } from '../chart.js';
import type { ParamDecl } from '../reportParams.js';
import { empty, method, nonEmpty } from './base.js';
import type { QueryResult } from './query.js';

/** A report's declared parameter, as the Data Explorer grammar parses it (one definition, in reportParams.ts). */
export type ReportParamInfo = ParamDecl;

export interface ReportSummary {
  id: number;
  name: string;
  description: string;
  folder: string;
  params: ReportParamInfo[];
  /** Set when the parameter block does not parse; the report still lists. */
  paramError?: string;
  updatedAt: string;
  /** Its chart is pinned to the Monitor view's dashboard. */
  pinned: boolean;
}

export interface Report extends ReportSummary {
  sql: string;
  /** The chart the report opens as (null: a table). */
  chart: ChartSpec | null;
  /** The values the report last ran with, for the form. */
  lastValues: Record<string, string>;
}

const reportId = z.number({ message: 'id must be a report id (a number)' }).int().min(0);

export const reportMethods = {
  'reports.list': method<ReportSummary[]>()(empty),
  'reports.get': method<Report>()(z.object({ id: reportId }).strict()),
  'reports.save': method<Report>()(
    z
      .object({
        id: reportId.optional(),
        name: nonEmpty('name').max(200),
        description: z.string().max(2000).optional(),
        folder: z.string().max(200).optional(),
        sql: nonEmpty('sql'),
      })
      .strict(),
  ),
  /** Saves the chart a report opens as (null: back to a table). */
  'reports.setChart': method<Report>()(z.object({ id: reportId, chart: chartSpecSchema.nullable() }).strict()),
  /** Pins the report's chart to the Monitor view (or takes it off). */
  'reports.setPinned': method<Report>()(z.object({ id: reportId, pinned: z.boolean() }).strict()),
  'reports.delete': method<{ deleted: boolean }>()(z.object({ id: reportId }).strict()),
  'reports.params': method<{ params: ReportParamInfo[] }>()(z.object({ sql: z.string() }).strict()),
  'reports.run': method<QueryResult>()(
    z
      .object({
        queryId: nonEmpty('queryId'),
        id: reportId.optional(),
        sql: nonEmpty('sql').optional(),
        values: z.record(z.string(), z.string()),
        pageSize: z.number().int().min(0).max(5000).optional(),
      })
      .strict(),
  ),
  'reports.import': method<Report[]>()(z.object({ path: nonEmpty('path') }).strict()),
  'reports.export': method<{ path: string }>()(
    z.object({ id: reportId, format: z.enum(['dcquery', 'sql']), path: nonEmpty('path').optional() }).strict(),
  ),
} as const;
