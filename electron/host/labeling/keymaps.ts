/**
 * Each annotator's keys on the labeling screen, kept in Sift's store (`annotator_keymaps`, one row per annotator that
 * rebound a key: only the actions they changed, so a later change of a default reaches everyone else's). What a
 * binding may be is shared/keymap.ts's rule, checked here against the bindings kept and the policy's leaf keys.
 */
import { SiftError } from '../../../shared/errors.js';
import {
  type AnnotatorKeymap,
  applyKeymapChange,
  type KeyBindings,
  type KeymapChange,
  keymapRefusal,
  type PolicyKey,
  storedBindings,
} from '../../../shared/keymap.js';
import type { Workspace } from '../workspace/workspace.js';
import { PolicyStore } from './policy.js';

const KEYMAPS_DDL =
  'CREATE TABLE IF NOT EXISTS annotator_keymaps (annotator VARCHAR PRIMARY KEY, bindings VARCHAR NOT NULL, updated_at VARCHAR NOT NULL)';

/** One change at a time per workspace: each reads the bindings the last one wrote. */
const changes = new WeakMap<Workspace, Promise<unknown>>();

export async function readKeymap(workspace: Workspace, annotator: string): Promise<AnnotatorKeymap> {
  return workspace.withStore(async (conn) => {
    await conn.run(KEYMAPS_DDL);
    const [row] = (
      await conn.runAndReadAll('SELECT bindings, updated_at FROM annotator_keymaps WHERE annotator = $annotator', {
        annotator,
      })
    ).getRowsJson();
    if (!row) return { annotator, bindings: {}, updatedAt: null };
    return { annotator, bindings: storedBindings(JSON.parse(String(row[0]))), updatedAt: String(row[1]) };
  });
}

/** Applies the change to the annotator's bindings, or refuses it (BAD_REQUEST, in the rule's words). */
export function changeKeymap(workspace: Workspace, annotator: string, change: KeymapChange): Promise<AnnotatorKeymap> {
  const run = async () => {
    const { bindings } = await readKeymap(workspace, annotator);
    const refusal = keymapRefusal(bindings, change, policyKeys(workspace));
    if (refusal) throw new SiftError({ code: 'BAD_REQUEST', message: refusal });
    await writeBindings(workspace, annotator, applyKeymapChange(bindings, change));
    return readKeymap(workspace, annotator);
  };
  const next = (changes.get(workspace) ?? Promise.resolve()).then(run, run);
  changes.set(
    workspace,
    next.catch(() => undefined),
  );
  return next;
}

async function writeBindings(workspace: Workspace, annotator: string, bindings: KeyBindings): Promise<void> {
  await workspace.withStore(async (conn) => {
    await conn.run(KEYMAPS_DDL);
    await conn.run('INSERT OR REPLACE INTO annotator_keymaps VALUES ($annotator, $bindings, $at)', {
      annotator,
      bindings: JSON.stringify(bindings),
      at: new Date().toISOString(),
    });
  });
}

/** The leaf keys of the workspace's latest policy: the policy's, never an annotator's to rebind. */
function policyKeys(workspace: Workspace): PolicyKey[] {
  const policy = new PolicyStore(workspace.dir);
  const version = policy.latestVersion();
  return policy
    .get(version)
    .categories.flatMap((category) =>
      category.leaves.map((leaf) => ({ key: leaf.key, leaf: leaf.title, policyVersion: version })),
    );
}
