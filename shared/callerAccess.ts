/**
 * Who may call what: the one declaration of a caller's reach, enforced by Host.dispatch for every transport (IPC,
 * HTTP, the engine's channel). The workspace's owner — the desktop user, the CLI, the owner token of browser mode —
 * calls every method. An annotator's token (made by the lead) calls only what the labeling screen needs, acts only
 * as the annotator the token names, and never decides for others: adjudication, sessions, policy versions, exports,
 * models, SQL, settings and tokens are the owner's. Anything not listed here is the owner's, so a new method is
 * closed to annotators until someone decides otherwise.
 */
import { contract, type LabelAction, type MethodName, type ParsedInputOf } from './contract.js';

export type Caller = { role: 'owner' } | { role: 'annotator'; annotator: string };

export const OWNER: Caller = { role: 'owner' };

/** Actions an annotator records for herself. `adjudicate` settles other people's disagreement: the owner's. */
export const ANNOTATOR_ACTION_KINDS = [
  'label',
  'skip',
  'unsure',
  'note',
  'undo',
] as const satisfies readonly LabelAction['kind'][];

/** For a method an annotator may call: why this particular input is refused, or null when it is allowed. */
type AnnotatorTerms<M extends MethodName> = (input: ParsedInputOf<M>) => string | null;

const ANNOTATOR_ACCESS: { [M in MethodName]?: AnnotatorTerms<M> } = {
  'auth.whoami': () => null,
  'taxonomy.get': () => null,
  'sessions.list': () => null,
  'sessions.get': () => null,
  'sessions.next': () => null,
  // Their own keys: actAsCaller makes `annotator` the token's name.
  'keymap.get': () => null,
  'keymap.set': () => null,
  // Her own shield settings and her own reveals (shared/wellness.ts); everyone's exposure is the lead's.
  'wellness.get': () => null,
  'wellness.set': () => null,
  'wellness.exposure.record': () => null,
  // The media of items in her own batches only: the handler checks each item (electron/host/media/mediaAccess.ts).
  'media.forItems': () => null,
  'media.get': () => null,
  'labels.record': ({ action }) =>
    (ANNOTATOR_ACTION_KINDS as readonly string[]).includes(action.kind)
      ? null
      : `action.kind "${action.kind}" decides for other annotators; only the workspace's owner (the lead) may ${action.kind}. An annotator's token records ${ANNOTATOR_ACTION_KINDS.join(', ')}.`,
  // Restricted media (shared/restrictedMedia.ts): she asks for a reveal and reads her own standing; the owner approves.
  'restricted.standing': () => null,
  'restricted.request': () => null,
};

export const ANNOTATOR_METHODS = Object.keys(ANNOTATOR_ACCESS) as MethodName[];

/**
 * Why `caller` may not call `name` at all (null: it may). Checked before the input is read: an annotator learns
 * nothing about an owner-only method from its validation errors.
 */
export function methodRefusal(caller: Caller, name: MethodName): string | null {
  if (caller.role === 'owner' || ANNOTATOR_ACCESS[name]) return null;
  return `${name}: an annotator's token reaches only labeling (${ANNOTATOR_METHODS.join(', ')}); the rest is the workspace owner's.`;
}

/**
 * The input as the caller may send it: an annotator acts only as herself, so any `annotator` field is her token's
 * name — filled in when she leaves it out, refused when she names someone else. Returns the input, or a refusal.
 */
export function actAsCaller(
  caller: Caller,
  name: MethodName,
  rawInput: unknown,
): { input: unknown } | { refusal: string } {
  if (caller.role === 'owner') return { input: rawInput };
  if (typeof rawInput !== 'object' || rawInput === null || Array.isArray(rawInput)) return { input: rawInput };
  const claimed = (rawInput as { annotator?: unknown }).annotator;
  if (claimed !== undefined && claimed !== caller.annotator)
    return { refusal: `${name}: this token labels as ${caller.annotator}, not as ${String(claimed)}.` };
  return { input: methodTakesAnnotator(name) ? { ...rawInput, annotator: caller.annotator } : rawInput };
}

/** Why an annotator may not make this (validated) call, or null. */
export function inputRefusal<M extends MethodName>(caller: Caller, name: M, input: ParsedInputOf<M>): string | null {
  if (caller.role === 'owner') return null;
  const terms = ANNOTATOR_ACCESS[name] as AnnotatorTerms<M> | undefined;
  const reason = terms ? terms(input) : 'owner only.';
  return reason === null ? null : `${name}: ${reason}`;
}

/** Whether the method's input names the annotator it acts as (read from the contract's schema). */
function methodTakesAnnotator(name: MethodName): boolean {
  const schema: unknown = contract[name].input;
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && Object.prototype.hasOwnProperty.call(shape, 'annotator');
}
