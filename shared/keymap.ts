/**
 * The labeling screen's keys, declared once: each action's id, default keys and what it does. This table drives the
 * key handler, the help overlay and the hints on buttons. An annotator may rebind actions (kept per annotator in the
 * workspace's store); `keymapRefusal` is the one rule for what a binding may be. A policy's leaf keys (letters, in
 * the taxonomy file) are the policy's, not the annotator's: a binding may not take one.
 *
 * A key is written as a chord: a typed character as it is typed ('s', '?', and 'R' for Shift+r), a digit key with
 * Shift as 'Shift+1' (Shift+1 types '!' on one layout and '"' on another; the key is the same), or a named key
 * ('Enter', 'ArrowLeft', or 'Shift+Enter').
 */
import { z } from 'zod/v3';

export interface KeyAction {
  readonly id: string;
  readonly keys: readonly string[];
  /** What a button or the help calls the action. */
  readonly title: string;
  /** What the key does, as the help says it. */
  readonly description: string;
  /** The lead's (the workspace's owner): an annotator's screen does not offer it. */
  readonly lead?: boolean;
}

/** Number keys 1–9 toggle the taxonomy's categories in order; Shift+number cycles a category's leaves. */
export const CATEGORY_KEY_COUNT = 9;
type CategoryNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

const categoryActions = Array.from({ length: CATEGORY_KEY_COUNT }, (_, i) => ({
  id: `category${i + 1}` as `category${CategoryNumber}`,
  keys: [String(i + 1)],
  title: `Category ${i + 1}`,
  description: `toggle category ${i + 1}`,
}));
const leafActions = Array.from({ length: CATEGORY_KEY_COUNT }, (_, i) => ({
  id: `leaves${i + 1}` as `leaves${CategoryNumber}`,
  keys: [`Shift+${i + 1}`],
  title: `Leaves of category ${i + 1}`,
  description: `cycle the leaves of category ${i + 1}`,
}));

export const KEY_ACTIONS = [
  {
    id: 'submit',
    keys: ['Enter'],
    title: 'Submit',
    description: 'submit the item (categories not toggled are negative)',
  },
  {
    id: 'noneOfThese',
    keys: ['0'],
    title: 'None of these',
    description: 'none of these: every category negative, submitted',
  },
  {
    id: 'undo',
    keys: ['Backspace'],
    title: 'Undo',
    description: 'undo the last action (again and again, across items)',
  },
  { id: 'next', keys: ['ArrowRight', 'ArrowDown'], title: 'Next item', description: 'move to the next item' },
  { id: 'previous', keys: ['ArrowLeft', 'ArrowUp'], title: 'Previous item', description: 'move to the previous item' },
  { id: 'skip', keys: ['s'], title: 'Skip', description: 'skip the item (it comes back at the end)' },
  { id: 'unsure', keys: ['u'], title: 'Unsure', description: 'mark the item unsure' },
  { id: 'note', keys: ['n'], title: 'Note', description: 'write a note (Enter or Esc to return)' },
  {
    id: 'reveal',
    keys: ['Space'],
    title: 'Reveal media',
    description: 'hold to see the media unblurred; let go and they are shielded again (or click them)',
  },
  { id: 'help', keys: ['?'], title: 'Shortcuts', description: 'this help, where keys are changed (Esc closes)' },
  {
    id: 'retrain',
    keys: ['R'],
    title: 'Retrain',
    description: 'retrain the model on the labels so far, re-score and re-rank the pool (keep labeling meanwhile)',
    lead: true,
  },
  // The media viewer (renderer/media/): symbols and named keys, so no policy's leaf letter is taken.
  { id: 'mediaZoomIn', keys: ['+', '='], title: 'Zoom in', description: 'zoom into the picture (or Ctrl+wheel)' },
  { id: 'mediaZoomOut', keys: ['-'], title: 'Zoom out', description: 'zoom out of the picture (or Ctrl+wheel)' },
  { id: 'mediaFit', keys: ['Home'], title: 'Fit', description: 'fit the picture to the panel (or double-click)' },
  {
    id: 'mediaFramePrevious',
    keys: [','],
    title: 'Previous keyframe',
    description: "step back through a video's keyframes",
  },
  { id: 'mediaFrameNext', keys: ['.'], title: 'Next keyframe', description: "step through a video's keyframes" },
  {
    id: 'mediaPlay',
    keys: ['Shift+Space'],
    title: 'Play video',
    description: 'play the video (its small rendition), or back to its keyframes',
  },
  {
    id: 'mediaNextFile',
    keys: [']'],
    title: 'Next media file',
    description: "the item's next image or video, when it has several",
  },
  {
    id: 'mediaPreviousFile',
    keys: ['['],
    title: 'Previous media file',
    description: "the item's previous image or video, when it has several",
  },
  ...categoryActions,
  ...leafActions,
] as const satisfies readonly KeyAction[];

