/**
 * The pairs an evaluation read, held per workspace for a while, so that a calibration fit beside the evaluation is
 * of exactly those items.
 */
import { SiftError } from '../../../shared/errors.js';
import type { Workspace } from '../workspace/workspace.js';
import type { PairLists } from './pairScan.js';

/** The pairs an evaluation read, held so that a calibration fit beside it is of exactly those items. */
export interface HeldPairs {
  model: string;
  version: string;
  labels: string | undefined;
  lists: Map<string, PairLists>;
}

/** How many evaluations' pairs a workspace holds (about 45 MB each at 5M pairs); the oldest goes first. */
const HELD_EVALUATIONS = 2;
const heldPairs = new WeakMap<Workspace, Map<string, HeldPairs>>();

export function holdPairs(workspace: Workspace, id: string, pairs: HeldPairs): void {
  const held = heldPairs.get(workspace) ?? new Map<string, HeldPairs>();
  heldPairs.set(workspace, held);
  held.set(id, pairs);
  for (const oldest of held.keys()) if (held.size > HELD_EVALUATIONS) held.delete(oldest);
}

/**
 * The pairs of the evaluation named, if they are still held; a model, version or labels query that contradicts that
 * evaluation is refused rather than fitted on the wrong items.
 */
export function pairsOfEvaluation(
  workspace: Workspace,
  input: { model: string; version?: string; labels?: string; evaluation?: string },
): HeldPairs | null {
  const held = input.evaluation ? heldPairs.get(workspace)?.get(input.evaluation) : undefined;
  if (!held) return null;
  const clash =
    held.model !== input.model
      ? 'model'
      : input.version !== undefined && input.version !== held.version
        ? 'version'
        : input.labels !== held.labels
          ? 'labels query'
          : null;
  if (clash)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `evaluation: ${input.evaluation} evaluated ${held.model} ${held.version}${held.labels ? ' with its own labels query' : ''}; its ${clash} differs from this request's.`,
    });
  return held;
}
