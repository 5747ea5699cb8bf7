/** The jobs part of the contract (shared/contract/jobs.ts): listing, following and cancelling long work. */
import type { jobMethods } from '../../shared/contract/jobs.js';
import type { JobManager } from './jobs.js';
import type { Handlers } from './services.js';

export function jobHandlers(jobs: JobManager): Handlers<keyof typeof jobMethods> {
  return {
    'jobs.list': async () => jobs.list(),
    'jobs.get': async ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
  };
}
