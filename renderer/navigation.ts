import { create } from 'zustand';

export type ViewName = 'explore' | 'reports' | 'spikes' | 'monitor' | 'models' | 'evaluate' | 'label';

const VIEW_KEY = 'sift-view';
export const VIEWS: ViewName[] = ['explore', 'reports', 'spikes', 'monitor', 'models', 'evaluate', 'label'];

/** The view survives a reload of the tab (an annotator who reloads is still labeling), not a new window. */
function initialView(): ViewName {
  const stored = typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(VIEW_KEY);
  return VIEWS.includes(stored as ViewName) ? (stored as ViewName) : 'explore';
}

export const useNavigation = create<{ view: ViewName; go(view: ViewName): void }>((set) => ({
  view: initialView(),
  go: (view) => {
    sessionStorage.setItem(VIEW_KEY, view);
    set({ view });
  },
}));
