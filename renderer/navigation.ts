import { create } from 'zustand';

export type ViewName = 'explore' | 'reports' | 'spikes' | 'models' | 'evaluate';

export const useNavigation = create<{ view: ViewName; go(view: ViewName): void }>((set) => ({
  view: 'explore',
  go: (view) => set({ view }),
}));
