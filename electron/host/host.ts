/**
 * The host: one open workspace and the services over it, exposed as one handler per contract method.
 * Electron IPC, the browser-mode server, the CLI and the tests all drive this same object.
 */
import path from 'node:path';
import {
  type CallOutcome,
  contract,
  type ImportOutcome,
  isMethodName,
  type MethodName,
  type OutputOf,
  type ParsedInputOf,
} from '../../shared/contract.js';
import { actAsCaller, type Caller, inputRefusal, methodRefusal, OWNER } from '../../shared/callerAccess.js';
import { SiftError, toErrorInfo } from '../../shared/errors.js';
import type { HostEvent } from '../../shared/jobs.js';
import { recentWorkspaces, rememberWorkspace } from './workspace/appState.js';
import { errorAnalysis, evalItems } from './evaluation/errorAnalysis.js';
import { evaluate, evaluateSlices, fitCalibration } from './evaluation/evaluation.js';
import { defaultExportName, exportJsonArray, exportRelation } from './query/exporter.js';
import { type ImportOptions, Importer } from './import/importer.js';
import { type JobContext, JobManager } from './jobs.js';
import { listMappings, saveMapping } from './import/mappings.js';
import { agreementReport } from './labeling/agreementReport.js';
import { diffDatasets, exportDataset, listDatasetVersions, verifyDataset } from './datasets/datasetExport.js';
import { LabelingService } from './labeling/labelingService.js';
import { ModelRegistry } from './models/registry.js';
import { chartStoredResult } from './query/resultChart.js';
import { AnnotatorTokens } from './workspace/annotatorTokens.js';
import { queryHistory, readEditorTabs, recordQuery, saveEditorTabs } from './query/sqlClientState.js';
import { compareVersions, scoredVersions, scoreQuery, tryModel } from './models/scoring.js';
import { QueryService } from './query/queryService.js';
import { setDeployment, spikeDrill, spikeOverview } from './spikes/spikes.js';
import { parseReportParams, ReportStore } from './reports/reports.js';
import { checkWorkspaceFolder } from './workspace/fileAccess.js';
import { createEmptyWorkspace, type FileAccess, Workspace } from './workspace/workspace.js';
import { installDiscourseViews } from './workspace/discourseViews.js';

/** For a call that runs long work inline (the CLI, scripts): no progress to show, nothing to cancel. */
const quietJobContext = (): JobContext => ({
  signal: new AbortController().signal,
  progress: () => undefined,
  log: () => undefined,
});

export type Handlers = { [M in MethodName]: (input: ParsedInputOf<M>, caller: Caller) => Promise<OutputOf<M>> };

export class Host {
  readonly jobs = new JobManager();
  private readonly listeners = new Set<(event: HostEvent) => void>();
  private current: ReturnType<Host['servicesFor']>;

  private constructor(workspace: Workspace) {
    this.current = this.servicesFor(workspace);
    this.jobs.subscribe((event) => this.emit({ channel: 'job', event }));
  }

  static async open(
    dir: string,
    options: { create?: boolean; remember?: boolean; fileAccess?: FileAccess } = {},
  ): Promise<Host> {
    const given = options.fileAccess;
    // The workspace a confined host starts on stays one it may open again after switching away.
    const fileAccess: FileAccess | undefined =
      given?.kind === 'confined' ? { ...given, workspaces: [...(given.workspaces ?? []), path.resolve(dir)] } : given;
    const workspace = await Workspace.open(dir, { create: options.create, fileAccess });
    if (options.remember !== false) rememberWorkspace(workspace.dir);
    const host = new Host(workspace);
    await host.catchUpLabels();
    return host;
  }

  private servicesFor(workspace: Workspace) {
    const queries = new QueryService(workspace, (event) => this.emit({ channel: 'query', event }));
    const models = new ModelRegistry(workspace);
    // Opened on first use: a workspace whose label journal is damaged still opens for everything else.
    let labeling: Promise<LabelingService> | null = null;
    const openLabeling = () => {
      labeling ??= LabelingService.open(workspace, models);
      labeling.catch(() => (labeling = null));
      return labeling;
    };
    const closeLabeling = async () => {
      if (labeling) await (await labeling.catch(() => null))?.close();
    };
    return {
      workspace,
      queries,
      importer: new Importer(workspace),
      reports: new ReportStore(workspace, queries),
      models,
      labeling: openLabeling,
      closeLabeling,
    };
  }

