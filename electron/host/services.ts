/**
 * What a feature's handlers see of the host: the open workspace's services (read afresh on every call, so a
 * handler follows workspace.open), the job manager, and the host's event stream. Each folder of electron/host/
 * exports `xHandlers(host): Handlers<its contract part's names>`; host.ts composes them into the one map.
 */
import type { Caller } from '../../shared/callerAccess.js';
import type { MethodName, OutputOf, ParsedInputOf } from '../../shared/contract.js';
import type { HostEvent } from '../../shared/jobs.js';
import type { Importer } from './import/importer.js';
import type { JobManager } from './jobs.js';
import type { LabelingService } from './labeling/labelingService.js';
import type { ModelRegistry } from './models/registry.js';
import type { MonitorService } from './monitors/monitorService.js';
import type { QueryService } from './query/queryService.js';
import type { ReportStore } from './reports/reports.js';
import type { Workspace } from './workspace/workspace.js';

export interface HostServices {
  readonly workspace: Workspace;
  readonly queries: QueryService;
  readonly importer: Importer;
  readonly reports: ReportStore;
  readonly models: ModelRegistry;
  readonly monitors: MonitorService;
  readonly jobs: JobManager;
  /** The labeling sessions of the open workspace, opened on first use. */
  labeling(): Promise<LabelingService>;
  emit(event: HostEvent): void;
  /** Follows the host's events (the monitors check when a feed takes a file); returns the unsubscribe. */
  onEvent(listener: (event: HostEvent) => void): () => void;
  switchWorkspace(dir: string): Promise<void>;
}

/** One handler per method of `M`, taking the validated input and who calls. */
export type Handlers<M extends MethodName> = {
  [K in M]: (input: ParsedInputOf<K>, caller: Caller) => Promise<OutputOf<K>>;
};
