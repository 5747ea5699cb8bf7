/**
 * The help over the labeling screen: the keys (from the one keymap, shared/keymap.ts), where the annotator changes
 * them, and the policy's guidelines. Keyboard only: Tab reaches each action's Change button, Enter starts it, the
 * next key pressed is the new one (Esc cancels), and the host's refusal of a conflict is shown as it came.
 */
import { useEffect, useRef } from 'react';
import type { Taxonomy } from '../../shared/contract';
import {
  categoryAction,
  chordOf,
  KEY_ACTIONS,
  keyAction,
  type KeyActionId,
  keyLabel,
  leavesAction,
} from '../../shared/keymap';
import { useRole } from '../roleStore';
import { keyLabels, useKeymap } from './keymapStore';

/** The hint on a button: the action's first key, as the annotator has it (nothing when the action has no key). */
export function KeyHint({ action }: { action: KeyActionId }) {
  const first = useKeymap((state) => state.keymap[action][0]);
  return first === undefined ? null : <kbd>{keyLabel(first, { compact: true })}</kbd>;
}

/** Keys pressed while holding, not keys themselves: the capture waits for the key they come with. */
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'OS']);

interface Row {
  id: KeyActionId;
  title: string;
  description: string;
}

/** The actions this screen offers: the categories the policy has, and the lead's only to the lead. */
function rowsFor(taxonomy: Taxonomy, lead: boolean): Row[] {
  const rows: Row[] = [];
  for (const action of KEY_ACTIONS) {
    if (/^(category|leaves)\d$/.test(action.id) || ('lead' in action && action.lead && !lead)) continue;
    rows.push({ id: action.id, title: action.title, description: action.description });
  }
  taxonomy.categories.forEach((category, i) => {
    rows.push({ id: categoryAction(i), title: category.title, description: `toggle ${category.title}` });
    if (category.leaves.length > 0)
      rows.push({
        id: leavesAction(i),
        title: `${category.title} leaves`,
        description: `cycle ${category.title}'s leaves (or press a leaf's letter)`,
      });
  });
  return rows;
}

function KeyRow({ row }: { row: Row }) {
  const keymap = useKeymap((state) => state.keymap);
  const capturing = useKeymap((state) => state.capturing?.id === row.id);
  const overridden = useKeymap((state) => row.id in state.bindings);
  const { capture, change } = useKeymap.getState();
  const keys = keyLabels(keymap, row.id);
  const defaults = keyAction(row.id)
    .keys.map((key) => keyLabel(key))
    .join(', ');
  return (
    <tr data-testid={`keymap-row-${row.id}`} className={capturing ? 'capturing' : undefined}>
      <td className="keymap-keys">
        {capturing ? (
          <span className="keymap-capture" role="status">
            press a key…
          </span>
        ) : keys.length === 0 ? (
          <span className="muted">no key</span>
        ) : (
          keys.map((key) => <kbd key={key}>{key}</kbd>)
        )}
      </td>
      <td>{row.description}</td>
      <td className="keymap-buttons">
        <button
          onClick={() => capture(capturing ? null : { id: row.id, title: row.title })}
          aria-label={`Change the key of ${row.title}`}
          data-testid={`rebind-${row.id}`}
        >
          {capturing ? 'Cancel (Esc)' : 'Change'}
        </button>
        {keys.length > 0 && (
          <button onClick={() => void change(row.id, [], row.title)} aria-label={`Unbind ${row.title}`}>
            Unbind
          </button>
        )}
        {overridden && (
          <button
            onClick={() => void change(row.id, null, row.title)}
            aria-label={`Give ${row.title} its default key (${defaults})`}
            title={`back to ${defaults}`}
          >
            Default
          </button>
        )}
      </td>
    </tr>
  );
}

/** While an action waits for its new key: the next key pressed (before the screen's handler sees it) is sent. */
function useCapture() {
  const capturing = useKeymap((state) => state.capturing);
  useEffect(() => {
    if (!capturing) return;
    const onKey = (event: KeyboardEvent) => {
      if (MODIFIERS.has(event.key)) return;
      event.preventDefault();
      event.stopPropagation();
      const { capture, change } = useKeymap.getState();
      if (event.key === 'Escape') capture(null);
      else void change(capturing.id, [chordOf(event)], capturing.title);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [capturing]);
}

export function ShortcutsHelp({ taxonomy }: { taxonomy: Taxonomy }) {
  const lead = useRole((state) => state.role !== 'annotator');
  const notice = useKeymap((state) => state.notice);
  const annotator = useKeymap((state) => state.annotator);
  const helpKey = useKeymap((state) => state.keymap.help[0]);
  const dialog = useRef<HTMLDivElement>(null);
  useCapture();
  useEffect(() => {
    dialog.current?.focus(); // Tab then walks the Change buttons
    return () => useKeymap.getState().capture(null);
  }, []);
  return (
    <div className="label-help" role="dialog" aria-label="Shortcuts and guidelines" data-testid="label-help">
      <div className="label-help-inner" ref={dialog} tabIndex={-1}>
        <h3>Shortcuts</h3>
        <p className="muted">
          {annotator ? `The keys of ${annotator}` : 'The keys'}: Change an action, then press its new key. The
          leaves&apos; letters (below) are the policy&apos;s.
        </p>
        {notice && (
          <p
            className={notice.refused ? 'error-text' : 'ok-text'}
            role={notice.refused ? 'alert' : 'status'}
            data-testid="keymap-notice"
          >
            {notice.text}
          </p>
        )}
        <table className="keymap-table" data-testid="keymap-table">
          <tbody>
            {rowsFor(taxonomy, lead).map((row) => (
              <KeyRow key={row.id} row={row} />
            ))}
          </tbody>
        </table>
        <Guidelines taxonomy={taxonomy} />
        <p className="muted">Esc{helpKey ? ` or ${keyLabel(helpKey)}` : ''} closes this.</p>
      </div>
    </div>
  );
}

function Guidelines({ taxonomy }: { taxonomy: Taxonomy }) {
  return (
    <>
      <h3>
        {taxonomy.title} — policy {taxonomy.version}
      </h3>
      {taxonomy.categories.map((category, i) => (
        <div key={category.name} className="label-guideline">
          <strong>
            <KeyHint action={categoryAction(i)} /> {category.title}
          </strong>{' '}
          {category.guideline}
          {category.leaves.length > 0 && (
            <ul>
              {category.leaves.map((leaf) => (
                <li key={leaf.name}>
                  <kbd>{leaf.key}</kbd> <strong>{leaf.title}</strong> ({leaf.severity}
                  {leaf.alwaysEscalate ? ', always escalate' : ''}) — {leaf.guideline}
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </>
  );
}
