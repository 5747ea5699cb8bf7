/**
 * The labeling screen's keys for the annotator at work: shared/keymap.ts's defaults overridden by the bindings the
 * host keeps for them. A change goes to the host, which refuses a conflict by name; the refusal is shown as it came.
 */
import { create } from 'zustand';
import {
  actionsByChord,
  type KeyActionId,
  type KeyBindings,
  keyLabel,
  type Keymap,
  type KeymapChange,
  resolveKeymap,
} from '../../shared/keymap';
import { api, errorMessage } from '../api/client';

interface KeymapState {
  /** Whose keys these are ('' before an annotator is named: the defaults). */
  annotator: string;
  bindings: KeyBindings;
  keymap: Keymap;
  byChord: Map<string, KeyActionId>;
  /** The action waiting for its new key in the help, and what the help calls it (null: none). */
  capturing: { id: KeyActionId; title: string } | null;
  /** The host's answer to the last change: a refusal in its words, or what changed. */
  notice: { refused: boolean; text: string } | null;
  load(annotator: string): Promise<void>;
  capture(target: { id: KeyActionId; title: string } | null): void;
  /** Gives the action these keys (null: its defaults); `title` names it in the notice once the host has kept it. */
  change(id: KeyActionId, keys: string[] | null, title: string): Promise<void>;
}

const withBindings = (bindings: KeyBindings) => {
  const keymap = resolveKeymap(bindings);
  return { bindings, keymap, byChord: actionsByChord(keymap) };
};

export const useKeymap = create<KeymapState>((set, get) => ({
  annotator: '',
  ...withBindings({}),
  capturing: null,
  notice: null,

  async load(annotator) {
    set({ annotator, ...withBindings({}), capturing: null, notice: null });
    if (!annotator) return;
    try {
      const kept = await api['keymap.get']({ annotator });
      if (get().annotator === annotator) set(withBindings(kept.bindings));
    } catch (error) {
      set({
        notice: { refused: true, text: `Your keys could not be read (the defaults apply): ${errorMessage(error)}` },
      });
    }
  },

  capture(target) {
    set({ capturing: target, ...(target ? { notice: null } : {}) });
  },

  async change(id, keys, title) {
    const { annotator } = get();
    set({ capturing: null });
    try {
      const change: KeymapChange = { [id]: keys };
      const kept = await api['keymap.set']({ annotator, bindings: change });
      if (get().annotator !== annotator) return;
      const next = withBindings(kept.bindings);
      const now = keyLabels(next.keymap, id);
      const text = `${title}: ${now.length === 0 ? 'no key' : now.join(', ')}${keys === null ? ' (the default)' : ''}`;
      set({ ...next, notice: { refused: false, text } });
    } catch (error) {
      set({ notice: { refused: true, text: errorMessage(error) } });
    }
  },
}));

/** The keys of an action, as the help and the hints show them. */
export const keyLabels = (keymap: Keymap, id: KeyActionId): string[] => keymap[id].map((key) => keyLabel(key));
