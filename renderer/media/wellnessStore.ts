/**
 * The reviewer's shield settings and today's exposure (shared/wellness.ts), for every <Shield> on the page. The
 * reviewer is the labeling screen's annotator (an annotator's token: herself). Reveals of sensitive items are sent
 * to the host as they end (wellness.exposure.record), queued so none is lost while one is on its way; the host
 * decides what counts and answers with the day's total, which drives the break reminder.
 */
import { create } from 'zustand';
import type { RevealInterval, WellnessSettings, WellnessSettingsChange } from '../../shared/contract';
import { DEFAULT_WELLNESS_SETTINGS } from '../../shared/wellness';
import { api, errorMessage } from '../api/client';

interface WellnessState {
  /** Whose settings these are ('' until the labeling screen names the annotator: the defaults apply). */
  annotator: string;
  settings: WellnessSettings;
  exposureTodayMs: number;
  breakDue: boolean;
  /** The reminder was put aside (until the next reveal that ends while it is due). */
  breakDismissed: boolean;
  /** The host's refusal of the last change, in its words, or what changed. */
  notice: { refused: boolean; text: string } | null;
  load(annotator: string): Promise<void>;
  change(change: WellnessSettingsChange): Promise<void>;
  reportReveal(interval: RevealInterval): void;
  dismissBreak(): void;
}

const pending: RevealInterval[] = [];
let sending: Promise<void> | null = null;

export const useWellness = create<WellnessState>((set, get) => {
  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const { annotator } = get();
      const intervals = pending.splice(0, 200);
      if (!annotator) continue; // nobody to count it for: the labeling screen has not named the reviewer
      try {
        const outcome = await api['wellness.exposure.record']({ annotator, intervals });
        if (get().annotator === annotator)
          set({ exposureTodayMs: outcome.exposureTodayMs, breakDue: outcome.breakDue, breakDismissed: false });
      } catch (error) {
        set({ notice: { refused: true, text: `Exposure could not be recorded: ${errorMessage(error)}` } });
      }
    }
  };

  return {
    annotator: '',
    settings: DEFAULT_WELLNESS_SETTINGS,
    exposureTodayMs: 0,
    breakDue: false,
    breakDismissed: false,
    notice: null,

    async load(annotator) {
      if (annotator === get().annotator) return;
      set({ annotator, settings: DEFAULT_WELLNESS_SETTINGS, exposureTodayMs: 0, breakDue: false, notice: null });
      if (!annotator) return;
      try {
        const kept = await api['wellness.get']({ annotator });
        if (get().annotator === annotator)
          set({ settings: kept.settings, exposureTodayMs: kept.exposureTodayMs, breakDue: kept.breakDue });
      } catch (error) {
        set({
          notice: {
            refused: true,
            text: `Your settings could not be read (the defaults apply): ${errorMessage(error)}`,
          },
        });
      }
    },

    async change(change) {
      const { annotator } = get();
      if (!annotator) return set({ notice: { refused: true, text: 'Name the annotator first.' } });
      try {
        const kept = await api['wellness.set']({ annotator, change });
        if (get().annotator === annotator)
          set({ settings: kept.settings, breakDue: kept.breakDue, notice: { refused: false, text: 'Saved.' } });
      } catch (error) {
        set({ notice: { refused: true, text: errorMessage(error) } });
      }
    },

    reportReveal(interval) {
      pending.push(interval);
      sending ??= flush().finally(() => (sending = null));
    },

    dismissBreak() {
      set({ breakDismissed: true });
    },
  };
});
