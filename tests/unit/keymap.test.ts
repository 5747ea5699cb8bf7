/**
 * One keymap: the rule for an annotator's keys (shared/keymap.ts) and their storage per annotator in the workspace's
 * store, through the host's validating dispatcher as every transport calls it.
 */
import { describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import type { Caller } from '../../shared/callerAccess';
import type { AnnotatorKeymap } from '../../shared/contract';
import {
  actionsByChord,
  chordOf,
  chordRefusal,
  KEY_ACTIONS,
  keymapRefusal,
  type PolicyKey,
  resolveKeymap,
} from '../../shared/keymap';
import { TAXONOMY_V1 } from '../../shared/taxonomy';
import { call, outcomeOf, tempDir } from './support';

const press = (key: string, code: string, modifiers: { shift?: boolean; ctrl?: boolean } = {}) =>
  chordOf({ key, code, shiftKey: !!modifiers.shift, ctrlKey: !!modifiers.ctrl, altKey: false, metaKey: false });

const leafKeys: PolicyKey[] = TAXONOMY_V1.categories.flatMap((category) =>
  category.leaves.map((leaf) => ({ key: leaf.key, leaf: leaf.title, policyVersion: 'v1' })),
);

describe('the keymap table and its rule', () => {
  it('declares each default key once', () => {
    const keys = KEY_ACTIONS.flatMap((action) => action.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(actionsByChord(resolveKeymap({})).get('s')).toBe('skip');
    expect(actionsByChord(resolveKeymap({})).get('Shift+3')).toBe('leaves3');
  });

  it('reads a key press as a chord: digits by their key, typed characters as typed, named keys by name', () => {
    expect(press('3', 'Digit3')).toBe('3');
    expect(press('#', 'Digit3', { shift: true })).toBe('Shift+3');
    expect(press('3', 'Numpad3')).toBe('3');
    expect(press('R', 'KeyR', { shift: true })).toBe('R');
    expect(press('?', 'Slash', { shift: true })).toBe('?');
    expect(press('Enter', 'Enter', { shift: true })).toBe('Shift+Enter');
    expect(press(' ', 'Space')).toBe('Space');
    expect(press('s', 'KeyS', { ctrl: true })).toBe('Ctrl+s');
  });

  it('refuses a key another action holds, by name, and a key given twice', () => {
    expect(keymapRefusal({}, { unsure: ['s'] }, leafKeys)).toBe(
      "s is already bound to 'Skip'; unbind it first or pick another key",
    );
    expect(keymapRefusal({ skip: ['k'] }, { unsure: ['k'] }, leafKeys)).toBe(
      "k is already bound to 'Skip'; unbind it first or pick another key",
    );
    expect(keymapRefusal({}, { skip: ['k'], unsure: ['k'] }, leafKeys)).toBe(
      "k is given twice in this keymap: to 'Skip' and to 'Unsure'; give it to one",
    );
    expect(keymapRefusal({}, { skip: ['k', 'k'] }, leafKeys)).toBe("k is given twice to 'Skip'");
    // Swapping two keys in one change is fine; so is moving a key after unbinding it.
    expect(keymapRefusal({}, { skip: ['u'], unsure: ['s'] }, leafKeys)).toBeNull();
    expect(keymapRefusal({ skip: [] }, { unsure: ['s'] }, leafKeys)).toBeNull();
    // Back to the default while another action holds it.
    expect(keymapRefusal({ skip: ['k'], unsure: ['s'] }, { skip: null }, leafKeys)).toBe(
      "s is already bound to 'Unsure'; unbind it first or pick another key",
    );
  });

  it("refuses the policy's leaf keys, the browser's and the app's keys, and what cannot be typed", () => {
    expect(keymapRefusal({}, { skip: ['t'] }, leafKeys)).toBe(
      "t picks the leaf 'Targeted harassment' (the key policy v1 gives it); pick another key",
    );
    expect(keymapRefusal({}, { skip: ['Ctrl+s'] }, leafKeys)).toMatch(/^Ctrl\+s is reserved: Ctrl, Alt and Meta/);
    expect(keymapRefusal({}, { skip: ['Escape'] }, leafKeys)).toMatch(/^Escape is reserved: Esc closes the help/);
    expect(keymapRefusal({}, { skip: ['Tab'] }, leafKeys)).toBe('Tab is reserved: Tab moves the keyboard focus');
    expect(keymapRefusal({}, { skip: ['F5'] }, leafKeys)).toMatch(/^F5 is reserved by the browser and the app/);
    expect(chordRefusal('CapsLock')).toMatch(/^CapsLock cannot be typed as a shortcut/);
    expect(chordRefusal('Shift')).toMatch(/^Shift cannot be typed as a shortcut/);
    expect(chordRefusal('Shift+r')).toBe('Shift+r is written as the character it types (R), as a key press records it');
    for (const allowed of ['k', 'K', '/', 'é', 'Shift+1', 'Space', 'Delete', 'Shift+Enter']) {
      expect(chordRefusal(allowed), allowed).toBeNull();
    }
  });
});

async function keymapOf(host: Host, annotator: string): Promise<AnnotatorKeymap> {
  return call(host, 'keymap.get', { annotator });
}

describe("an annotator's keys in the workspace's store", () => {
  it('are kept per annotator, refuse conflicts by name, survive a restart, and are only an annotator token’s own', async () => {
    const dir = tempDir('sift-keymap-');
    let host = await Host.open(dir, { create: true, remember: false });
    try {
      expect(await keymapOf(host, 'ana')).toEqual({ annotator: 'ana', bindings: {}, updatedAt: null });
      const set = await outcomeOf(host, 'keymap.set', { annotator: 'ana', bindings: { skip: ['k'], note: [] } });
      expect(set).toMatchObject({ ok: true, value: { annotator: 'ana', bindings: { skip: ['k'], note: [] } } });
      // Ana's binding does not change Bob's.
      expect((await keymapOf(host, 'bob')).bindings).toEqual({});

      // A conflict with Ana's own binding is refused by name, and changes nothing.
      const refused = await outcomeOf(host, 'keymap.set', { annotator: 'ana', bindings: { unsure: ['k'] } });
      expect(refused).toEqual({
        ok: false,
        error: { code: 'BAD_REQUEST', message: "k is already bound to 'Skip'; unbind it first or pick another key" },
      });
      // Bob may take k: it is free in his keymap.
      expect((await outcomeOf(host, 'keymap.set', { annotator: 'bob', bindings: { unsure: ['k'] } })).ok).toBe(true);
      // The shape is the contract's: an action that does not exist is named (a body the compiler refuses, so raw).
      const unknown = await host.dispatch('keymap.set', { annotator: 'ana', bindings: { fly: ['f'] } });
      expect(unknown.ok || unknown.error.message).toMatch(/^keymap\.set: bindings\.fly: not an action/);

      // An annotator's token reads and changes its own keys only; without an annotator in the body (raw: the contract
      // asks for one, the dispatcher fills in the token's) it names her.
      const asAna: Caller = { role: 'annotator', annotator: 'ana' };
      expect(await host.dispatch('keymap.get', {}, asAna)).toMatchObject({ ok: true, value: { annotator: 'ana' } });
      const forBob = await outcomeOf(host, 'keymap.set', { annotator: 'bob', bindings: { skip: ['j'] } }, asAna);
      expect(forBob).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await host.dispatch('keymap.set', { bindings: { skip: null } }, asAna)).toMatchObject({
        ok: true,
        value: { bindings: { note: [] } },
      });
      expect((await host.dispatch('keymap.set', { bindings: { skip: ['j'] } }, asAna)).ok).toBe(true);
    } finally {
      await host.close();
    }

    // A restart keeps each annotator's keys.
    host = await Host.open(dir, { remember: false });
    try {
      expect((await keymapOf(host, 'ana')).bindings).toEqual({ skip: ['j'], note: [] });
      expect((await keymapOf(host, 'bob')).bindings).toEqual({ unsure: ['k'] });
    } finally {
      await host.close();
    }
  });
});
