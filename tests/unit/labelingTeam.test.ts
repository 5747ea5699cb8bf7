/**
 * Labeling sessions with several annotators and the model in the loop, against the real host (the workspace of
 * labelingFixture.ts): retraining on settled labels, agreement, overlap, work stealing and the adjudication queue.
 * One annotator's session, the journal and the store: labelingSessions.test.ts.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';

import { isHeldOut } from '../../shared/labeling';
import { makeLabelingWorkspace as makeWorkspace, sessionCalls, TEXTS } from './labelingFixture';
import { call, tempDir } from './support';

let host: Host;
let dir: string;
const { createSession, next, record, label } = sessionCalls(() => host);

async function reopen(): Promise<void> {
  await host.close();
  host = await Host.open(dir, { remember: false });
}

beforeEach(async () => {
  dir = tempDir('sift-label-');
  host = await makeWorkspace(dir);
});
afterEach(async () => {
  await host.close();
});

describe('a labeling session with several annotators and the model in the loop', () => {
  it('retrains the model on the labels so far, saves a new version with its training labels, and re-ranks the pool', async () => {
    const session = await createSession({ version: undefined, batchSize: 3 });
    const first = await next(session.id);
    for (const item of first.items)
      await label(session.id, item.contentId, TEXTS[item.contentId]!.startsWith('Buy cheap') ? 1 : 0);
    const untouched = await next(session.id);
    const outcome = await call(host, 'sessions.retrain', { sessionId: session.id });
    expect(outcome).toMatchObject({
      fromVersion: session.version,
      version: `${session.version}-al1`,
      rescored: 10,
      ranked: 10,
    });
    const trainable = first.items.filter((item) => !isHeldOut(item.contentId));
    expect(outcome.humanLabeled).toBe(trainable.length);
    expect(outcome.heldOut).toBe(3 - trainable.length);
    // Too few held-out labels here for average precision: each category says why, never NaN.
    for (const category of outcome.categories) {
      if (category.apAfter === null) expect(category.reason).toMatch(/held-out/);
      else expect(Number.isFinite(category.apAfter)).toBe(true);
    }
    const trainingLabels = fs.readFileSync(path.join(outcome.dir, 'training-labels.csv'), 'utf8').trim().split('\n');
    expect(trainingLabels[0]).toBe('content_id,source,hate_speech,nsfw,spam,misinformation,csam');
    expect(trainingLabels.filter((line) => line.includes(',human,'))).toHaveLength(trainable.length);
    expect(trainingLabels.some((line) => line.startsWith('c05,'))).toBe(false); // held out
    // The manifest answers "which data trained this model": the session, the labels file and its checksum, the snapshot.
    const trained = JSON.parse(fs.readFileSync(path.join(outcome.dir, 'model.json'), 'utf8')) as {
      training: Record<string, unknown>;
    };
    expect(trained.training).toMatchObject({
      session: { id: session.id },
      fromVersion: session.version,
      policyVersion: 'v1',
      labelsFile: 'training-labels.csv',
      humanLabeled: trainable.length,
    });
    expect(trained.training.labelsSha256).toBe(
      createHash('sha256')
        .update(fs.readFileSync(path.join(outcome.dir, 'training-labels.csv')))
        .digest('hex'),
    );
    expect((trained.training.labelSnapshot as { events: number }).events).toBeGreaterThan(0);
    const models = await call(host, 'models.list', {});
    expect(models.find((m) => m.name === 'text-distil')!.version).toBe(outcome.version);
    // The session ranks by the new version now; the batch handed out before the retrain and not started is replaced.
    const summary = await call(host, 'sessions.get', { sessionId: session.id, annotator: 'ana' });
    expect(summary).toMatchObject({ version: outcome.version, retrains: [{ version: outcome.version }] });
    const after = await next(session.id);
    expect(after.id).not.toBe(untouched.id);
    expect(after.items.every((item) => item.scores !== null)).toBe(true);
    await reopen();
    expect((await next(session.id)).id).toBe(after.id);
    const again = await call(host, 'sessions.retrain', { sessionId: session.id });
    expect(again.version).toBe(`${session.version}-al2`);
  });

  it("reports agreement per category over a session's labels from several annotators, with reasons where undefined", async () => {
    const session = await createSession();
    // Three annotators, six items, spam 0/1: the table [[3,0],[2,1],[0,3],[1,2],[3,0],[3,0]] whose Fleiss' kappa is
    // 0.5 by statsmodels (tests/golden/agreement.py). Everyone says hate_speech 0: agreement there is undefined.
    const votes: Record<string, [0 | 1, 0 | 1, 0 | 1]> = {
      c01: [0, 0, 0],
      c02: [0, 0, 1],
      c03: [1, 1, 1],
      c04: [0, 1, 1],
      c06: [0, 0, 0],
      c07: [0, 0, 0],
    };
    for (const [contentId, values] of Object.entries(votes)) {
      for (const [k, annotator] of ['ana', 'bo', 'cy'].entries()) {
        await record(
          session.id,
          {
            kind: 'label',
            contentId,
            labels: [
              { category: 'spam', value: values[k]! },
              { category: 'hate_speech', value: 0 },
            ],
          },
          annotator,
        );
      }
    }
    const report = await call(host, 'labels.agreement', { sessions: [session.id] });
    const spam = report.categories.find((c) => c.category === 'spam')!;
    expect(spam).toMatchObject({ items: 6, raters: 3, pairableItems: 6, fleissRaters: 3, fleissItems: 6 });
    expect(spam.fleissKappa).toBeCloseTo(0.4999999999999997, 12);
    expect(spam.krippendorffAlpha).toBeGreaterThan(0.5);
    expect(spam.belowFloor).toBe(spam.krippendorffAlpha! < 0.6);
    expect(spam.cohen.map((pair) => `${pair.a}/${pair.b}`)).toEqual(['ana/bo', 'ana/cy', 'bo/cy']);
    const hate = report.categories.find((c) => c.category === 'hate_speech')!;
    expect(hate).toMatchObject({
      krippendorffAlpha: null,
      fleissKappa: null,
      krippendorffReason: expect.stringContaining('same single value'),
      belowFloor: false,
    });
    expect(hate.cohen[0]).toMatchObject({ kappa: null, reason: expect.stringContaining('same single value') });
    expect(await host.dispatch('labels.agreement', { sessions: ['no-such-session'] })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('no labels in no-such-session') },
    });
  });

  it('trains only on settled labels: unanimous, or adjudicated where annotators disagree', async () => {
    const session = await createSession({ version: undefined });
    const spam = (contentId: string, value: 0 | 1, annotator: string, kind: 'label' | 'adjudicate' = 'label') =>
      record(
        session.id,
        {
          kind,
          contentId,
          labels: [
            { category: 'spam', value },
            { category: 'nsfw', value: 0 },
          ],
        },
        annotator,
      );
    await spam('c01', 1, 'ana');
    await spam('c01', 0, 'bo'); // a disagreement nobody has settled
    await spam('c02', 1, 'ana');
    await spam('c02', 1, 'bo');
    const humanRows = (dir: string) =>
      fs
        .readFileSync(path.join(dir, 'training-labels.csv'), 'utf8')
        .trim()
        .split('\n')
        .filter((line) => line.includes(',human,'))
        .map((line) => line.split(',').slice(0, 5).join(','));
    const first = await call(host, 'sessions.retrain', { sessionId: session.id });
    expect(humanRows(first.dir)).toEqual(['c02,human,0,0,1']);
    expect(fs.readFileSync(path.join(first.dir, 'training-labels.csv'), 'utf8')).not.toContain('c01,');
    // The adjudicator's decision is its own event, and settles the item.
    const decided = await spam('c01', 0, 'lead', 'adjudicate');
    expect(decided.eventIds).toHaveLength(2);
    const second = await call(host, 'sessions.retrain', { sessionId: session.id });
    expect(humanRows(second.dir)).toEqual(['c01,human,0,0,0', 'c02,human,0,0,1']);
    const trail = path.join(tempDir('sift-trail-'), 'trail.ndjson');
    await call(host, 'labels.export', { sessionId: session.id, format: 'ndjson', path: trail });
    expect(
      fs
        .readFileSync(trail, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"adjudicate"')),
    ).toHaveLength(2);
  });

  it('hands each item to as many annotators as the overlap asks, never twice to one, and counts it done then', async () => {
    const single = await createSession({ batchSize: 3, strategy: 'random' });
    const a1 = await next(single.id, 'ana');
    const b1 = await next(single.id, 'bo');
    expect(b1.items.some((item) => a1.items.some((other) => other.contentId === item.contentId))).toBe(false);
    const paired = await createSession({ batchSize: 3, strategy: 'random', overlap: 2 });
    expect(paired.overlap).toBe(2);
    const a = await next(paired.id, 'ana');
    const b = await next(paired.id, 'bo');
    expect(b.items.map((item) => item.contentId)).toEqual(a.items.map((item) => item.contentId));
    const c = await next(paired.id, 'cy');
    expect(c.items.some((item) => a.items.some((other) => other.contentId === item.contentId))).toBe(false); // two hold them already
    for (const item of a.items) await label(paired.id, item.contentId, 0);
    expect((await call(host, 'sessions.get', { sessionId: paired.id, annotator: 'ana' })).progress).toMatchObject({
      done: 0,
      doneByAnnotator: 3,
    });
    for (const item of b.items)
      await record(
        paired.id,
        { kind: 'label', contentId: item.contentId, labels: [{ category: 'spam', value: 0 }] },
        'bo',
      );
    expect((await call(host, 'sessions.get', { sessionId: paired.id, annotator: 'ana' })).progress).toMatchObject({
      done: 3,
      remaining: 7,
    });
    // Ana's next batch never repeats what she labeled.
    const again = await next(paired.id, 'ana');
    expect(again.items.some((item) => a.items.some((other) => other.contentId === item.contentId))).toBe(false);
  });

  it('work stealing: the items an idle annotator holds go to the next annotator who asks; an active one keeps them', async () => {
    const session = await createSession({ batchSize: 5, strategy: 'random', idleMinutes: 0.02 }); // 1.2 s, to test
    expect(session.idleMinutes).toBe(0.02);
    const held = await next(session.id, 'ana');
    // Ana is active: Bo gets the other five.
    const other = await next(session.id, 'bo');
    expect(other.items.some((item) => held.items.some((mine) => mine.contentId === item.contentId))).toBe(false);
    for (const item of other.items)
      await record(
        session.id,
        { kind: 'label', contentId: item.contentId, labels: [{ category: 'spam', value: 0 }] },
        'bo',
      );
    // Ana walks away; Bo, done with his batch, is handed the items she was holding.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stolen = await next(session.id, 'bo');
    expect(stolen.items.map((item) => item.contentId).sort()).toEqual(held.items.map((item) => item.contentId).sort());
    // A session with the default (15 minutes) keeps an annotator's reservation meanwhile.
    const patient = await createSession({ batchSize: 5, strategy: 'random' });
    expect(patient.idleMinutes).toBe(15);
    const kept = await next(patient.id, 'ana');
    const elsewhere = await next(patient.id, 'bo');
    expect(elsewhere.items.some((item) => kept.items.some((mine) => mine.contentId === item.contentId))).toBe(false);
  });

  it("queues the items annotators disagree on for adjudication, each annotator's choice shown, until decided", async () => {
    const session = await createSession({ strategy: 'random', overlap: 2 });
    const both = (contentId: string, ana: 0 | 1, bo: 0 | 1) =>
      Promise.all([
        record(
          session.id,
          {
            kind: 'label',
            contentId,
            labels: [
              { category: 'spam', value: ana },
              { category: 'hate_speech', value: 0 },
            ],
          },
          'ana',
        ),
        record(
          session.id,
          {
            kind: 'label',
            contentId,
            labels: [
              { category: 'spam', value: bo },
              { category: 'hate_speech', value: 0 },
            ],
          },
          'bo',
        ),
      ]);
    await both('c01', 1, 0);
    await both('c03', 0, 0);
    const queue = await call(host, 'labels.disagreements', { sessionId: session.id });
    expect(queue.items.map((item) => item.contentId)).toEqual(['c01']);
    const [item] = queue.items;
    expect(item!.text).toContain('Buy cheap followers');
    expect(item!.categories).toEqual([
      {
        category: 'hate_speech',
        contested: false,
        votes: [
          { annotator: 'ana', value: 0, leaf: null },
          { annotator: 'bo', value: 0, leaf: null },
        ],
      },
      {
        category: 'spam',
        contested: true,
        votes: [
          { annotator: 'ana', value: 1, leaf: null },
          { annotator: 'bo', value: 0, leaf: null },
        ],
      },
    ]);
    await record(
      session.id,
      { kind: 'adjudicate', contentId: 'c01', labels: [{ category: 'spam', value: 1 }] },
      'lead',
    );
    expect((await call(host, 'labels.disagreements', { sessionId: session.id })).items).toEqual([]);
    // Each annotator against the decision; and the second taxonomy level (which leaf) beside each category.
    const report = await call(host, 'labels.agreement', { sessions: [session.id] });
    const spam = report.categories.find((c) => c.category === 'spam')!;
    expect(spam.level).toBe('category');
    expect(spam.raters).toBe(2); // the lead's decision is not a rating
    expect(spam.vsAdjudicated).toEqual([
      { annotator: 'ana', items: 1, agreement: 1 },
      { annotator: 'bo', items: 1, agreement: 0 },
    ]);
    expect(report.categories.find((c) => c.category === 'spam › leaf')).toMatchObject({
      level: 'leaf',
      items: 2,
      raters: 2,
    });
  });
});
