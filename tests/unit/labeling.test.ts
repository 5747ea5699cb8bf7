/**
 * Labeling as pure functions: each ranking strategy on hand-made score tables, near-duplicates kept out of one
 * batch, the event log's replay (undo chains across items), the pace figures, and the policy taxonomy's checks.
 */
import { describe, expect, it } from 'vitest';
import { LabelLog, type LabelEvent, labelingPace, pickDistinct } from '../../shared/labeling';
import {
  binaryEntropy,
  normalisedRanks,
  type PoolItem,
  rankPool,
  type RankingRules,
} from '../../shared/labelingRanking';
import { parseTaxonomy, TAXONOMY_V1 } from '../../shared/taxonomy';

const rules: RankingRules = {
  categories: ['spam', 'hate_speech', 'csam'],
  thresholds: {
    spam: { remove: 0.9, escalate: 0.5 },
    hate_speech: { remove: 0.8, escalate: 0.4 },
    csam: { remove: 0.95, escalate: 0.2 },
  },
  critical: ['csam'],
  seed: 7,
};

const item = (
  contentId: string,
  spam: number,
  hate: number,
  csam = 0.001,
  views: number | null = 0,
  humanLabels?: Record<string, 0 | 1>,
): PoolItem => ({
  contentId,
  scores: { spam, hate_speech: hate, csam },
  views24h: views,
  humanLabels,
});

const order = (pool: PoolItem[], strategy: Parameters<typeof rankPool>[1], custom: Partial<RankingRules> = {}) =>
  rankPool(pool, strategy, { ...rules, ...custom }).items.map((i) => i.contentId);

