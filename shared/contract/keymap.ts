/**
 * An annotator's keys on the labeling screen (the table and its rule: shared/keymap.ts), kept per annotator in the
 * workspace's store. An annotator's token reads and changes its own keys only (shared/callerAccess.ts).
 */
import { z } from 'zod/v3';
import { type AnnotatorKeymap, keymapChangeSchema } from '../keymap.js';
import { annotatorName } from './labeling.js';
import { method } from './base.js';

export type { AnnotatorKeymap, KeyBindings, KeymapChange } from '../keymap.js';

export const keymapMethods = {
  /** The annotator's bindings: the actions they rebound; every other action keeps its default keys. */
  'keymap.get': method<AnnotatorKeymap>()(z.object({ annotator: annotatorName }).strict()),
  /**
   * Rebinds the actions named (null: back to the default keys, []: no key) and returns the bindings now kept.
   * Refused, naming the key and what holds it, when another action or a policy's leaf has the key, when the change
   * gives a key twice, or when the key is the browser's or the app's or cannot be typed (keymapRefusal).
   */
  'keymap.set': method<AnnotatorKeymap>()(
    z.object({ annotator: annotatorName, bindings: keymapChangeSchema }).strict(),
  ),
} as const;
