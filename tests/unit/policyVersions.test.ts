/**
 * Policy versions as a first-class operation: a new taxonomy version declares its changes; labels carry over where
 * a change determines them (rename, merge, a split's 0) and go to a relabel session where it does not (a split's 1,
 * a changed definition); a dataset holds one version and refuses (or lists) labels never carried to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { SessionSummary } from '../../shared/contract';
import { carryOver, parseTaxonomy, TAXONOMY_V1, type Taxonomy } from '../../shared/taxonomy';
import { makeLabelingWorkspace } from './labelingFixture';
import { call, tempDir } from './support';

/** v2: hate_speech renamed, spam split in two, misinformation redefined, nsfw unchanged. */
const V2 = {
  ...TAXONOMY_V1,
  version: 'v2',
  changes: [
    { kind: 'rename', from: 'hate_speech', to: 'hateful_conduct' },
    { kind: 'split', from: 'spam', into: ['spam_commercial', 'spam_coordinated'] },
    { kind: 'definition', category: 'misinformation' },
  ],
  categories: TAXONOMY_V1.categories.flatMap((category) =>
    category.name === 'hate_speech'
      ? [{ ...category, name: 'hateful_conduct', title: 'Hateful conduct' }]
      : category.name === 'spam'
        ? [
            {
              name: 'spam_commercial',
              title: 'Commercial spam',
              severity: 'low' as const,
              guideline: 'Selling or advertising.',
              leaves: [],
            },
            {
              name: 'spam_coordinated',
              title: 'Coordinated spam',
              severity: 'high' as const,
              guideline: 'Accounts acting in concert.',
              leaves: [],
            },
          ]
        : [category],
  ),
};

describe('carrying one label by the declared changes', () => {
  const v2 = parseTaxonomy(JSON.stringify(V2), 'taxonomy-v2.json');
  it('renames carry as they are; a split carries a 0 to every part and sends a 1 back; a new definition sends it back', () => {
    expect(carryOver({ category: 'hate_speech', value: 1, leaf: 'slurs_untargeted' }, v2, {})).toEqual([
      {
        kind: 'carried',
        category: 'hateful_conduct',
        value: 1,
        leaf: 'slurs_untargeted',
        because: 'renamed hate_speech → hateful_conduct',
      },
    ]);
    expect(
      carryOver({ category: 'spam', value: 0, leaf: null }, v2, {}).map(
        (outcome) => outcome.kind === 'carried' && `${outcome.category}=${outcome.value}`,
      ),
    ).toEqual(['spam_commercial=0', 'spam_coordinated=0']);
    expect(carryOver({ category: 'spam', value: 1, leaf: null }, v2, {})).toMatchObject([{ kind: 'relabel' }]);
    expect(carryOver({ category: 'misinformation', value: 0, leaf: null }, v2, {})).toMatchObject([
      { kind: 'relabel', because: 'the definition of misinformation changed in v2' },
    ]);
    expect(carryOver({ category: 'nsfw', value: 0, leaf: null }, v2, {})).toMatchObject([
      { kind: 'carried', category: 'nsfw', value: 0 },
    ]);
  });

  it('a merge carries any 1, and a 0 only when every merged part is 0', () => {
    const merged: Taxonomy = parseTaxonomy(
      JSON.stringify({
        ...TAXONOMY_V1,
        version: 'v2',
        changes: [{ kind: 'merge', from: ['spam', 'misinformation'], into: 'deception' }],
        categories: [
          ...TAXONOMY_V1.categories.filter((c) => c.name !== 'spam' && c.name !== 'misinformation'),
          { name: 'deception', title: 'Deception', severity: 'medium', leaves: [] },
        ],
      }),
      'taxonomy-v2.json',
    );
    expect(carryOver({ category: 'spam', value: 1, leaf: null }, merged, { misinformation: 0 })).toMatchObject([
      { kind: 'carried', category: 'deception', value: 1 },
    ]);
    expect(carryOver({ category: 'spam', value: 0, leaf: null }, merged, { misinformation: 0 })).toMatchObject([
      { kind: 'carried', category: 'deception', value: 0 },
    ]);
    expect(carryOver({ category: 'spam', value: 0, leaf: null }, merged, { misinformation: 1 })).toEqual([]); // the 1 carries the merged value
    expect(carryOver({ category: 'spam', value: 0, leaf: null }, merged, {})).toMatchObject([{ kind: 'relabel' }]);
  });

  it('refuses a change that lands on a category the version lacks, naming it', () => {
    expect(() =>
      parseTaxonomy(
        JSON.stringify({ ...V2, changes: [{ kind: 'rename', from: 'spam', to: 'junk' }] }),
        'taxonomy-v2.json',
      ),
    ).toThrow(/changes\.0.*"junk" is not a category of v2/);
  });
});

