/**
 * Reviewer wellness (issue 26, item 3; the rules: shared/wellness.ts and shared/mediaShield.ts): each annotator's
 * shield settings, and the time she spends on revealed sensitive media. An annotator's token reads and changes her
 * own settings and reports her own reveals only (shared/callerAccess.ts); the exposure of everyone is the owner's.
 */
import { z } from 'zod/v3';
import { revealIntervalSchema, type WellnessSettings, wellnessSettingsChangeSchema } from '../wellness.js';
import { annotatorName } from './labeling.js';
import { method } from './base.js';

export type { RevealInterval, WellnessSettings, WellnessSettingsChange } from '../wellness.js';

export interface AnnotatorWellness {
  annotator: string;
  settings: WellnessSettings;
  /** When and by whom (the annotator, or "owner") the settings last changed; null: the defaults, never changed. */
  updatedAt: string | null;
  updatedBy: string | null;
  /** Today's (UTC) exposure to revealed sensitive media, in ms. */
  exposureTodayMs: number;
  /** Today's exposure has reached her break reminder's limit. */
  breakDue: boolean;
}

export interface ExposureRecorded {
  /** How many intervals counted (a reveal of an item that is not sensitive is not exposure). */
  counted: number;
  /** Intervals that did not count, and why. */
  refused: { contentId: string; reason: string }[];
  exposureTodayMs: number;
  breakDue: boolean;
}

/** One annotator's exposure on one UTC day. */
export interface ExposureDay {
  annotator: string;
  day: string;
  ms: number;
  /** Distinct sensitive items she revealed that day. */
  items: number;
  /** Her break reminder's limit in minutes (null: none). */
  breakAfterMinutes: number | null;
}

export const wellnessMethods = {
  /** The annotator's settings (the defaults until changed) and her exposure today. */
  'wellness.get': method<AnnotatorWellness>()(z.object({ annotator: annotatorName }).strict()),
  /** Changes the settings named; the rest stay. Refused, naming the field, when a value is out of range. */
  'wellness.set': method<AnnotatorWellness>()(
    z.object({ annotator: annotatorName, change: wellnessSettingsChangeSchema }).strict(),
  ),
  /**
   * Reports reveal intervals (the UI sends them as the reviewer lets go of the reveal key). The host counts only
   * sensitive items, caps each interval and ignores overlap (shared/wellness.ts).
   */
  'wellness.exposure.record': method<ExposureRecorded>()(
    z.object({ annotator: annotatorName, intervals: z.array(revealIntervalSchema).min(1).max(200) }).strict(),
  ),
  /** Exposure per annotator per day, latest day first: the lead's (owner's) view. */
  'wellness.exposure.list': method<{ days: ExposureDay[] }>()(
    z.object({ days: z.number().int().min(1).max(366).default(14), annotator: annotatorName.optional() }).strict(),
  ),
} as const;
