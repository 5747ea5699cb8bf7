/**
 * The labeling screen's key handler: a key press is read as a chord, the annotator's keymap (keymapStore) names its
 * action, and the action runs. A letter no action holds picks the policy's leaf with that key. Keys typed into the
 * note stay in the note; while the help is open only Esc and the help's keys reach here (the help takes the rest).
 */
import { type RefObject, useEffect } from 'react';
import { chordOf, type KeyActionId } from '../../shared/keymap';
import { isTyping } from '../components/typing';
import { useRole } from '../roleStore';
import { runMediaAction } from '../media/mediaView';
import { useKeymap } from './keymapStore';
import { useLabeling } from './labelStore';

type LabelState = ReturnType<typeof useLabeling.getState>;

/** What each action does; false when it does not apply here (the key then does nothing and is not swallowed). */
function runAction(id: KeyActionId, s: LabelState, noteRef: RefObject<HTMLInputElement | null>): boolean {
  const categories = s.taxonomy?.categories ?? [];
  const numbered = /^(category|leaves)([1-9])$/.exec(id);
  if (numbered) {
    const category = categories[Number(numbered[2]) - 1];
    if (!category) return false;
    if (numbered[1] === 'category') s.toggleCategory(category.name);
    else s.cycleLeaf(category.name);
    return true;
  }
  switch (id) {
    case 'submit':
      return (s.submit(), true);
    case 'noneOfThese':
      return (s.noneOfThese(), true);
    case 'undo':
      return (s.undo(), true);
    case 'next':
      return (s.move(1), true);
    case 'previous':
      return (s.move(-1), true);
    case 'skip':
      return (s.skip(), true);
    case 'unsure':
      return (s.unsure(), true);
    case 'note':
      return (noteRef.current?.focus(), true);
    case 'help':
      return (s.setHelp(true), true);
    case 'retrain':
      // An annotator's link labels; retraining is the lead's.
      if (useRole.getState().role === 'annotator') return false;
      return (s.retrain(), true);
    default:
      // The media viewer's keys reach the screen's main media panel (nothing when the item shows none).
      return id.startsWith('media') && runMediaAction(id);
  }
}

/** Loads the annotator's keys and handles the screen's keys while it is shown. */
export function useLabelKeys(noteRef: RefObject<HTMLInputElement | null>) {
  const annotator = useLabeling((state) => state.annotator);
  useEffect(() => {
    void useKeymap.getState().load(annotator);
  }, [annotator]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const s = useLabeling.getState();
      if (!s.batch || !s.taxonomy || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) {
        // Only the note field takes keys; Enter or Escape hands the keyboard back.
        if (event.target === noteRef.current && (event.key === 'Enter' || event.key === 'Escape')) {
          event.preventDefault();
          noteRef.current?.blur();
        }
        return;
      }
      const { byChord } = useKeymap.getState();
      const action = byChord.get(chordOf(event));
      if (s.helpOpen) {
        if (event.key === 'Escape' || action === 'help') {
          event.preventDefault();
          s.setHelp(false);
        }
        return;
      }
      let handled = action !== undefined && runAction(action, s, noteRef);
      if (!handled && /^[a-z]$/.test(event.key)) {
        const category = s.taxonomy.categories.find((c) => c.leaves.some((leaf) => leaf.key === event.key));
        const leaf = category?.leaves.find((l) => l.key === event.key);
        if (category && leaf) {
          s.toggleLeaf(category.name, leaf.name);
          handled = true;
        }
      }
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [noteRef]);
}