describe('moving a workspace to a new policy version', () => {
  let host: Host;
  let session: SessionSummary;
  let out: string;
  beforeAll(async () => {
    host = await makeLabelingWorkspace(path.join(tempDir('sift-policy-'), 'ws'));
    session = await call(host, 'sessions.create', {
      name: 'v1 work',
      pool: 'SELECT content_id FROM content',
      model: 'text-distil',
      version: 't1',
      strategy: 'random',
      batchSize: 10,
    });
    const label = (contentId: string, labels: { category: string; value: 0 | 1; leaf?: string }[]) =>
      call(host, 'labels.record', {
        sessionId: session.id,
        annotator: 'ana',
        action: { kind: 'label', contentId, labels },
      });
    await label('c01', [
      { category: 'spam', value: 1 },
      { category: 'hate_speech', value: 0 },
    ]);
    await label('c03', [
      { category: 'spam', value: 0 },
      { category: 'hate_speech', value: 0 },
      { category: 'nsfw', value: 0 },
    ]);
    await label('c05', [
      { category: 'hate_speech', value: 1, leaf: 'slurs_untargeted' },
      { category: 'spam', value: 0 },
    ]);
    await label('c07', [{ category: 'misinformation', value: 1 }]);
    out = tempDir('sift-policy-out-');
    fs.writeFileSync(path.join(host.workspace.dir, 'policy', 'taxonomy-v2.json'), JSON.stringify(V2, null, 2));
  }, 60_000);
  afterAll(async () => host?.close());

  it('carries what the changes determine, queues the rest for relabeling, and adds nothing when run again', async () => {
    const migration = await call(host, 'policy.migrate', {});
    expect(migration).toMatchObject({ from: 'v1', to: 'v2', relabel: 2 }); // c01 (spam was 1), c07 (misinformation redefined)
    // c01: hateful_conduct 0; c03: hateful_conduct, both spams and nsfw 0; c05: hateful_conduct 1 (its leaf) and both spams 0.
    expect(migration.carried).toBe(1 + 4 + 3);
    const labels = await host.workspace.withConnection(async (conn) => {
      await (await host.labeling()).syncStore();
      return (
        await conn.runAndReadAll(
          `SELECT content_id || ' ' || category || '=' || value || coalesce(' ' || leaf, '') FROM current_labels WHERE policy_version = 'v2' ORDER BY 1`,
        )
      )
        .getRowsJson()
        .map((row) => String(row[0]));
    });
    expect(labels).toEqual([
      'c01 hateful_conduct=0',
      'c03 hateful_conduct=0',
      'c03 nsfw=0',
      'c03 spam_commercial=0',
      'c03 spam_coordinated=0',
      'c05 hateful_conduct=1 slurs_untargeted',
      'c05 spam_commercial=0',
      'c05 spam_coordinated=0',
    ]);
    const relabel = await call(host, 'sessions.get', {
      sessionId: migration.relabelSession!,
      annotator: 'ana',
    });
    expect(relabel).toMatchObject({
      name: 'Relabel under policy v2',
      policyVersion: 'v2',
      strategy: 'relabel',
      ranked: 2,
    });
    const batch = await call(host, 'sessions.next', {
      sessionId: migration.relabelSession!,
      annotator: 'ana',
    });
    expect(batch.items.map((item) => item.contentId).sort()).toEqual(['c01', 'c07']);
    expect(batch.items[0]!.reason).toMatchObject({ strategy: 'relabel' });
    expect(migration.reasons.join(' ')).toContain('spam split into spam_commercial, spam_coordinated');
    const again = await call(host, 'policy.migrate', { to: 'v2' });
    // The labels under v1 decide the same 8 again, all written already: nothing is added, no session made.
    expect(again).toMatchObject({
      carried: 8,
      alreadyCarried: 8,
      relabel: 2,
      carriedSession: migration.carriedSession,
      relabelSession: migration.relabelSession,
    });
  });

  it('a dataset under v2 refuses items labeled only under v1, or leaves them out and lists them', async () => {
    const refused = await host.dispatch('datasets.export', { name: 'v2-labels', out });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        message: expect.stringContaining(
          '1 item(s) have labels made under another policy version and none under v2 (c07)',
        ),
      },
    });
    const manifest = await call(host, 'datasets.export', {
      name: 'v2-labels',
      out,
      leaveOutOtherPolicies: true,
      cutDate: '2024-03-01T00:00:00Z',
    });
    expect(manifest.policyVersion).toBe('v2');
    expect(manifest.notCarriedOver).toEqual({ count: 1, contentIds: ['c07'] });
    expect(manifest.labelSchema.categories).toEqual([
      'hateful_conduct',
      'nsfw',
      'spam_commercial',
      'spam_coordinated',
      'misinformation',
    ]);
    const total = Object.values(manifest.rows).reduce((a, b) => a + b, 0);
    expect(total).toBe(3); // c01, c03, c05
  });
});
