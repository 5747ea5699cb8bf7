/** Long host work (imports, exports, scoring) runs as a job; these are the events it emits. */
import type { FeedEvent } from './contract/feeds.js';
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobSummary<Result = unknown> {
  id: string;
  /** The contract method that started it (a JobMethodName). */
  method: string;
  title: string;
  status: JobStatus;
  /** 0..1, or null while the amount of work is unknown. */
  progress: number | null;
  message: string;
  startedAt: string;
  finishedAt?: string;
  /** Once done: what the method's contract declares (JobResultOf); shared/jobRuns.ts hands it out typed. */
  result?: Result;
  error?: import('./errors.js').SiftErrorInfo;
}

export type JobEvent =
  | { type: 'progress'; job: JobSummary }
  | { type: 'log'; jobId: string; message: string }
  | { type: 'done'; job: JobSummary }
  | { type: 'failed'; job: JobSummary }
  | { type: 'cancelled'; job: JobSummary };

/** How far a query result still streaming into the host has got; `error` when the read stopped. */
export interface QueryStoredEvent {
  resultId: string;
  rowCount: number;
  complete: boolean;
  error?: import('./errors.js').SiftErrorInfo;
}

/** Every push from host to UI travels as one of these. */
export type HostEvent =
  | { channel: 'job'; event: JobEvent }
  | { channel: 'workspace'; event: { type: 'changed' | 'opened' } }
  | { channel: 'query'; event: QueryStoredEvent }
  | { channel: 'feed'; event: FeedEvent }
  | { channel: 'engine'; event: { type: 'stopped'; reason: string } | { type: 'restarted' } }
  | { channel: 'monitor'; event: import('./contract/monitors.js').MonitorEvent };
