/**
 * Who this window is: the owner (the desktop app, or the browser with the URL `sift serve` printed) sees every view;
 * an annotator (a token the lead made) sees only labeling, as themselves.
 */
import { create } from 'zustand';
import type { WhoAmI } from '../shared/contract';
import { api, isDesktop } from './api/client';

interface RoleState extends WhoAmI {
  known: boolean;
  load(): Promise<WhoAmI>;
}

export const useRole = create<RoleState>((set) => ({
  role: 'owner',
  annotator: null,
  known: isDesktop,
  async load() {
    if (isDesktop) return { role: 'owner', annotator: null };
    try {
      const who = await api['auth.whoami']({});
      set({ ...who, known: true });
      return who;
    } catch {
      set({ known: true }); // a wrong token shows its own error on the next call
      return { role: 'owner', annotator: null };
    }
  },
}));
