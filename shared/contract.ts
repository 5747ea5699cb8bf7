/**
 * The one API contract between the UI (or any client) and the host: method name → input schema → output type.
 * Electron IPC and browser-mode HTTP are both generated from this map, and the host validates every input
 * against these schemas before a handler sees it.
 */
import { z } from 'zod';
import type { MappingSuggestion } from './canonical.js';
import type { SiftErrorInfo } from './errors.js';
import type { JobSummary } from './jobs.js';

/** Binds an input schema to an output type; `output` exists only for the type checker. */
const method =
  <O>() =>
  <I extends z.ZodType>(input: I): { input: I; output: O } => ({ input, output: undefined as unknown as O });

const empty = z.object({}).strict();
const nonEmpty = (field: string) => z.string({ error: `${field} must be a string` }).min(1, `${field} must not be empty`);
const tableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'table names are letters, digits and _ (not starting with a digit)');

export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell };

export interface ColumnInfo {
  name: string;
  type: string;
}

export interface TableInfo {
  name: string;
  kind: 'table' | 'view';
  rowCount: number | null;
  columns: ColumnInfo[];
  /** Sift-owned: never writable from the editor. */
  protected: boolean;
  /** Where an imported table came from. */
  source?: { path: string; linked: boolean; importedAt: string };
  /** The canonical table this one is mapped onto, when a mapping was saved. */
  mappedTo?: string;
}

export interface WorkspaceInfo {
  path: string;
  name: string;
  tableCount: number;
  /** Files the workspace holds beside the database, such as incidents.json. */
  files: string[];
}

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

export interface CsvDialect {
  delimiter: string;
  header: boolean;
  encoding: 'utf-8' | 'utf-16' | 'latin-1';
}

export type ImportFormat = 'csv' | 'parquet' | 'json';

export interface ImportPreview {
  path: string;
  format: ImportFormat;
  suggestedTable: string;
  csv?: CsvDialect;
  columns: ColumnInfo[];
  rows: Cell[][];
  bytes: number;
  suggestions: MappingSuggestion[];
}

export interface ImportOutcome {
  table: string;
  rows: number;
  linked: boolean;
  format: ImportFormat;
  path: string;
  elapsedMs: number;
}

export interface SavedMapping {
  sourceTable: string;
  canonicalTable: string;
  columns: Record<string, string | null>;
  savedAt: string;
}

export interface ExportOutcome {
  path: string;
  format: 'csv' | 'parquet' | 'json';
  rows: number;
  bytes: number;
}

export interface Settings {
  /** Lets the SQL editor write to imported tables (never to Sift's own). */
  allowWrites: boolean;
}

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
}

export interface Report extends ReportSummary {
  sql: string;
  /** The values the report last ran with, for the form. */
  lastValues: Record<string, string>;
}

export type SpikeSource = 'reports' | 'actions';
export type SpikeDimension = 'reason' | 'category' | 'action' | 'surface' | 'language' | 'total';
export type SpikeBucket = '15min' | 'hour' | 'day';

export interface SpikeWindowInfo {
  series: string;
  start: string;
  end: string;
  z: number;
  count: number;
  expected: number;
}

export interface SpikeOverview {
  source: SpikeSource;
  by: SpikeDimension;
  bucket: SpikeBucket;
  /** Bucket start times, ISO 8601 UTC. */
  buckets: string[];
  series: { name: string; total: number; counts: number[]; baseline: (number | null)[]; z: (number | null)[] }[];
  windows: SpikeWindowInfo[];
  /** Model version changes, drawn as markers on the timeline. */
  markers: { at: string; model: string; version: string; previous: string }[];
}

export interface SpikeDrill {
  items: number;
  baselineItems: number;
  terms: { term: string; focusCount: number; baselineCount: number; z: number }[];
  clusters: { size: number; authors: number; newAccounts: number; firstAt: string; lastAt: string; samples: string[]; contentIds: string[] }[];
  reporters: { reporterId: string; reports: number }[];
  targets: { userId: string; reports: number; items: number; accountCreatedAt: string | null }[];
}

export interface ModelInfo {
  name: string;
  version: string;
  kind: 'distilled_text' | 'late_fusion';
  description: string;
  categories: string[];
  critical: string[];
  thresholds: Record<string, { remove: number; escalate: number }>;
  preprocessing: string;
  inputs: string[];
  hash: string;
  dir: string;
  source: 'project' | 'workspace';
  runtime: { provider: string; note: string } | null;
  error?: string;
}

import type { ParamDecl } from './reportParams.js';
import type { Decision } from './routing.js';
export type { Decision };

export interface TryResult {
  model: string;
  version: string;
  provider: string;
  scores: Record<string, number>;
  decisions: Record<string, Decision>;
  decision: Decision;
  category: string | null;
  latencyMs: number;
}

