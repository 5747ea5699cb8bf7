import { create } from 'zustand';
import type {
  SpikeBucket,
  SpikeDimension,
  SpikeDrill,
  SpikeOverview,
  SpikeSource,
  SpikeWindowInfo,
} from '../../shared/contract';
import { api, errorMessage } from '../api/client';
import { runJob } from '../jobs/jobsStore';

export interface SpikeControls {
  source: SpikeSource;
  by: SpikeDimension;
  bucket: SpikeBucket;
  threshold: number;
}

interface SpikesState {
  controls: SpikeControls;
  overview: SpikeOverview | null;
  selected: SpikeWindowInfo | null;
  drill: SpikeDrill | null;
  loading: boolean;
  drilling: boolean;
  error: string | null;
  setControls(update: Partial<SpikeControls>): void;
  load(): Promise<void>;
  select(window: SpikeWindowInfo): Promise<void>;
  /**
   * Opens the drill at a window found elsewhere (a monitor's alert): the timeline for its source, dimension and
   * bucket, then that window's drill-down. Resolves once the timeline is loaded; the drill goes on as a job.
   */
  investigate(controls: SpikeControls, window: SpikeWindowInfo): Promise<void>;
}

export const DIMENSIONS: Record<SpikeSource, SpikeDimension[]> = {
  reports: ['reason', 'surface', 'language', 'total'],
  actions: ['category', 'action', 'surface', 'language', 'total'],
};

export const useSpikes = create<SpikesState>((set, get) => ({
  controls: { source: 'reports', by: 'reason', bucket: 'hour', threshold: 3 },
  overview: null,
  selected: null,
  drill: null,
  loading: false,
  drilling: false,
  error: null,
  setControls(update) {
    const next = { ...get().controls, ...update };
    if (!DIMENSIONS[next.source].includes(next.by)) next.by = DIMENSIONS[next.source][0]!;
    set({ controls: next });
    void get().load();
  },
  async load() {
    set({ loading: true, error: null });
    try {
      const overview = await api['spike.overview'](get().controls);
      set({ overview, selected: null, drill: null });
    } catch (error) {
      set({ error: errorMessage(error), overview: null });
    } finally {
      set({ loading: false });
    }
  },
  async investigate(controls, window) {
    set({ controls });
    await get().load();
    // The timeline's own window when it marks the same one, so its row shows as picked.
    const same = get().overview?.windows.find(
      (shown) => shown.series === window.series && shown.start === window.start && shown.end === window.end,
    );
    void get().select(same ?? window);
  },
  async select(window) {
    const { source, by } = get().controls;
    set({ selected: window, drill: null, drilling: true, error: null });
    try {
      const drill = await runJob('spike.drill', {
        source,
        by,
        series: window.series,
        start: window.start,
        end: window.end,
      });
      // Another window may have been picked meanwhile.
      if (get().selected === window) set({ drill });
    } catch (error) {
      set({ error: errorMessage(error) });
    } finally {
      set({ drilling: false });
    }
  },
}));
