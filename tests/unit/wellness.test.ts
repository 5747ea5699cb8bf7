/**
 * Reviewer wellness in the host (electron/host/media/wellness.ts, shield.ts): each annotator's shield settings in
 * the store, set by her token or the owner; exposure counted only for sensitive items (a label or a score in the
 * store and the data engine, judged by the host, not the UI), capped, per UTC day, and listed for the owner only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { sensitivityOf } from '../../electron/host/media/shield';
import type { Caller } from '../../shared/callerAccess';
import { DEFAULT_WELLNESS_SETTINGS, MAX_REVEAL_MS } from '../../shared/wellness';
import { call, outcomeOf, tempDir } from './support';

const asAna: Caller = { role: 'annotator', annotator: 'ana' };
let host: Host;
let dir: string;

beforeAll(async () => {
  dir = tempDir('sift-wellness-');
  host = await Host.open(dir, { create: true, remember: false });
  // c-violent: labeled graphic_violence by bob; c-scored: scored nsfw above the default escalate 0.5; c-spam and
  // c-low: labeled spam, scored nsfw below it; none of the last two is sensitive.
  await host.workspace.withStore((conn) =>
    conn.run(`INSERT INTO label_events (event_id, session_id, content_id, annotator_id, category, value, policy_version, kind, created_at, action_id, leaf)
      VALUES ('e1', 's1', 'c-violent', 'bob', 'nsfw', '1', 'v1', 'label', now(), 'a1', 'graphic_violence'),
             ('e2', 's1', 'c-spam', 'bob', 'spam', '1', 'v1', 'label', now(), 'a2', 'commercial_spam')`),
  );
  await host.workspace.withConnection((conn) =>
    conn.run(`CREATE TABLE model_scores AS SELECT * FROM (VALUES
      ('c-scored', 'text-distil', 'v1', 'nsfw', 0.81), ('c-low', 'text-distil', 'v1', 'nsfw', 0.12))
      t(content_id, model, model_version, category, score)`),
  );
});

afterAll(async () => {
  await host.close();
});

describe('shield facts', () => {
  it('say which items are sensitive from the labels in the store and the scores in the data', async () => {
    const facts = await sensitivityOf(host['services'], ['c-violent', 'c-scored', 'c-spam', 'c-low', 'c-unknown']);
    expect(Object.fromEntries(facts)).toEqual({
      'c-violent': { sensitive: true, because: 'labeled nsfw / graphic_violence' },
      'c-scored': { sensitive: true, because: 'scored nsfw 0.81 ≥ escalate 0.5' },
      'c-spam': { sensitive: false, because: null },
      'c-low': { sensitive: false, because: null },
      'c-unknown': { sensitive: false, because: null },
    });
    // media.forItems hands them out: blur may be turned off only where the item is not sensitive.
    const items = await call(host, 'media.forItems', { contentIds: ['c-violent', 'c-low'] });
    expect(items.map((item) => item.shield)).toEqual([
      { sensitive: true, because: 'labeled nsfw / graphic_violence', mayUnblur: false, restricted: false },
      { sensitive: false, because: null, mayUnblur: true, restricted: false },
    ]);
  });
});

describe("an annotator's wellness settings", () => {
  it('start as the defaults, change field by field by her token or the owner, and refuse a bad value by name', async () => {
    expect(await call(host, 'wellness.get', { annotator: 'ana' })).toEqual({
      annotator: 'ana',
      settings: DEFAULT_WELLNESS_SETTINGS,
      updatedAt: null,
      updatedBy: null,
      exposureTodayMs: 0,
      breakDue: false,
    });
    const mine = await host.dispatch('wellness.set', { change: { blurPx: 40, grey: false } }, asAna);
    expect(mine).toMatchObject({
      ok: true,
      value: { annotator: 'ana', settings: { blurPx: 40, grey: false, mutedVideo: true }, updatedBy: 'ana' },
    });
    const byOwner = await outcomeOf(host, 'wellness.set', { annotator: 'ana', change: { breakAfterMinutes: 1 } });
    expect(byOwner).toMatchObject({
      ok: true,
      value: { settings: { blurPx: 40, breakAfterMinutes: 1 }, updatedBy: 'owner' },
    });
    const bad = await outcomeOf(host, 'wellness.set', { annotator: 'ana', change: { blurPx: 1 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(bad.ok || bad.error.message).toMatch(/change\.blurPx: blurPx is at least 4/);
    // Hers only: another annotator's settings, and everyone's exposure, are the owner's.
    const forBob = await outcomeOf(host, 'wellness.set', { annotator: 'bob', change: { grey: false } }, asAna);
    expect(forBob).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await outcomeOf(host, 'wellness.exposure.list', {}, asAna)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});

describe('exposure', () => {
  it('counts reveals of sensitive items only, capped and once when reported twice, and the owner sees it per day', async () => {
    const now = Date.now();
    const at = (ms: number) => new Date(ms).toISOString();
    const reveal = (contentId: string, from: number, to: number) => ({
      contentId,
      startedAt: at(from),
      endedAt: at(to),
    });
    const outcome = await host.dispatch(
      'wellness.exposure.record',
      {
        intervals: [
          reveal('c-violent', now - 10_000, now - 7_000),
          reveal('c-violent', now - 10_000, now - 7_000), // a retried report
          reveal('c-scored', now - 8_000, now - 6_000), // overlaps the first by 1 s
          reveal('c-spam', now - 5_000, now - 1_000), // not sensitive
          reveal('c-scored', now - 5_000, now + 3_600_000), // ends in the future
        ],
      },
      asAna,
    );
    expect(outcome).toMatchObject({
      ok: true,
      value: {
        counted: 3,
        refused: [
          { contentId: 'c-spam', reason: 'not sensitive: revealing it is not exposure' },
          { contentId: 'c-scored', reason: 'ends in the future' },
        ],
        exposureTodayMs: 4_000,
        breakDue: false,
      },
    });
    // A key held while she walked away counts MAX_REVEAL_MS, and reaches her 1-minute break reminder.
    const stuck = await outcomeOf(
      host,
      'wellness.exposure.record',
      { annotator: 'ana', intervals: [reveal('c-violent', now - 3_600_000, now - 60_000)] },
      asAna,
    );
    expect(stuck).toMatchObject({ ok: true, value: { exposureTodayMs: 4_000 + MAX_REVEAL_MS, breakDue: true } });
    expect((await call(host, 'wellness.get', { annotator: 'ana' })).breakDue).toBe(true);

    const { days } = await call(host, 'wellness.exposure.list', {});
    expect(days.filter((day) => day.annotator === 'ana').reduce((sum, day) => sum + day.ms, 0)).toBe(
      4_000 + MAX_REVEAL_MS,
    );
    expect(days.every((day) => day.annotator === 'ana' && day.breakAfterMinutes === 1)).toBe(true);
    expect(new Set(days.flatMap((day) => day.items))).not.toContain(0);
  });
});