export interface ScoreOutcome {
  runId: string;
  model: string;
  version: string;
  hash: string;
  provider: string;
  note: string;
  items: number;
  rows: number;
  replaced: number;
  elapsedMs: number;
  itemsPerSecond: number;
}

export interface VersionComparison {
  a: { model: string; version: string };
  b: { model: string; version: string };
  categories: { category: string; items: number; flips: number; divergence: number; removeA: number; removeB: number; escalateA: number; escalateB: number }[];
  flips: { contentId: string; category: string; scoreA: number; scoreB: number; decisionA: Decision; decisionB: Decision; text: string | null }[];
}

export const remoteSchema = z
  .object({
    url: nonEmpty('remote.url'),
    model: z.string().optional(),
    version: z.string().optional(),
    token: z.string().optional(),
    caFile: z.string().optional(),
    timeoutMs: z.number().int().min(10).max(600_000).optional(),
    retries: z.number().int().min(0).max(10).optional(),
    binary: z.enum(['auto', 'always', 'never']).optional(),
  })
  .strict();

const modelVersion = z.object({ model: nonEmpty('model'), version: nonEmpty('version') }).strict();

export interface EvalBin {
  meanPredicted: number;
  fractionPositive: number;
  count: number;
  lower: number;
  upper: number;
}

export interface SliceMetrics {
  dimension: 'language' | 'surface' | 'content_type' | 'account_age';
  value: string;
  n: number;
  positives: number;
  recall: number | null;
  fpr: number | null;
  precision: number | null;
  recallGap: number | null;
  fprGap: number | null;
  /** The slice's recall or false-positive rate is further than the margin from the overall figure. */
  flagged: boolean;
}

export interface CategoryEvaluation {
  category: string;
  critical: boolean;
  n: number;
  positives: number;
  averagePrecision: number | null;
  rocAuc: number | null;
  brier: number | null;
  ece: number | null;
  mce: number | null;
  reliability: { uniform: EvalBin[]; quantile: EvalBin[] };
  histogram: { edges: number[]; positive: number[]; negative: number[] };
  /** The precision–recall curve, down-sampled for drawing (AP is computed on the full curve). */
  pr: { precision: number; recall: number; threshold: number }[];
  operating: {
    recallAtPrecision90: { recall: number; threshold: number | null };
    recallAtPrecision95: { recall: number; threshold: number | null };
    precisionAtRecall80: { precision: number; threshold: number | null };
    precisionAtRecall90: { precision: number; threshold: number | null };
  };
  thresholds: { remove: number; escalate: number };
  /** Labelled counts per 0.001 of score, for live threshold routing in the UI. */
  grid: { positive: number[]; negative: number[] };
  slices: SliceMetrics[];
}

export interface EvaluationResult {
  model: string;
  version: string;
  labelSource: string;
  bins: number;
  categories: CategoryEvaluation[];
  elapsedMs: number;
}

export interface CalibrationFit {
  model: string;
  version: string;
  method: 'platt' | 'isotonic';
  categories: {
    category: string;
    fitted: boolean;
    reason?: string;
    params: { a: number; b: number } | { x: number[]; y: number[] } | null;
    before: { ece: number; brier: number; reliability: EvalBin[] } | null;
    after: { ece: number; brier: number; reliability: EvalBin[] } | null;
    fitItems?: number;
    testItems?: number;
  }[];
}

const spikeSource = z.enum(['reports', 'actions']);
const spikeDimension = z.enum(['reason', 'category', 'action', 'surface', 'language', 'total']);
const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date-time such as 2024-03-10T14:00:00Z');

const evalInput = z
  .object({
    model: nonEmpty('model'),
    version: z.string().optional(),
    labels: z.string().optional(),
    bins: z.number().int().min(2).max(100).optional(),
    sliceMargin: z.number().min(0).max(1).optional(),
    category: z.string().optional(),
  })
  .strict();

const reportId = z.number({ error: 'id must be a report id (a number)' }).int().min(0);
const cellParam = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const drillInput = z.object({ source: spikeSource.optional(), by: spikeDimension.optional(), series: z.string(), start: isoTime, end: isoTime }).strict();

const calibrateInput = z
  .object({
    model: nonEmpty('model'),
    version: z.string().optional(),
    labels: z.string().optional(),
    method: z.enum(['platt', 'isotonic']),
    bins: z.number().int().min(2).max(100).optional(),
    /** Which half of the labelled items (split by a hash of content_id) to fit on; the other half shows the effect. */
    fitOn: z.enum(['even', 'odd']).optional(),
  })
  .strict();