describe('ranking strategies', () => {
  it("entropy: the sum of the categories' binary entropies, most uncertain first", () => {
    expect(binaryEntropy(0.5)).toBeCloseTo(1, 12);
    expect(binaryEntropy(0)).toBeCloseTo(0, 9);
    expect(binaryEntropy(0.1)).toBeCloseTo(binaryEntropy(0.9), 12);
    // a: 0.5 + 0.5 → 2 bits; b: 0.5 + 0.01 → ≈ 1.08; c: sure of everything.
    const pool = [item('c', 0.99, 0.01), item('b', 0.5, 0.01), item('a', 0.5, 0.5)];
    const ranking = rankPool(pool, 'entropy', rules);
    expect(ranking.items.map((i) => i.contentId)).toEqual(['a', 'b', 'c']);
    expect(ranking.items[0]!.rank).toBe(1);
    const reason = ranking.items[0]!.reason as { entropy: number; perCategory: Record<string, number> };
    expect(reason.perCategory.spam).toBeCloseTo(1, 12);
    expect(reason.entropy).toBeCloseTo(2 + binaryEntropy(0.001), 12);
  });

  it('margin: closest to any threshold first (a critical category counts only its escalate threshold)', () => {
    // a: spam 0.88 is 0.02 from remove 0.9. b: hate 0.41 is 0.01 from escalate 0.4. c: csam 0.93 is 0.02 from
    // remove 0.95 — but csam is critical, so only escalate (0.2) counts: 0.73 away. d: nothing near.
    const pool = [item('a', 0.88, 0.1), item('b', 0.2, 0.41), item('c', 0.2, 0.1, 0.93), item('d', 0.7, 0.6)];
    const ranking = rankPool(pool, 'margin', rules);
    expect(ranking.items.map((i) => i.contentId).slice(0, 2)).toEqual(['b', 'a']);
    expect(ranking.items[0]!.reason).toMatchObject({ strategy: 'margin', category: 'hate_speech', threshold: 0.4 });
    expect((ranking.items[0]!.reason as { margin: number }).margin).toBeCloseTo(0.01, 12);
    expect(ranking.items.findIndex((i) => i.contentId === 'c')).toBeGreaterThan(
      ranking.items.findIndex((i) => i.contentId === 'a'),
    );
  });

  it('blend: 0.6 · normalised entropy + 0.4 · normalised virality rank', () => {
    expect(normalisedRanks([10, null, 30, 10])).toEqual([0.5, 0, 1, 0.5]);
    // Equal uncertainty: virality decides. x (most viewed) outranks y.
    const pool = [item('y', 0.5, 0.5, 0.5, 10), item('x', 0.5, 0.5, 0.5, 1000), item('z', 0.99, 0.01, 0.001, 5000)];
    const ranking = rankPool(pool, 'blend', rules);
    expect(ranking.items.map((i) => i.contentId)).toEqual(['x', 'y', 'z']);
    const x = ranking.items[0]!.reason as { blend: number; entropy: number; virality: number };
    expect(x.entropy).toBeCloseTo(1, 12); // three categories at 0.5: 3 bits / 3 categories
    expect(x.virality).toBeCloseTo(0.5, 12); // views 10 < 1000 < 5000: ranks 0, 0.5, 1
    expect(x.blend).toBeCloseTo(0.6 * 1 + 0.4 * 0.5, 12);
  });

  it('random: a seeded, unbiased order that ignores scores and keeps unscored items', () => {
    const pool = Array.from({ length: 200 }, (_, i) => ({
      contentId: `r${i}`,
      scores: i % 2 ? null : { spam: 0.1 },
      views24h: null,
    }));
    const first = order(pool, 'random');
    expect(order(pool, 'random')).toEqual(first);
    expect(order(pool, 'random', { seed: 8 })).not.toEqual(first);
    expect(new Set(first).size).toBe(200);
    // Unbiased: unscored and scored items are mixed through the order, not pushed to one end.
    const firstHalfUnscored = first.slice(0, 100).filter((id) => Number(id.slice(1)) % 2 === 1).length;
    expect(firstHalfUnscored).toBeGreaterThan(30);
    expect(firstHalfUnscored).toBeLessThan(70);
  });

  it('stratified: round-robin over the predicted categories, then items no category flags', () => {
    const pool = [
      item('s1', 0.95, 0.1),
      item('s2', 0.92, 0.1),
      item('s3', 0.97, 0.1),
      item('h1', 0.1, 0.9),
      item('n1', 0.1, 0.1),
      item('n2', 0.1, 0.2),
    ];
    const ranking = rankPool(pool, 'stratified', rules);
    const strata = ranking.items.map((i) => (i.reason as { stratum: string }).stratum);
    expect(strata.slice(0, 3)).toEqual(['spam', 'hate_speech', 'none']);
    expect(strata.filter((s) => s === 'spam')).toHaveLength(3);
    expect(ranking.items).toHaveLength(6);
  });

  it('errors: false positives and false negatives at the thresholds, most confident first; agreeing items excluded and counted', () => {
    const pool = [
      item('fp', 0.97, 0.1, 0.001, 0, { spam: 0 }), // flagged spam, human says no: 0.07 past the threshold
      item('fn', 0.2, 0.1, 0.001, 0, { spam: 1 }), // not flagged, human says spam: 0.7 short
      item('ok', 0.95, 0.1, 0.001, 0, { spam: 1 }),
      item('csam-fn', 0.1, 0.1, 0.15, 0, { csam: 1 }), // critical: flagged only from escalate 0.2
      item('unlabeled', 0.99, 0.9),
    ];
    const ranking = rankPool(pool, 'errors', rules);
    expect(ranking.items.map((i) => i.contentId)).toEqual(['fn', 'fp', 'csam-fn']);
    expect(ranking.excluded).toBe(2);
    expect(ranking.items[0]!.reason).toMatchObject({
      strategy: 'errors',
      errors: [{ category: 'spam', kind: 'false_negative', threshold: 0.9 }],
    });
    expect(ranking.items[2]!.reason).toMatchObject({
      errors: [{ category: 'csam', kind: 'false_negative', threshold: 0.2 }],
    });
  });

  it('never drops an unscored item: it comes last, marked', () => {
    const pool = [{ contentId: 'u', scores: null, views24h: null }, item('a', 0.5, 0.5)];
    for (const strategy of ['entropy', 'margin', 'blend', 'stratified'] as const) {
      const ranking = rankPool(pool, strategy, rules);
      expect(ranking.items.map((i) => i.contentId)).toEqual(['a', 'u']);
      expect(ranking.unscored).toBe(1);
      expect(ranking.items[1]!.reason).toMatchObject({ unscored: true });
    }
  });
});

