/** Obfuscation robustness of a model version, with its CPU latency (shared/robustness.ts defines the figures). */
import { z } from 'zod/v3';
import { TRANSFORM_NAMES } from '../obfuscation.js';
import type { RobustnessResult } from '../robustness.js';
import { job, nonEmpty } from './base.js';

export type { RobustnessResult };

export const robustnessInput = z
  .object({
    model: nonEmpty('model'),
    /** The version to judge: the registered one when absent; one whose runtime is not here is "not applicable". */
    version: z.string().optional(),
    /** A query returning content_id, category, label (0/1); default: current_labels, majority vote. */
    labels: z.string().optional(),
    /** Which transforms (shared/obfuscation.ts); all six when absent. */
    transforms: z
      .array(z.enum(TRANSFORM_NAMES as [string, ...string[]]))
      .min(1, 'transforms: name at least one')
      .optional(),
    /** At most this many positives per category (a deterministic pick by a hash of content_id). */
    limit: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Items timed one by one for the latency p99 (0: no latency measurement). */
    latencySample: z.number().int().min(0).max(10_000).default(200),
  })
  .strict();

export const robustnessMethods = {
  /** A job (progress, cancel): the positives are scored once clean and once under each transform. */
  'robustness.run': job<RobustnessResult>()(robustnessInput),
};