export const contract = {
  'workspace.info': method<WorkspaceInfo>()(empty),
  'workspace.open': method<WorkspaceInfo>()(z.object({ path: nonEmpty('path') }).strict()),
  'tables.list': method<TableInfo[]>()(empty),
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
  'import.inspect': method<ImportPreview>()(z.object({ path: nonEmpty('path') }).strict()),
  'import.start': method<{ jobId: string }>()(
    z
      .object({
        path: nonEmpty('path'),
        table: tableName.optional(),
        link: z.boolean().optional(),
        replace: z.boolean().optional(),
        encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).optional(),
      })
      .strict(),
  ),
  'mapping.list': method<SavedMapping[]>()(empty),
  'mapping.save': method<SavedMapping>()(
    z
      .object({
        sourceTable: tableName,
        canonicalTable: nonEmpty('canonicalTable'),
        columns: z.record(z.string(), z.string().nullable()),
      })
      .strict(),
  ),
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
  'spike.overview': method<SpikeOverview>()(
    z
      .object({
        source: spikeSource.optional(),
        by: spikeDimension.optional(),
        bucket: z.enum(['15min', 'hour', 'day']).optional(),
        threshold: z.number().min(0.5).max(50).optional(),
      })
      .strict(),
  ),
  'spike.drill': method<SpikeDrill>()(drillInput),
  /** The same drill-down as a job (progress, cancel): what the UI uses. */
  'spike.drillStart': method<{ jobId: string }>()(drillInput),
  'models.list': method<ModelInfo[]>()(empty),
  'models.add': method<ModelInfo>()(z.object({ path: nonEmpty('path') }).strict()),
  'models.try': method<TryResult>()(
    z
      .object({
        model: nonEmpty('model'),
        text: z.string().max(2_000_000, 'text is longer than 2,000,000 characters'),
        imageEmb: z.array(z.number()).max(4096).optional(),
        account: z.record(z.string(), z.number()).optional(),
        remote: remoteSchema.optional(),
      })
      .strict(),
  ),
  'models.score': method<{ jobId: string }>()(
    z.object({ model: nonEmpty('model'), sql: nonEmpty('sql'), remote: remoteSchema.optional(), batchSize: z.number().int().min(1).max(8192).optional() }).strict(),
  ),
  'models.compare': method<VersionComparison>()(z.object({ a: modelVersion, b: modelVersion, limit: z.number().int().min(1).max(5000).optional() }).strict()),
  'models.versions': method<{ model: string; version: string; items: number; firstScoredAt: string; lastScoredAt: string }[]>()(empty),
  'eval.run': method<EvaluationResult>()(evalInput),
  /** The same evaluation as a job, with progress and cancel: what the UI uses for large workspaces. */
  'eval.start': method<{ jobId: string }>()(evalInput),
  'eval.calibrate': method<CalibrationFit>()(calibrateInput),
  /** The same fit as a job (progress, cancel): what the UI uses. */
  'eval.calibrateStart': method<{ jobId: string }>()(calibrateInput),
  'models.saveRevision': method<ModelInfo>()(
    z
      .object({
        model: nonEmpty('model'),
        thresholds: z.record(z.string(), z.object({ remove: z.number().min(0).max(1), escalate: z.number().min(0).max(1) }).strict()).optional(),
        calibration: z
          .object({ method: z.enum(['platt', 'isotonic']), params: z.record(z.string(), z.union([z.object({ a: z.number(), b: z.number() }), z.object({ x: z.array(z.number()), y: z.array(z.number()) })])) })
          .strict()
          .optional(),
      })
      .strict(),
  ),
  'jobs.list': method<JobSummary[]>()(empty),
  'jobs.get': method<JobSummary>()(z.object({ jobId: nonEmpty('jobId') }).strict()),
  'jobs.cancel': method<{ cancelled: boolean }>()(z.object({ jobId: nonEmpty('jobId') }).strict()),
  'settings.get': method<Settings>()(empty),
  'settings.update': method<Settings>()(z.object({ allowWrites: z.boolean().optional() }).strict()),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export const METHOD_NAMES = Object.keys(contract) as MethodName[];
export type InputOf<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInputOf<M extends MethodName> = z.output<Contract[M]['input']>;
export type OutputOf<M extends MethodName> = Contract[M]['output'];

/** What the UI holds: one async function per method. */
export type SiftApi = { [M in MethodName]: (input: InputOf<M>) => Promise<OutputOf<M>> };

/** What every transport returns for a call. */
export type CallOutcome<T = unknown> = { ok: true; value: T } | { ok: false; error: SiftErrorInfo };

export const ipcChannel = (name: MethodName) => `sift:${name}`;
export const httpRoute = (name: MethodName) => `/api/${name}`;
export const IPC_EVENT_CHANNEL = 'sift:event';

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** Builds the client API over any transport's invoke function. */
export function createApi(invoke: (name: MethodName, input: unknown) => Promise<CallOutcome>): SiftApi {
  const api = {} as Record<MethodName, (input: unknown) => Promise<unknown>>;
  for (const name of METHOD_NAMES) {
    api[name] = async (input: unknown) => {
      const outcome = await invoke(name, input);
      if (outcome.ok) return outcome.value;
      throw Object.assign(new Error(outcome.error.message), { info: outcome.error });
    };
  }
  return api as unknown as SiftApi;
}
