/**
 * The one API contract between the UI (or any client) and the host: method name → input schema → output type.
 * Each feature declares its methods and types in shared/contract/; this module merges them into the one map.
 * Electron IPC and browser-mode HTTP are both generated from it, and the host validates every input against these
 * schemas before a handler sees it.
 */
import type { z } from 'zod/v3';
import type { SiftErrorInfo } from './errors.js';
import { annotatorMethods } from './contract/annotators.js';
import { datasetMethods } from './contract/datasets.js';
import { driftMethods } from './contract/drift.js';
import { evaluationMethods } from './contract/evaluation.js';
import { feedMethods } from './contract/feeds.js';
import { gateMethods } from './contract/gates.js';
import { importMethods } from './contract/import.js';
import { jobMethods } from './contract/jobs.js';
import { keymapMethods } from './contract/keymap.js';
import { labelingMethods } from './contract/labeling.js';
import { mediaMethods } from './contract/media.js';
import { mediaClusterMethods } from './contract/mediaClusters.js';
import { modelMethods } from './contract/models.js';
import { monitorMethods } from './contract/monitors.js';
import { queryMethods } from './contract/query.js';
import { reportMethods } from './contract/reports.js';
import { restrictedMethods } from './contract/restricted.js';
import { robustnessMethods } from './contract/robustness.js';
import { spikeMethods } from './contract/spikes.js';
import { wellnessMethods } from './contract/wellness.js';
import { workspaceMethods } from './contract/workspace.js';

export type { Cell, JobStarted } from './contract/base.js';
export * from './contract/annotators.js';
export type * from './contract/datasets.js';
export type * from './contract/drift.js';
export type * from './contract/evaluation.js';
export type * from './contract/feeds.js';
export type * from './contract/gates.js';
export type * from './contract/import.js';
export type * from './contract/keymap.js';
export * from './contract/labeling.js';
export type * from './contract/media.js';
export type * from './contract/mediaClusters.js';
export * from './contract/models.js';
export type * from './contract/monitors.js';
export type * from './contract/query.js';
export type * from './contract/reports.js';
export type * from './contract/restricted.js';
export type * from './contract/robustness.js';
export type * from './contract/spikes.js';
export type * from './contract/wellness.js';
export type * from './contract/workspace.js';

export const contract = {
  ...workspaceMethods,
  ...queryMethods,
  ...importMethods,
  ...reportMethods,
  ...spikeMethods,
  ...modelMethods,
  ...evaluationMethods,
  ...driftMethods,
  ...robustnessMethods,
  ...labelingMethods,
  ...keymapMethods,
  ...datasetMethods,
  ...jobMethods,
  ...annotatorMethods,
  ...monitorMethods,
  ...feedMethods,
  ...gateMethods,
  ...wellnessMethods,
  ...mediaMethods,
  ...mediaClusterMethods,
  ...restrictedMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export const METHOD_NAMES = Object.keys(contract) as MethodName[];
export type InputOf<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInputOf<M extends MethodName> = z.output<Contract[M]['input']>;
export type OutputOf<M extends MethodName> = Contract[M]['output'];

/** The long operations: each is declared once with `job<Result>()` (contract/base.ts) and its call answers `{ jobId }`. */
export type JobMethodName = { [M in MethodName]: Contract[M] extends { job: true } ? M : never }[MethodName];
/** What the job a method starts ends with, when it is done. */
export type JobResultOf<M extends JobMethodName> = Contract[M] extends { result: infer R } ? R : never;
export const JOB_METHOD_NAMES = METHOD_NAMES.filter(isJobMethodName);

export function isJobMethodName(name: string): name is JobMethodName {
  return isMethodName(name) && 'job' in contract[name];
}

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