export type KeyActionId = (typeof KEY_ACTIONS)[number]['id'];
export const KEY_ACTION_IDS = KEY_ACTIONS.map((action) => action.id) as KeyActionId[];
const ACTIONS = new Map<string, KeyAction>(KEY_ACTIONS.map((action) => [action.id, action]));

export const keyAction = (id: KeyActionId): KeyAction => ACTIONS.get(id)!;
export const categoryAction = (index: number) => `category${index + 1}` as KeyActionId;
export const leavesAction = (index: number) => `leaves${index + 1}` as KeyActionId;

/** The keys of the default keymap that a single character types: a policy's leaf may not take one. */
export const DEFAULT_CHARACTER_KEYS: readonly string[] = KEY_ACTIONS.flatMap((action) => action.keys).filter(
  (key) => [...key].length === 1,
);

/** An annotator's own bindings: the actions they rebound ([] unbinds one); the rest keep their defaults. */
export type KeyBindings = Partial<Record<KeyActionId, string[]>>;
/** A change to the bindings: the actions named get these keys, or their defaults back (null). */
export type KeymapChange = Partial<Record<KeyActionId, string[] | null>>;
/** Every action's keys, the defaults overridden by the annotator's bindings. */
export type Keymap = Record<KeyActionId, readonly string[]>;

export interface AnnotatorKeymap {
  annotator: string;
  bindings: KeyBindings;
  /** When the annotator last changed a key (null: never; every action has its default). */
  updatedAt: string | null;
}

export function resolveKeymap(bindings: KeyBindings): Keymap {
  const keymap = {} as Record<KeyActionId, readonly string[]>;
  for (const action of KEY_ACTIONS) keymap[action.id] = bindings[action.id] ?? action.keys;
  return keymap;
}

/** Which action each key runs. */
export function actionsByChord(keymap: Keymap): Map<string, KeyActionId> {
  const byChord = new Map<string, KeyActionId>();
  for (const id of KEY_ACTION_IDS) for (const chord of keymap[id]) byChord.set(chord, id);
  return byChord;
}

