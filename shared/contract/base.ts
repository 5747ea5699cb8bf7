/** What every feature's part of the contract builds on: binding a schema to an output type, and shared fields. */
import { z } from 'zod/v3';

/** Binds an input schema to an output type; `output` exists only for the type checker. */
export const method =
  <O>() =>
  <I extends z.ZodType>(input: I): { input: I; output: O } => ({ input, output: undefined as unknown as O });

/** What a job's call answers at once: the id its events, jobs.get and jobs.cancel name. */
export interface JobStarted {
  jobId: string;
}

/**
 * Declares a long operation: its call validates the input and answers `{ jobId }` at once; the job then reports
 * progress (a fraction and a message) and ends with a `Result`, an error, or cancelled. One name per operation: the
 * operation is always a job. `result` exists only for the type checker (JobResultOf in shared/contract.ts).
 */
export const job =
  <Result>() =>
  <I extends z.ZodType>(input: I): { input: I; output: JobStarted; job: true; result: Result } => ({
    input,
    output: undefined as unknown as JobStarted,
    job: true,
    result: undefined as unknown as Result,
  });

export const empty = z.object({}).strict();
export const nonEmpty = (field: string) =>
  z.string({ message: `${field} must be a string` }).min(1, `${field} must not be empty`);
export const tableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'table names are letters, digits and _ (not starting with a digit)');
export const isoTime = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date-time such as 2024-03-10T14:00:00Z');

export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell };
export const cellParam = z.union([z.string(), z.number().finite(), z.boolean(), z.null()]);