  /**
   * Labels the journal acknowledged before a kill, that the store (and so SQL) never got: opening the labeling
   * service applies them. Never fatal — a damaged journal is reported when labeling is used.
   */
  private async catchUpLabels(): Promise<void> {
    if (!(await LabelingService.journalAhead(this.workspace))) return;
    console.error(
      `sift: the label journal holds labels that SQL's copy lacks (a crash came before they were copied); copying them now.`,
    );
    await this.labeling().catch((error: unknown) => console.error(`sift: ${toErrorInfo(error).message}`));
  }

  /** The labeling sessions of the open workspace. */
  labeling(): Promise<LabelingService> {
    return this.current.labeling();
  }

  workspaceDir(): string {
    return this.workspace.dir;
  }

  get workspace(): Workspace {
    return this.current.workspace;
  }

  get queries(): QueryService {
    return this.current.queries;
  }

  get models(): ModelRegistry {
    return this.current.models;
  }

  get reports(): ReportStore {
    return this.current.reports;
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: HostEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async switchWorkspace(dir: string): Promise<void> {
    // Opening a workspace moves what SQL may read along with it: confined, only where the host's owner allowed.
    const resolved = checkWorkspaceFolder(this.workspace.fileAccess, dir, 'path', 'open');
    if (resolved === this.workspace.dir) return;
    const next = await Workspace.open(resolved, { fileAccess: this.workspace.fileAccess });
    await this.jobs.cancelAll();
    await this.current.queries.cancelAll();
    await this.current.closeLabeling();
    await this.current.workspace.close();
    this.current = this.servicesFor(next);
    rememberWorkspace(next.dir);
    this.emit({ channel: 'workspace', event: { type: 'opened' } });
  }

  readonly handlers: Handlers = {
    'workspace.info': () => this.workspace.info(),
    'workspace.open': async ({ path: dir }) => {
      await this.switchWorkspace(dir);
      return this.workspace.info();
    },
    'workspace.create': async ({ path: dir }) => {
      const { fileAccess } = this.workspace;
      const resolved = checkWorkspaceFolder(fileAccess, dir, 'path', 'create');
      await (await createEmptyWorkspace(resolved, fileAccess)).close();
      await this.switchWorkspace(resolved);
      await this.labeling(); // the policy file and Sift's own tables, before the first import
      return this.workspace.info();
    },
    'workspace.recent': async () => recentWorkspaces().filter((entry) => entry.path !== this.workspace.dir),
    'tables.list': () => this.workspace.listTables(),
    'query.run': async ({ remember, allowWrites, everyStatement, ...input }) => {
      const started = performance.now();
      try {
        const outcome = await this.queries.run(input, allowWrites ?? this.workspace.readSettings().allowWrites, {
          everyStatement,
        });
        if (remember)
          await recordQuery(this.workspace, {
            sql: input.sql,
            elapsedMs: outcome.elapsedMs,
            rows: outcome.resultId ? outcome.rowCount : null,
            error: null,
          });
        return outcome;
      } catch (error) {
        if (remember)
          await recordQuery(this.workspace, {
            sql: input.sql,
            elapsedMs: performance.now() - started,
            rows: null,
            error: toErrorInfo(error).message.split('\n')[0]!,
          }).catch(() => undefined);
        throw error;
      }
    },
    'query.chart': async ({ resultId, spec }) =>
      chartStoredResult(this.workspace, await this.queries.resultTable(resultId), spec),
    'query.history': (input) => queryHistory(this.workspace, input),
    'editor.tabs': async () => readEditorTabs(this.workspace),
    'editor.saveTabs': async (state) => saveEditorTabs(this.workspace, state),
    'query.page': (input) => this.queries.page(input),
    'query.explain': ({ allowWrites, ...input }) =>
      this.queries.explain(input, allowWrites ?? this.workspace.readSettings().allowWrites),
    'query.cancel': async ({ queryId }) => ({ cancelled: this.queries.cancel(queryId) }),
    'query.close': async ({ resultId }) => ({ closed: await this.queries.close(resultId) }),
    'query.export': async ({ resultId, format, path: target }) => {
      const stored = this.queries.resultTable(resultId); // an unknown result fails the call, not the job
      stored.catch(() => undefined); // the job reports a read that failed
      const { workspace } = this.current;
      const destination = workspace.checkExportTarget(
        target ?? path.join(workspace.exportsDir(), defaultExportName(format)),
        'path',
      );
      const job = this.jobs.start('export', `Export ${path.basename(destination)}`, (ctx) =>
        stored.then(({ table }) => exportRelation(workspace, `SELECT * FROM ${table}`, format, destination, ctx)),
      );
      return { jobId: job.id };
    },
    'query.exportScript': async ({ resultIds, path: target }) => {
      // An unknown result fails the call, not the job.
      const stored = Promise.all(resultIds.map((id) => (id === null ? null : this.queries.resultTable(id))));
      stored.catch(() => undefined); // the job reports a read that failed
      const { workspace } = this.current;
      const destination = workspace.checkExportTarget(target, 'path');
      const job = this.jobs.start('export', `Export ${path.basename(destination)}`, async (ctx) => {
        const tables = await stored;
        const relations = tables.map((table) => (table ? `SELECT * FROM ${table.table}` : null));
        return exportJsonArray(workspace, relations, destination, ctx);
      });
      return { jobId: job.id };
    },
    'import.inspect': ({ path: file }) => this.current.importer.inspect(file),
    'import.start': async ({ path: file, ...options }) => {
      const job = this.jobs.start('import', `Import ${path.basename(file)}`, (ctx) =>
        this.importFile(file, options, ctx),
      );
      return { jobId: job.id };
    },
    'mapping.list': () => listMappings(this.workspace),
    'mapping.save': async (input) => {
      const saved = await saveMapping(this.workspace, input);
      this.emit({ channel: 'workspace', event: { type: 'changed' } });
      return saved;
    },
    'reports.list': () => this.reports.list(),
    'reports.get': ({ id }) => this.reports.get(id),
    'reports.save': (draft) => this.reports.save(draft),
    'reports.setChart': ({ id, chart }) => this.reports.setChart(id, chart),
    'reports.delete': async ({ id }) => ({ deleted: await this.reports.delete(id) }),
    'reports.params': async ({ sql }) => ({ params: parseReportParams(sql) }),
    'reports.run': (input) => this.reports.run(input),
    'reports.import': ({ path: file }) => this.reports.importFile(file),
    'reports.export': ({ id, format, path: target }) => this.reports.exportReport(id, format, target),
    'spike.overview': (options) => spikeOverview(this.workspace, options),
    'spike.drill': (options) => spikeDrill(this.workspace, options),
    'spike.drillStart': async (options) => {
      const { workspace } = this.current;
      const job = this.jobs.start('drill', `Drill into ${options.series}`, (ctx) =>
        spikeDrill(workspace, options, ctx),
      );
      return { jobId: job.id };
    },
    'models.list': () => this.models.list(),
    'models.add': async ({ path: folder }) => {
      const info = await this.models.add(folder);
      this.emit({ channel: 'workspace', event: { type: 'changed' } });
      return info;
    },
    'models.try': (input) => tryModel(this.current.workspace, this.models, this.checkRemote(input)),
    'models.score': async (input) => {
      const { workspace, models } = this.current;
      this.checkRemote(input);
      const job = this.jobs.start(
        'score',
        `Score with ${input.model}${input.remote ? ' (remote)' : ''}`,
        async (ctx) => {
          const outcome = await scoreQuery(workspace, models, input, ctx);
          this.emit({ channel: 'workspace', event: { type: 'changed' } });
          return outcome;
        },
      );
      return { jobId: job.id };
    },
    'models.compare': (input) => compareVersions(this.workspace, this.models, input),
    'models.compareStart': async (input) => {
      const { workspace, models } = this.current;
      const label = (side: { model: string; version: string }) => `${side.model} ${side.version}`;
      const job = this.jobs.start('compare', `Compare ${label(input.a)} with ${label(input.b)}`, (ctx) =>
        compareVersions(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
    'models.versions': () => scoredVersions(this.workspace),
    'models.setDeployment': async (input) => {
      const deployments = await setDeployment(this.workspace, input);
      this.emit({ channel: 'workspace', event: { type: 'changed' } });
      return deployments;
    },
    'eval.run': (input) => evaluate(this.workspace, this.models, input),
    'eval.start': async (input) => {
      const { workspace, models } = this.current;
      const job = this.jobs.start(
        'evaluate',
        `Evaluate ${input.model}${input.version ? ` ${input.version}` : ''}`,
        (ctx) => evaluate(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
    'eval.slices': (input) => evaluateSlices(this.workspace, this.models, input),
    'eval.errors': (input) => errorAnalysis(this.workspace, this.models, input),
    'eval.items': (input) => evalItems(this.workspace, this.models, input),
    'eval.calibrate': (input) => fitCalibration(this.workspace, this.models, input),
    'eval.calibrateStart': async (input) => {
      const { workspace, models } = this.current;
      const job = this.jobs.start('calibrate', `Fit ${input.method} calibration for ${input.model}`, (ctx) =>
        fitCalibration(workspace, models, input, ctx),
      );
      return { jobId: job.id };
    },
    'models.saveRevision': async ({ model, thresholds, calibration }) => {
      const info = await this.models.saveRevision(model, { thresholds, calibration });
      this.emit({ channel: 'workspace', event: { type: 'changed' } });
      return info;
    },
    'taxonomy.get': async ({ version }) => (await this.labeling()).taxonomy(version),
    'sessions.list': async () => (await this.labeling()).list(),
    'sessions.create': async (input) => (await this.labeling()).create(input, quietJobContext()),
    'sessions.createStart': async (input) => {
      const labeling = await this.labeling();
      const job = this.jobs.start('session', `Create session ${input.name}`, async (ctx) => {
        const created = await labeling.create(input, ctx);
        this.emit({ channel: 'workspace', event: { type: 'changed' } });
        return created;
      });
      return { jobId: job.id };
    },
    'sessions.retrain': async ({ sessionId }) => (await this.labeling()).retrain(sessionId, quietJobContext()),
    'sessions.retrainStart': async ({ sessionId }) => {
      const labeling = await this.labeling();
      const job = this.jobs.start(
        'retrain',
        `Retrain for session ${labeling.get(sessionId, 'anyone').name}`,
        async (ctx) => {
          const outcome = await labeling.retrain(sessionId, ctx);
          this.emit({ channel: 'workspace', event: { type: 'changed' } });
          return outcome;
        },
      );
      return { jobId: job.id };
    },
    'sessions.get': async ({ sessionId, annotator }) => (await this.labeling()).get(sessionId, annotator),
    'sessions.next': async ({ sessionId, annotator }) => (await this.labeling()).next(sessionId, annotator),
    'labels.record': async ({ sessionId, annotator, action }) =>
      (await this.labeling()).record(sessionId, annotator, action),
    'labels.recordMany': async ({ sessionId, annotator, actions }) =>
      (await this.labeling()).recordMany(sessionId, annotator, actions),
    'labels.agreement': async ({ sessions }) => {
      const labeling = await this.labeling();
      await labeling.syncStore(); // the labels just made count
      // Categories with leaves get a row for the second taxonomy level too (the latest policy's).
      const withLeaves = labeling.policy
        .get(labeling.policy.latestVersion())
        .categories.filter((category) => category.leaves.length > 0)
        .map((category) => category.name);
      return agreementReport(this.workspace, sessions, withLeaves);
    },
    'policy.migrate': async ({ to }) => (await this.labeling()).migratePolicy(to, quietJobContext()),
    'labels.disagreements': async ({ sessionId }) => (await this.labeling()).disagreements(sessionId),
    'labels.export': async ({ sessionId, format, path: target, annotator }) =>
      (await this.labeling()).exportEvents(sessionId, format, target, annotator),
    'labels.import': async ({ sessionId, path: file, format }) =>
      (await this.labeling()).importFile(sessionId, this.workspace.checkReadable(file, 'path'), format),
    'datasets.export': async (input) => this.exportDataset(input, quietJobContext()),
    'datasets.exportStart': async (input) => {
      const job = this.jobs.start('dataset', `Export dataset ${input.name}`, (ctx) => this.exportDataset(input, ctx));
      return { jobId: job.id };
    },
    'datasets.list': async ({ name }) => listDatasetVersions(path.join(this.workspace.exportsDir(), 'datasets'), name),
    'datasets.verify': async ({ dir }) =>
      verifyDataset(this.workspace, this.workspace.checkReadable(dir, 'dir', 'folder')),
    'datasets.diff': async ({ from, to }) =>
      diffDatasets(
        this.workspace,
        this.workspace.checkReadable(from, 'from', 'folder'),
        this.workspace.checkReadable(to, 'to', 'folder'),
      ),
    'jobs.list': async () => this.jobs.list(),
    'jobs.get': async ({ jobId }) => this.jobs.get(jobId),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: this.jobs.cancel(jobId) }),
    'auth.whoami': async (_input, caller) =>
      caller.role === 'owner' ? { role: 'owner', annotator: null } : { role: 'annotator', annotator: caller.annotator },
    'annotators.list': async () => new AnnotatorTokens(this.workspace.dir).list(),
    'annotators.createToken': async ({ name }) => new AnnotatorTokens(this.workspace.dir).create(name),
    'annotators.revoke': async ({ name }) => ({ revoked: new AnnotatorTokens(this.workspace.dir).revoke(name) }),
    'settings.get': async () => this.workspace.readSettings(),
    'settings.update': async (input) => this.workspace.writeSettings(input),
  };

  /** A remote model's CA certificate is a file the host reads: in reach, and a regular file. */
  private checkRemote<T extends { remote?: { caFile?: string } }>(input: T): T {
    if (input.remote?.caFile) this.workspace.checkReadable(input.remote.caFile, 'remote.caFile');
    return input;
  }

  async exportDataset(input: ParsedInputOf<'datasets.export'>, ctx: JobContext) {
    const labeling = await this.labeling();
    await labeling.syncStore(); // the labels just made count
    const facts = labeling.sessionFacts(input.sessions);
    const policyVersion = input.policyVersion ?? labeling.policy.latestVersion();
    const out = input.out ?? path.join(this.workspace.exportsDir(), 'datasets');
    return exportDataset(this.workspace, labeling.policy.get(policyVersion), facts, { ...input, out }, ctx);
  }

  async importFile(file: string, options: ImportOptions, ctx: JobContext): Promise<ImportOutcome> {
    const outcome = await this.current.importer.import(file, options, ctx);
    // The import that completes a Discourse export's flag lifecycle maps it onto the canonical tables, as views.
    const canonicalViews = await this.workspace.withConnection(installDiscourseViews).catch((error: unknown) => {
      console.error(
        `sift: ${outcome.table} was imported, but mapping the Discourse tables onto the canonical ones failed: ${toErrorInfo(error).message}`,
      );
      return [];
    });
    if (canonicalViews.length > 0) outcome.canonicalViews = canonicalViews;
    this.emit({ channel: 'workspace', event: { type: 'changed' } });
    return outcome;
  }

  /**
   * Checks an input against the contract: the one validation IPC, HTTP and the CLI share. Throws a SiftError
   * naming the method and the field.
   */
  static validate<M extends MethodName>(name: M, rawInput: unknown): ParsedInputOf<M> {
    const parsed = contract[name].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.join('.') : 'input';
      const detail = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
      throw new SiftError({ code: 'BAD_REQUEST', message: `${name}: ${field}: ${detail}` });
    }
    return parsed.data as ParsedInputOf<M>;
  }

  /**
   * Validates and runs one call: the single entry point every transport uses, and the one place a caller's reach
   * (shared/callerAccess.ts) is enforced. The desktop window and the CLI call as the owner; the browser-mode server
   * passes who the token belongs to. Never throws.
   */
  async dispatch(name: string, rawInput: unknown, caller: Caller = OWNER): Promise<CallOutcome> {
    if (!isMethodName(name)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `There is no method named "${name}".` } };
    }
    const forbidden = (message: string): CallOutcome => ({ ok: false, error: { code: 'FORBIDDEN', message } });
    const refused = methodRefusal(caller, name);
    if (refused) return forbidden(refused);
    const asCaller = actAsCaller(caller, name, rawInput);
    if ('refusal' in asCaller) return forbidden(asCaller.refusal);
    try {
      const input = Host.validate(name, asCaller.input);
      const refusedInput = inputRefusal(caller, name, input);
      if (refusedInput) return forbidden(refusedInput);
      const handler = this.handlers[name] as (input: unknown, caller: Caller) => Promise<unknown>;
      return { ok: true, value: await handler(input, caller) };
    } catch (error) {
      const info = toErrorInfo(error);
      if (info.code === 'INTERNAL') console.error(`[sift] ${name} failed:`, error);
      return { ok: false, error: info };
    }
  }

  async close(): Promise<void> {
    await this.jobs.cancelAll();
    await this.queries.cancelAll();
    await this.current.closeLabeling();
    await this.workspace.close();
  }
}