export interface KeyPress {
  key: string;
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** The chord a key press is (see the top of this file); modifier keys held with it come first. */
export function chordOf(press: KeyPress): string {
  const digit = /^Digit([0-9])$/.exec(press.code)?.[1];
  let base = press.key;
  let shift = press.shiftKey;
  if (digit !== undefined) base = digit;
  else if (press.key === ' ') base = 'Space';
  else if ([...press.key].length === 1) shift = false; // the character says Shift already ('R', '?')
  const modifiers = [press.ctrlKey && 'Ctrl', press.altKey && 'Alt', press.metaKey && 'Meta', shift && 'Shift'];
  return [...modifiers.filter(Boolean), base].join('+');
}

const ARROWS: Record<string, string> = { ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓' };

/** How a chord is shown: 'R' as Shift+R, arrows as arrows; `compact` (a button's hint) shows Backspace as ⌫. */
export function keyLabel(chord: string, options: { compact?: boolean } = {}): string {
  if (/^\p{Lu}$/u.test(chord)) return `Shift+${chord}`;
  if (chord === 'Backspace' && options.compact) return '⌫';
  return chord.replace(/Arrow(Left|Right|Up|Down)$/, (arrow) => ARROWS[arrow]!);
}

/** Named keys an action may take (with or without Shift): the rest are the browser's, the app's, or cannot be typed. */
const NAMED_KEYS = [
  'Enter',
  'Backspace',
  'Delete',
  'Insert',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'ArrowLeft',
  'ArrowRight',
  'ArrowUp',
  'ArrowDown',
  'Space',
];

/** Why no action may take this key, or null when one may. */
export function chordRefusal(chord: string): string | null {
  const label = keyLabel(chord);
  if (/(^|\+)(Ctrl|Alt|Meta)\+/.test(chord))
    return `${label} is reserved: Ctrl, Alt and Meta keys are the browser's and the app's own shortcuts`;
  const base = chord.replace(/^Shift\+/, '');
  if (base === 'Escape') return `${label} is reserved: Esc closes the help and hands the keys back from the note`;
  if (base === 'Tab') return `${label} is reserved: Tab moves the keyboard focus`;
  if (/^F\d{1,2}$/.test(base))
    return `${label} is reserved by the browser and the app (F5 reloads, F11 is full screen, F12 the developer tools)`;
  if (chord.startsWith('Shift+') ? /^[0-9]$/.test(base) || NAMED_KEYS.includes(base) : NAMED_KEYS.includes(chord))
    return null;
  if (chord === base && /^[^\p{C}\p{Z}]$/u.test(chord)) return null; // one printable character, as typed
  if (chord.startsWith('Shift+') && [...base].length === 1)
    return `${chord} is written as the character it types (${base.toUpperCase()}), as a key press records it`;
  return `${label} cannot be typed as a shortcut: use a letter, a digit, a symbol or one of ${NAMED_KEYS.join(', ')}`;
}

/** A key a policy gives a leaf (the taxonomy file's `key`). */
export interface PolicyKey {
  key: string;
  leaf: string;
  policyVersion: string;
}

const quoted = (id: KeyActionId) => `'${keyAction(id).title}'`;

/**
 * The one rule for a change to an annotator's keys: why it is refused (naming the key and what holds it), or null.
 * Refused: a key no action may take (chordRefusal), a key given twice in the change, a key another action keeps,
 * and a key the policy gives a leaf.
 */
export function keymapRefusal(
  bindings: KeyBindings,
  change: KeymapChange,
  policyKeys: readonly PolicyKey[],
): string | null {
  const changed = Object.keys(change) as KeyActionId[];
  const after = resolveKeymap(applyKeymapChange(bindings, change));
  const givenTo = new Map<string, KeyActionId>();
  for (const id of changed) {
    for (const chord of after[id]) {
      const refusal = chordRefusal(chord);
      if (refusal) return refusal;
      const twice = givenTo.get(chord);
      if (twice !== undefined)
        return twice === id
          ? `${keyLabel(chord)} is given twice to ${quoted(id)}`
          : `${keyLabel(chord)} is given twice in this keymap: to ${quoted(twice)} and to ${quoted(id)}; give it to one`;
      givenTo.set(chord, id);
      const holder = KEY_ACTION_IDS.find((other) => !changed.includes(other) && after[other].includes(chord));
      if (holder !== undefined)
        return `${keyLabel(chord)} is already bound to ${quoted(holder)}; unbind it first or pick another key`;
      const leaf = policyKeys.find((policyKey) => policyKey.key === chord);
      if (leaf)
        return `${keyLabel(chord)} picks the leaf '${leaf.leaf}' (the key policy ${leaf.policyVersion} gives it); pick another key`;
    }
  }
  return null;
}

/** The bindings after a change: an action set to its defaults is dropped, so a later change of defaults reaches it. */
export function applyKeymapChange(bindings: KeyBindings, change: KeymapChange): KeyBindings {
  const next: KeyBindings = { ...bindings };
  for (const id of Object.keys(change) as KeyActionId[]) {
    const keys = change[id];
    const defaults = keyAction(id).keys;
    if (
      keys === null ||
      keys === undefined ||
      (keys.length === defaults.length && keys.every((k, i) => k === defaults[i]))
    )
      delete next[id];
    else next[id] = [...keys];
  }
  return next;
}

/** The shape of a change (which actions, how many keys); what the keys may be is keymapRefusal's. */
export const keymapChangeSchema = z.record(
  z.enum(KEY_ACTION_IDS as [KeyActionId, ...KeyActionId[]], {
    errorMap: () => ({ message: `not an action of the labeling screen (its actions: ${KEY_ACTION_IDS.join(', ')})` }),
  }),
  z
    .array(z.string().min(1, 'a key must not be empty').max(32, 'a key is at most 32 characters'))
    .max(4, 'an action takes at most 4 keys')
    .nullable(),
);

/** Bindings read back from the store: what is no longer an action, or a key no longer allowed, is dropped. */
export function storedBindings(raw: unknown): KeyBindings {
  const bindings: KeyBindings = {};
  if (typeof raw !== 'object' || raw === null) return bindings;
  for (const [id, keys] of Object.entries(raw))
    if (ACTIONS.has(id) && Array.isArray(keys))
      bindings[id as KeyActionId] = keys.filter((key): key is string => typeof key === 'string' && !chordRefusal(key));
  return bindings;
}
