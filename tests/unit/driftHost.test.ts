/**
 * Drift through the host (electron/host/drift/): the SQL that counts bins equals shared/drift.ts's definition (and so
 * numpy's numbers, tests/unit/drift.test.ts) for a period against a period, a version against a version, week over
 * week, and the candidate against its baseline on the items both scored (the max_psi gate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateDrift } from '../../electron/host/drift/drift';
import type { Host } from '../../electron/host/host';
import { readOnly } from '../../electron/host/query/readOnlyQuery';
import { categoryDrift } from '../../shared/drift';
import { jobOutcomeOf, openTempHost, runJob } from './support';

// The golden arrays of tests/unit/drift.test.ts (numpy: PSI 1.4820847694650865 shifted, 0.6804654740480237 tied).
const reference = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) / 1000);
const current = Array.from({ length: 300 }, (_, i) => Math.min(1, (((i * 104729) % 1000) / 1000) * 0.7 + 0.25));
const tiedReference = [...Array<number>(45).fill(0), ...Array.from({ length: 55 }, (_, i) => ((i * 37) % 100) / 100)];
const tiedCurrent = [...Array<number>(10).fill(0), ...Array.from({ length: 90 }, (_, i) => ((i * 53) % 100) / 100)];

const WEEK_A = Date.parse('2024-03-04T00:00:00Z'); // a Monday
const WEEK = 7 * 86_400_000;
const at = (week: number, i: number) => new Date(WEEK_A + week * WEEK + i * 60_000).toISOString().slice(0, 19);

let host: Host;

beforeAll(async () => {
  ({ host } = await openTempHost());
  const rows: string[] = [];
  const add = (id: string, version: string, category: string, score: number, when: string) =>
    rows.push(`('${id}', 'm', '${version}', '${category}', ${score}, '${when}')`);
  // Version v1: week A the reference arrays, week B the current ones, week C the reference again.
  reference.forEach((s, i) => add(`a${i}`, 'v1', 'spam', s, at(0, i)));
  current.forEach((s, i) => add(`b${i}`, 'v1', 'spam', s, at(1, i)));
  reference.forEach((s, i) => add(`c${i}`, 'v1', 'spam', s, at(2, i)));
  tiedReference.forEach((s, i) => add(`a${i}`, 'v1', 'hate', s, at(0, i)));
  tiedCurrent.forEach((s, i) => add(`b${i}`, 'v1', 'hate', s, at(1, i)));
  // Version v2 rescored week A's first 300 items with the current arrays, and 50 items v1 never scored.
  current.forEach((s, i) => add(`a${i}`, 'v2', 'spam', s, at(3, i)));
  for (let i = 0; i < 50; i++) add(`new${i}`, 'v2', 'spam', 0.99, at(3, i));
  await host.workspace.withConnection(async (conn) => {
    await conn.run(
      'CREATE TABLE model_scores (content_id VARCHAR, model VARCHAR, model_version VARCHAR, category VARCHAR, score DOUBLE, scored_at TIMESTAMP)',
    );
    await conn.run(`INSERT INTO model_scores VALUES ${rows.join(', ')}`);
  });
});
afterAll(() => host.close());

describe('drift through the host equals the definition', () => {
  it('a period against a period of the same version', async () => {
    const result = await runJob(host, 'drift.compare', {
      model: 'm',
      version: 'v1',
      from: at(1, 0),
      to: at(2, 0),
      reference: { from: '2024-03-04', to: '2024-03-11' },
    });
    expect(result.reference).toEqual({ version: 'v1', from: '2024-03-04', to: '2024-03-11' });
    const [hate, spam] = result.categories;
    expect(spam).toEqual(categoryDrift('spam', reference, current));
    expect(spam!.psi).toBeCloseTo(1.4820847694650865, 12);
    expect(hate).toEqual(categoryDrift('hate', tiedReference, tiedCurrent));
    expect(hate!.psi).toBeCloseTo(0.6804654740480237, 12);
  });

  it('a version against another version (all their scores)', async () => {
    const result = await runJob(host, 'drift.compare', { model: 'm', version: 'v2', reference: { version: 'v1' } });
    const v1Spam = [...reference, ...current, ...reference];
    expect(result.categories).toEqual([
      categoryDrift('hate', [...tiedReference, ...tiedCurrent], []),
      categoryDrift('spam', v1Spam, [...current, ...Array<number>(50).fill(0.99)]),
    ]);
  });

  it('week over week: each week against the calendar week before', async () => {
    const result = await runJob(host, 'drift.weekly', { model: 'm', version: 'v1' });
    expect(result.weeks).toEqual(['2024-03-04', '2024-03-11', '2024-03-18']);
    const spam = result.categories.find((c) => c.category === 'spam')!;
    expect(spam.points).toEqual([
      { week: '2024-03-04', n: 500, above: 0.198, psi: null },
      { week: '2024-03-11', n: 300, ...pick(categoryDrift('spam', reference, current)) },
      { week: '2024-03-18', n: 500, ...pick(categoryDrift('spam', current, reference)) },
    ]);
    expect(spam.points[1]!.psi).toBeCloseTo(1.4820847694650865, 12);
    const hate = result.categories.find((c) => c.category === 'hate')!;
    expect(hate.points.map((p) => p.n)).toEqual([100, 100, 0]);
    expect(hate.points[2]!.psi).toBeNull();
  });

  it("the gate's figure: candidate against baseline on the items both scored, narrowed to given items", async () => {
    const drift = await host.workspace.withConnection((conn) =>
      readOnly(conn, () => candidateDrift(conn, { model: 'm', candidate: 'v2', baseline: 'v1' })),
    );
    expect(drift).toEqual([categoryDrift('spam', reference.slice(0, 300), current)]);
    const narrowed = await host.workspace.withConnection((conn) =>
      candidateDrift(conn, {
        model: 'm',
        candidate: 'v2',
        baseline: 'v1',
        items: { sql: `SELECT 'a' || range AS content_id, $cat AS category FROM range(100)`, params: { cat: 'spam' } },
      }),
    );
    expect(narrowed).toEqual([categoryDrift('spam', reference.slice(0, 100), current.slice(0, 100))]);
  });

  it('two versions on the items both scored (sift drift --same-items)', async () => {
    const result = await runJob(host, 'drift.compare', {
      model: 'm',
      version: 'v2',
      reference: { version: 'v1' },
      sameItems: true,
    });
    expect(result.categories).toEqual([categoryDrift('spam', reference.slice(0, 300), current)]);
  });

  it('refuses a reference that is the same scores, naming the field', async () => {
    const outcome = await jobOutcomeOf(host, 'drift.compare', { model: 'm', version: 'v1', reference: {} });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.message).toMatch(/^reference: /);
  });
});

function pick(drift: ReturnType<typeof categoryDrift>) {
  return { above: drift.current.above, psi: drift.psi };
}

it('names a version with no scores', async () => {
  const outcome = await jobOutcomeOf(host, 'drift.compare', {
    model: 'm',
    version: 'v1',
    reference: { version: 'v9' },
  });
  expect(!outcome.ok && outcome.error.message).toBe('reference: m v9 has no scores in model_scores.');
});
