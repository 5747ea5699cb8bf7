import { create } from 'zustand';
import type { Settings, TableInfo, WorkspaceInfo } from '../shared/contract';
import { api, errorMessage } from './api/client';

interface WorkspaceState {
  info: WorkspaceInfo | null;
  tables: TableInfo[];
  settings: Settings;
  error: string | null;
  refresh(): Promise<void>;
  setAllowWrites(allow: boolean): Promise<void>;
}

export const useWorkspace = create<WorkspaceState>((set) => ({
  info: null,
  tables: [],
  settings: { allowWrites: false },
  error: null,
  async refresh() {
    try {
      const [info, tables, settings] = await Promise.all([
        api['workspace.info']({}),
        api['tables.list']({}),
        api['settings.get']({}),
      ]);
      set({ info, tables, settings, error: null });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  async setAllowWrites(allowWrites) {
    const settings = await api['settings.update']({ allowWrites });
    set({ settings });
  },
}));
