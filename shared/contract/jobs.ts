/** Long work: listing, following and cancelling jobs. */
import { z } from 'zod/v3';
import type { JobSummary } from '../jobs.js';
import { empty, method, nonEmpty } from './base.js';

export const jobMethods = {
  'jobs.list': method<JobSummary[]>()(empty),
  'jobs.get': method<JobSummary>()(z.object({ jobId: nonEmpty('jobId') }).strict()),
  'jobs.cancel': method<{ cancelled: boolean }>()(z.object({ jobId: nonEmpty('jobId') }).strict()),
} as const;
