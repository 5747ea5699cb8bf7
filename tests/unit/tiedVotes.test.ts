/**
 * A tie is undecided: one annotator's 1 against another's 0 is no label. Against the real host: evaluation and
 * error analysis leave it out and count it, the adjudication queue offers it, a dataset leaves it out, and an
 * adjudication decides it — all by the one rule in shared/labeling.ts.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { SessionSummary } from '../../shared/contract';
import { makeLabelingWorkspace } from './labelingFixture';
import { call, tempDir } from './support';

let host: Host;
let session: SessionSummary;

// Spam votes (text-distil t1 spam scores in the fixture: c01 0.50, c02 0.51, c03 0.02, c04 0.49, c09 0.52).
const SPAM_VOTES: Record<string, Record<string, 0 | 1>> = {
  c01: { ana: 1, bo: 0 }, // tied
  c02: { ana: 1, bo: 1, cy: 0 }, // majority 1
  c03: { ana: 0, bo: 0 }, // unanimous 0
  c04: { ana: 1, bo: 0 }, // tied, then adjudicated 1 below
  c09: { ana: 0, bo: 1 }, // tied
};

beforeAll(async () => {
  host = await makeLabelingWorkspace(path.join(tempDir('sift-ties-'), 'ws'));
  session = await call(host, 'sessions.create', {
    name: 'ties',
    pool: 'SELECT content_id FROM content',
    model: 'text-distil',
    version: 't1',
    strategy: 'random',
    batchSize: 10,
    overlap: 3,
  });
  for (const [contentId, votes] of Object.entries(SPAM_VOTES)) {
    for (const [annotator, value] of Object.entries(votes)) {
      await call(host, 'labels.record', {
        sessionId: session.id,
        annotator,
        action: {
          kind: 'label',
          contentId,
          labels: [
            { category: 'spam', value },
            { category: 'hate_speech', value: 0 },
          ],
        },
      });
    }
  }
  await call(host, 'labels.record', {
    sessionId: session.id,
    annotator: 'lead',
    action: { kind: 'adjudicate', contentId: 'c04', labels: [{ category: 'spam', value: 1 }] },
  });
  await (await host.labeling()).syncStore(); // SQL's snapshot of the labels, now rather than after the idle delay
}, 60_000);
afterAll(async () => host?.close());

describe('tied votes', () => {
  it('are left out of evaluation, and counted per category and in all', async () => {
    const result = await call(host, 'eval.run', { model: 'text-distil', version: 't1' });
    const spam = result.categories.find((c) => c.category === 'spam')!;
    // c02 (majority 1), c03 (unanimous 0), c04 (adjudicated 1); not c01 or c09, which tie.
    expect({ n: spam.n, positives: spam.positives }).toEqual({ n: 3, positives: 2 });
    expect(result.tied).toEqual({ items: 2, byCategory: { spam: 2 } });
    expect(result.categories.find((c) => c.category === 'hate_speech')!.n).toBe(5);
    // With a labels query the query decides: nothing is counted as tied.
    const own = await call(host, 'eval.run', {
      model: 'text-distil',
      version: 't1',
      labels: "SELECT content_id, category, value::INT AS label FROM current_labels WHERE annotator_id = 'ana'",
    });
    expect(own.tied).toEqual({ items: 0, byCategory: {} });
    expect(own.categories.find((c) => c.category === 'spam')!.n).toBe(5);
  });

  it('are not negatives in error analysis', async () => {
    const analysis = await call(host, 'eval.errors', {
      model: 'text-distil',
      version: 't1',
      category: 'spam',
      thresholds: { spam: { remove: 0.5, escalate: 0.5 } },
    });
    // At 0.5: c02 (0.51, label 1) a true positive, c04 (0.49, adjudicated 1) a false negative, c03 a true negative.
    // c01 (0.50) and c09 (0.52) tie: counted as false positives before ties were undecided.
    expect(analysis.confusion).toEqual({ truePositives: 1, falsePositives: 0, falseNegatives: 1, trueNegatives: 1 });
  });

  it('wait in the adjudication queue beside outvoted labels, and stay out of a dataset until decided', async () => {
    const queue = await call(host, 'labels.disagreements', { sessionId: session.id });
    expect(queue.items.map((item) => item.contentId).sort()).toEqual(['c01', 'c02', 'c09']);
    const manifest = await call(host, 'datasets.export', {
      name: 'ties',
      out: tempDir('sift-ties-out-'),
      sessions: [session.id],
    });
    expect(manifest.contestedItemsLeftOut).toBe(3);
    expect(Object.values(manifest.rows).reduce((a, b) => a + b, 0)).toBe(2); // c03 unanimous, c04 adjudicated
    // The SQL the evaluation reads agrees: current_labels still holds every vote.
    const votes = await call(host, 'query.run', {
      queryId: 'v',
      sql: "SELECT count(*) FROM current_labels WHERE category = 'spam'",
    });
    expect(votes.rows).toEqual([['12']]);
  });
});
