/**
 * The host: one open workspace and the services over it, exposed as one handler per contract method. Each feature
 * folder exports the handlers of its contract part (e.g. evaluation/handlers.ts); the host composes them, validates
 * every call against the contract and the caller's reach, and dispatches. Electron IPC, the browser-mode server,
 * the CLI and the tests all drive this same object.
 */
import path from 'node:path';
import {
  contract,
  type CallOutcome,
  type InputOf,
  isMethodName,
  type JobMethodName,
  type JobResultOf,
  type MethodName,
  type ParsedInputOf,
} from '../../shared/contract.js';
import { actAsCaller, type Caller, inputRefusal, methodRefusal, OWNER } from '../../shared/callerAccess.js';
import { SiftError, toErrorInfo } from '../../shared/errors.js';
import type { HostEvent } from '../../shared/jobs.js';
import { dispatchJob, type JobWatch, valueOf } from '../../shared/jobRuns.js';
import { AlwaysOn } from './alwaysOn.js';
import { datasetHandlers } from './datasets/handlers.js';
import { driftHandlers } from './drift/handlers.js';
import { evaluationHandlers } from './evaluation/handlers.js';
import { feedHandlers } from './feeds/handlers.js';
import { gateHandlers } from './gates/handlers.js';
import { importHandlers } from './import/handlers.js';
import { Importer } from './import/importer.js';
import { jobHandlers } from './jobHandlers.js';
import { JobManager } from './jobs.js';
import { labelingHandlers } from './labeling/handlers.js';
import { wellnessHandlers } from './media/wellnessHandlers.js';
import { keymapHandlers } from './labeling/keymapHandlers.js';
import { LabelingService } from './labeling/labelingService.js';
import { mediaHandlers } from './media/handlers.js';
import { mediaClusterHandlers } from './media/clusterHandlers.js';
import { modelHandlers } from './models/handlers.js';
import { ModelRegistry } from './models/registry.js';
import { monitorHandlers } from './monitors/handlers.js';
import { MonitorService } from './monitors/monitorService.js';
import { queryHandlers } from './query/handlers.js';
import { QueryService } from './query/queryService.js';
import { checkRetention } from './media/restrictedAccess.js';
import { restrictedHandlers } from './media/restrictedHandlers.js';
import { reportHandlers } from './reports/handlers.js';
import { robustnessHandlers } from './robustness/handlers.js';
import { ReportStore } from './reports/reports.js';
import type { Handlers, HostServices } from './services.js';
import { spikeHandlers } from './spikes/handlers.js';
import { annotatorHandlers } from './workspace/annotatorHandlers.js';
import { annotatorCaller } from './workspace/annotatorTokens.js';
import { rememberWorkspace } from './workspace/appState.js';
import { checkWorkspaceFolder } from './workspace/fileAccess.js';
import { type FileAccess, Workspace } from './workspace/workspace.js';
import { workspaceHandlers } from './workspace/handlers.js';

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
    await checkRetention(host.services);
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
      monitors: new MonitorService(workspace, (event) => this.emit(event)),
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

  /** Who calls with a token other than the owner's (browser mode): an annotator of the open workspace, or null. */
  callerForToken(token: string | null): Caller | null {
    return annotatorCaller(this.workspace.dir, token);
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

  /** The open workspace's monitors: the always-on services start their schedule. */
  get monitors(): MonitorService {
    return this.current.monitors;
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
    // The always-on services follow the workspace: stopped on the old one, started again on the new one.
    const wasRunning = this.alwaysOn.isRunning;
    await this.alwaysOn.stop();
    await this.jobs.cancelAll();
    await this.current.queries.cancelAll();
    await this.current.monitors.close();
    await this.current.closeLabeling();
    await this.current.workspace.close();
    this.current = this.servicesFor(next);
    await checkRetention(this.services);
    rememberWorkspace(next.dir);
    if (wasRunning) await this.alwaysOn.start();
    this.emit({ channel: 'workspace', event: { type: 'opened' } });
  }

  /** What the feature handlers see of this host: the open workspace's services, read afresh on every call. */
  private readonly services: HostServices = (() => {
    const current = () => this.current;
    return {
      get workspace() {
        return current().workspace;
      },
      get queries() {
        return current().queries;
      },
      get importer() {
        return current().importer;
      },
      get reports() {
        return current().reports;
      },
      get models() {
        return current().models;
      },
      get monitors() {
        return current().monitors;
      },
      jobs: this.jobs,
      labeling: () => this.labeling(),
      emit: (event) => this.emit(event),
      onEvent: (listener) => this.onEvent(listener),
      switchWorkspace: (dir) => this.switchWorkspace(dir),
    };
  })();

  /**
   * The always-on services (alwaysOn.ts: folder feeds, monitors), started by the engine process and `sift watch run`;
   * a one-shot CLI command never starts them.
   */
  readonly alwaysOn = new AlwaysOn(this.services);

  /** Every contract method's handler, each from the folder of its feature; the type checks that none is missing. */
  readonly handlers: Handlers<MethodName> = {
    ...workspaceHandlers(this.services),
    ...queryHandlers(this.services),
    ...importHandlers(this.services),
    ...reportHandlers(this.services),
    ...spikeHandlers(this.services),
    ...modelHandlers(this.services),
    ...evaluationHandlers(this.services),
    ...driftHandlers(this.services),
    ...robustnessHandlers(this.services),
    ...gateHandlers(this.services),
    ...labelingHandlers(this.services),
    ...keymapHandlers(this.services),
    ...datasetHandlers(this.services),
    ...jobHandlers(this.jobs),
    ...annotatorHandlers(this.services),
    ...monitorHandlers(this.services),
    ...feedHandlers(this.services),
    ...wellnessHandlers(this.services),
    ...mediaHandlers(this.services),
    ...mediaClusterHandlers(this.services),
    ...restrictedHandlers(this.services),
  };

  /**
   * Starts a long operation through `dispatch` (so validation and the caller's reach apply), follows its job and
   * answers the result its contract declares, or the refusal or the job's error. Never throws.
   */
  dispatchJob<M extends JobMethodName>(
    name: M,
    rawInput: unknown,
    watch?: JobWatch,
  ): Promise<CallOutcome<JobResultOf<M>>> {
    return dispatchJob(this, name, rawInput, watch);
  }

  /** The same, as the owner, for the CLI and tests: the job's typed result, or its error thrown as a SiftError. */
  async runJob<M extends JobMethodName>(name: M, input: InputOf<M>, watch?: JobWatch): Promise<JobResultOf<M>> {
    return valueOf(await this.dispatchJob(name, input, watch));
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
    await this.alwaysOn.stop();
    await this.jobs.cancelAll();
    await this.queries.cancelAll();
    await this.current.monitors.close();
    await this.current.closeLabeling();
    await this.workspace.close();
  }
}