describe('a batch of distinct items', () => {
  it('keeps near-duplicates of a picked item out of the batch and defers them, in order', () => {
    const spam = (n: number) => ({
      contentId: `spam${n}`,
      text: `Buy cheap followers now at example.com code ${n} 🔥`,
    });
    const candidates = [
      spam(1),
      spam(2),
      { contentId: 'a', text: 'the weather in Lisbon is lovely today' },
      spam(3),
      { contentId: 'b', text: 'they should all be deported, vermin' },
      spam(4),
    ];
    const { picked, deferred } = pickDistinct(candidates, 3);
    expect(picked.map((c) => c.contentId)).toEqual(['spam1', 'a', 'b']);
    expect(deferred.map((c) => c.contentId)).toEqual(['spam2', 'spam3', 'spam4']);
  });

  it('fills from distinct items only up to the batch size', () => {
    const texts = [
      'the cat sat on the mat',
      'stock markets fell sharply',
      'rain expected over the weekend',
      'new bakery opens downtown',
      'football final ends in a draw',
      'museum adds a dinosaur wing',
      'train strike delays commuters',
      'local election results are in',
      'river cleanup draws volunteers',
      'school wins robotics contest',
    ];
    const candidates = texts.map((text, i) => ({ contentId: `t${i}`, text }));
    const { picked, deferred } = pickDistinct(candidates, 4);
    expect(picked.map((c) => c.contentId)).toEqual(['t0', 't1', 't2', 't3']);
    expect(deferred).toHaveLength(6);
  });
});

let seq = 0;
function ev(fields: Partial<LabelEvent> & Pick<LabelEvent, 'kind' | 'action_id'>): LabelEvent {
  seq++;
  return {
    event_id: `e${String(seq).padStart(5, '0')}`,
    session_id: 's',
    content_id: null,
    annotator_id: 'ana',
    category: null,
    value: null,
    leaf: null,
    note: null,
    policy_version: 'v1',
    undoes: null,
    strategy: 'entropy',
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    ...fields,
  };
}

