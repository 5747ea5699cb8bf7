/** Score drift of a model version (shared/drift.ts defines PSI and the fraction above 0.8). */
import { z } from 'zod/v3';
import type { CategoryDrift } from '../drift.js';
import { isoTime, job, nonEmpty } from './base.js';

export type { CategoryDrift } from '../drift.js';

/** Which scores one side holds: a version's, scored in [from, to) (scored_at), or all of them. */
export interface DriftSide {
  version: string;
  from: string | null;
  to: string | null;
}

/** A period or version against a reference, per category. */
export interface DriftComparison {
  model: string;
  current: DriftSide;
  reference: DriftSide;
  /** Compared on exactly the items both versions scored, not their whole distributions. */
  sameItems: boolean;
  categories: CategoryDrift[];
}

/** One week (Monday 00:00 of scored_at, ISO week) of one category, against the calendar week before it. */
export interface WeeklyDriftPoint {
  week: string;
  n: number;
  /** The share of the week's scores above 0.8; null for none. */
  above: number | null;
  /** PSI against the week before (its deciles); null when either week has no scores. */
  psi: number | null;
}

export interface WeeklyDrift {
  model: string;
  version: string;
  /** The weeks with scores, oldest first (YYYY-MM-DD, their Mondays); at most the last `weeks`. */
  weeks: string[];
  categories: { category: string; points: WeeklyDriftPoint[] }[];
}

const period = {
  from: isoTime.optional(),
  to: isoTime.optional(),
};

export const driftMethods = {
  /** A job: one side's scores (a version, a period) against a reference (another version, another period). */
  'drift.compare': job<DriftComparison>()(
    z
      .object({
        model: nonEmpty('model'),
        version: z.string().optional(),
        ...period,
        /** The reference: another version (all its scores, or a period of them) or a period of the same version. */
        reference: z.object({ version: z.string().optional(), ...period }).strict(),
        /** Two versions compared on exactly the items both scored (no period). */
        sameItems: z.boolean().optional(),
      })
      .strict(),
  ),
  /** A job: every week of a version's scores against the week before. */
  'drift.weekly': job<WeeklyDrift>()(
    z
      .object({
        model: nonEmpty('model'),
        version: z.string().optional(),
        /** How many of the latest weeks (default 26). */
        weeks: z.number().int().min(2).max(520).optional(),
      })
      .strict(),
  ),
} as const;
