/**
 * Reviewer wellness (issue 26, item 3): each annotator's shield settings, and the accounting of the time she spends
 * on revealed sensitive media. The settings are kept per annotator in the store (electron/host/media/wellness.ts),
 * set by the annotator herself or the workspace's owner; the exposure is counted per annotator per UTC day from the
 * reveal intervals the UI reports, capped and checked here so a wrong clock or a stuck key cannot inflate it.
 */
import { z } from 'zod/v3';

/** Blur strength in CSS pixels: strong enough by default that nothing is recognisable in a 1280 px rendition. */
export const BLUR_PX = { min: 4, max: 64, default: 24 } as const;
/** The break reminder: after this many minutes of exposure in a day (null: no reminder). */
export const BREAK_MINUTES = { min: 1, max: 480 } as const;

export const wellnessSettingsSchema = z
  .object({
    blurPx: z
      .number()
      .int('blurPx is a whole number of pixels')
      .min(BLUR_PX.min, `blurPx is at least ${BLUR_PX.min}`)
      .max(BLUR_PX.max, `blurPx is at most ${BLUR_PX.max}`),
    grey: z.boolean(),
    mutedVideo: z.boolean(),
    /** Show media unshielded — only ever for items that are not sensitive (shared/mediaShield.ts). */
    blurOff: z.boolean(),
    breakAfterMinutes: z
      .number()
      .int('breakAfterMinutes is a whole number of minutes')
      .min(BREAK_MINUTES.min, `breakAfterMinutes is at least ${BREAK_MINUTES.min}`)
      .max(BREAK_MINUTES.max, `breakAfterMinutes is at most ${BREAK_MINUTES.max}`)
      .nullable(),
  })
  .strict();
export type WellnessSettings = z.output<typeof wellnessSettingsSchema>;
/** A change: the settings named take these values; the rest stay as kept. */
export const wellnessSettingsChangeSchema = wellnessSettingsSchema.partial();
export type WellnessSettingsChange = z.output<typeof wellnessSettingsChangeSchema>;

export const DEFAULT_WELLNESS_SETTINGS: WellnessSettings = {
  blurPx: BLUR_PX.default,
  grey: true,
  mutedVideo: true,
  blurOff: false,
  breakAfterMinutes: null,
};

/** Settings as kept: a stored value that no longer validates (an older release, a hand edit) falls back field by field. */
export function storedSettings(raw: unknown): WellnessSettings {
  const settings = { ...DEFAULT_WELLNESS_SETTINGS };
  if (typeof raw !== 'object' || raw === null) return settings;
  for (const key of Object.keys(DEFAULT_WELLNESS_SETTINGS) as (keyof WellnessSettings)[]) {
    const field = wellnessSettingsSchema.shape[key].safeParse((raw as Record<string, unknown>)[key]);
    if (field.success) (settings as Record<string, unknown>)[key] = field.data;
  }
  return settings;
}

/** One reveal the UI reports: when the reviewer started and stopped seeing the item's media unshielded. */
export const revealIntervalSchema = z
  .object({
    contentId: z.string().min(1).max(512),
    startedAt: z.string().datetime({ message: 'startedAt is an ISO date-time (UTC)' }),
    endedAt: z.string().datetime({ message: 'endedAt is an ISO date-time (UTC)' }),
  })
  .strict();
export type RevealInterval = z.output<typeof revealIntervalSchema>;

/** A single reveal counts at most this long: a key held down while the reviewer walked away is not exposure. */
export const MAX_REVEAL_MS = 5 * 60_000;
/** Reveals the host accepts: ended no later than a minute ahead of its clock, started no more than a day before it. */
export const REVEAL_CLOCK_SKEW_MS = 60_000;
export const REVEAL_MAX_AGE_MS = 24 * 3600_000;

/**
 * The part of a reported interval that counts, as [start, end) in ms since the epoch, or why none of it does.
 * The end is clipped to the host's clock and the length to MAX_REVEAL_MS.
 */
export function countedInterval(interval: RevealInterval, nowMs: number): { start: number; end: number } | string {
  const start = Date.parse(interval.startedAt);
  const end = Math.min(Date.parse(interval.endedAt), nowMs);
  if (Date.parse(interval.endedAt) > nowMs + REVEAL_CLOCK_SKEW_MS) return 'ends in the future';
  if (start < nowMs - REVEAL_MAX_AGE_MS) return 'started more than a day ago';
  if (end <= start) return 'ends before it starts';
  return { start, end: Math.min(end, start + MAX_REVEAL_MS) };
}

/** The UTC day (YYYY-MM-DD) of a moment. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Splits [start, end) at UTC midnights: the milliseconds that fall on each day. Exposure is counted per day.
 */
export function msByDay(start: number, end: number): [string, number][] {
  const out: [string, number][] = [];
  let from = start;
  while (from < end) {
    const nextMidnight = Date.UTC(
      new Date(from).getUTCFullYear(),
      new Date(from).getUTCMonth(),
      new Date(from).getUTCDate() + 1,
    );
    const to = Math.min(end, nextMidnight);
    out.push([utcDay(from), to - from]);
    from = to;
  }
  return out;
}

/**
 * The union's length of possibly overlapping intervals: two windows revealing at once, or an interval reported
 * twice (a retry), count once.
 */
export function unionMs(intervals: readonly { start: number; end: number }[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let cursorStart = -Infinity;
  let cursorEnd = -Infinity;
  for (const { start, end } of sorted) {
    if (start > cursorEnd) {
      if (cursorEnd > cursorStart) total += cursorEnd - cursorStart;
      cursorStart = start;
      cursorEnd = end;
    } else cursorEnd = Math.max(cursorEnd, end);
  }
  if (cursorEnd > cursorStart) total += cursorEnd - cursorStart;
  return total;
}

/** Whether the break reminder is due: the day's exposure has reached the annotator's limit. */
export function breakDue(settings: WellnessSettings, exposureMsToday: number): boolean {
  return settings.breakAfterMinutes !== null && exposureMsToday >= settings.breakAfterMinutes * 60_000;
}

/** Exposure as people read it: "0 s", "45 s", "12 min 5 s", "1 h 02 min". */
export function exposureText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
