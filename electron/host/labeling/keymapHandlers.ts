/** The keymap part of the contract (shared/contract/keymap.ts): each annotator's keys on the labeling screen. */
import type { keymapMethods } from '../../../shared/contract/keymap.js';
import type { Handlers, HostServices } from '../services.js';
import { changeKeymap, readKeymap } from './keymaps.js';

export function keymapHandlers(host: HostServices): Handlers<keyof typeof keymapMethods> {
  return {
    'keymap.get': async ({ annotator }) => readKeymap(host.workspace, annotator),
    'keymap.set': async ({ annotator, bindings }) => changeKeymap(host.workspace, annotator, bindings),
  };
}