describe('the label log', () => {
  it('undo walks back across items, one action at a time, and a later label on an item replaces the earlier one', () => {
    const events = [
      ev({ kind: 'label', action_id: 'a1', content_id: 'x', category: 'spam', value: '1' }),
      ev({ kind: 'label', action_id: 'a1', content_id: 'x', category: 'hate_speech', value: '0' }),
      ev({ kind: 'label', action_id: 'a2', content_id: 'y', category: 'spam', value: '0' }),
      ev({ kind: 'skip', action_id: 'a3', content_id: 'z' }),
      ev({ kind: 'label', action_id: 'a4', content_id: 'x', category: 'spam', value: '0' }), // a change
    ];
    const log = LabelLog.of(events);
    expect(log.item('ana', 'x')!.labels).toEqual({
      spam: { value: 0, leaf: null },
      hate_speech: { value: 0, leaf: null },
    });
    expect(log.item('ana', 'z')!.status).toBe('skipped');
    // Backspace × 3: the change on x, the skip of z, the label of y.
    for (const expected of ['a4', 'a3', 'a2']) {
      const target = log.undoTarget('s', 'ana')!;
      expect(target.actionId).toBe(expected);
      log.apply(
        ev({ kind: 'undo', action_id: `u-${expected}`, content_id: target.contentId, undoes: target.actionId }),
      );
    }
    expect(log.item('ana', 'x')!.labels.spam).toEqual({ value: 1, leaf: null }); // the change undone: the first label holds again
    expect(log.item('ana', 'y')).toBeUndefined();
    expect(log.item('ana', 'z')).toBeUndefined();
    expect(log.undoTarget('s', 'ana')!.actionId).toBe('a1');
    // Replaying the same events (a reload) gives the same state and the same undo position.
    const replayed = LabelLog.of([
      ...events,
      ...['a4', 'a3', 'a2'].map((id) => ev({ kind: 'undo', action_id: `r-${id}`, undoes: id })),
    ]);
    expect(replayed.undoTarget('s', 'ana')!.actionId).toBe('a1');
    expect([...replayed.items.get('ana')!.keys()]).toEqual(['x']);
  });

  it('ignores an undo of an unknown or already undone action, and keeps annotators apart', () => {
    const log = LabelLog.of([
      ev({ kind: 'label', action_id: 'a1', content_id: 'x', category: 'spam', value: '1' }),
      ev({ kind: 'label', action_id: 'b1', annotator_id: 'bo', content_id: 'x', category: 'spam', value: '0' }),
      ev({ kind: 'undo', action_id: 'u1', undoes: 'nope' }),
      ev({ kind: 'undo', action_id: 'u2', undoes: 'a1' }),
      ev({ kind: 'undo', action_id: 'u3', undoes: 'a1' }),
    ]);
    expect(log.item('ana', 'x')).toBeUndefined();
    expect(log.item('bo', 'x')!.labels.spam!.value).toBe(0);
    expect(log.undoTarget('s', 'ana')).toBeNull();
    expect(log.undoTarget('s', 'bo')!.actionId).toBe('b1');
  });

  it('unsure counts as done, a note does not change the status, a leaf is kept', () => {
    const log = LabelLog.of([
      ev({
        kind: 'label',
        action_id: 'a1',
        content_id: 'x',
        category: 'hate_speech',
        value: '1',
        leaf: 'coded_language',
      }),
      ev({ kind: 'note', action_id: 'a2', content_id: 'x', note: 'dog whistle, see 88' }),
      ev({ kind: 'unsure', action_id: 'a3', content_id: 'y' }),
    ]);
    expect(log.item('ana', 'x')).toMatchObject({
      status: 'labeled',
      note: 'dog whistle, see 88',
      labels: { hate_speech: { value: 1, leaf: 'coded_language' } },
    });
    expect(log.item('ana', 'y')!.status).toBe('unsure');
  });

  it('pace: items per hour and the median seconds between done items, breaks left out', () => {
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();
    // gaps 4, 6, 5 s, then a 20-minute break, then 5 s.
    const pace = labelingPace([at(0), at(4), at(10), at(15), at(1215), at(1220)]);
    expect(pace.medianSecondsPerItem).toBe(5);
    expect(pace.itemsPerHour).toBeCloseTo((4 / 20) * 3600, 9);
    expect(labelingPace([at(0)])).toEqual({ itemsPerHour: null, medianSecondsPerItem: null });
  });
});

describe('the policy taxonomy', () => {
  it("ships DESIGN.md's version 1: four categories, leaves with severities, csam always escalated", () => {
    expect(TAXONOMY_V1.version).toBe('v1');
    expect(TAXONOMY_V1.categories.map((c) => c.name)).toEqual(['hate_speech', 'nsfw', 'spam', 'misinformation']);
    const csam = TAXONOMY_V1.categories[1]!.leaves.find((l) => l.name === 'csam')!;
    expect(csam).toMatchObject({ severity: 'critical', alwaysEscalate: true });
    expect(TAXONOMY_V1.categories[3]!).toMatchObject({ leaves: [], severity: 'medium' });
  });

  it('refuses a bad file with its name and the field', () => {
    const bad = (change: (t: Record<string, unknown>) => void) => {
      const copy = JSON.parse(JSON.stringify(TAXONOMY_V1)) as Record<string, unknown>;
      change(copy);
      return () => parseTaxonomy(JSON.stringify(copy), 'policy/taxonomy-v2.json');
    };
    expect(() => parseTaxonomy('{', 'policy/taxonomy-v2.json')).toThrow(/policy\/taxonomy-v2\.json: not valid JSON/);
    expect(bad((t) => (t.version = '2'))).toThrow(/taxonomy-v2\.json: version: a policy version is v/);
    type Cat = { leaves: { key: string; name: string }[] };
    expect(bad((t) => ((t.categories as Cat[])[0]!.leaves[1]!.key = 't'))).toThrow(
      /categories\.0\.leaves\.1\.key: key "t" is used twice/,
    );
    expect(bad((t) => ((t.categories as Cat[])[0]!.leaves[0]!.key = 's'))).toThrow(/key: this key is reserved/);
    expect(bad((t) => ((t.categories as Cat[])[2]!.leaves[0]!.name = 'csam'))).toThrow(/"csam" is used twice/);
  });
});
