/** How far a session has come, for one annotator and for everyone: derived from the journal's state alone. */
import type { SessionProgress } from '../../../shared/contract.js';
import { isDone, labelingPace } from '../../../shared/labeling.js';
import type { LabelingState } from './labelingState.js';

export function sessionProgress(state: LabelingState, sessionId: string, annotator: string): SessionProgress {
  const session = state.session(sessionId);
  const log = state.logFor(sessionId);
  // With overlap k an item is done once k annotators have labeled it.
  const overlap = session.overlap ?? 1;
  const labels = new Map<string, number>();
  let doneByAnnotator = 0;
  let skipped = 0;
  for (const [who, items] of log.items) {
    for (const [id, itemState] of items) {
      if (isDone(itemState)) {
        labels.set(id, (labels.get(id) ?? 0) + 1);
        if (who === annotator) doneByAnnotator++;
      }
    }
  }
  const done = new Set([...labels.entries()].filter(([, n]) => n >= overlap).map(([id]) => id));
  for (const itemState of log.items.get(annotator)?.values() ?? [])
    if (itemState.status === 'skipped' && !done.has(itemState.contentId)) skipped++;
  const batch = state.currentBatch(sessionId, annotator)?.batch;
  const pace = labelingPace(
    log.actions
      .filter((a) => a.annotatorId === annotator && !a.undone && (a.kind === 'label' || a.kind === 'unsure'))
      .map((a) => a.at),
  );
  return {
    annotator,
    done: done.size,
    doneByAnnotator,
    skipped,
    remaining: Math.max(0, session.ranked - done.size),
    total: session.ranked,
    batch: batch
      ? {
          id: batch.id,
          done: batch.items.filter((id) => !state.isOpenItem(sessionId, annotator, id)).length,
          size: batch.items.length,
        }
      : null,
    ...pace,
  };
}
