/**
 * What a gate run reads (electron/host/gates/gatePairs.ts) on a small hand-made workspace (real DuckDB): only the
 * labelled items both versions scored, each version's max score per item, and a bad score or label named the way the
 * evaluation names it — the baseline's as the baseline's.
 *
 * The items: i = 0…49, categories spam and hate_speech, label 1 when i is even; v1's score i / 50, and 1 − that for
 * odd i (so every positive outscores every negative). v2 as v1 on every item but i0049 (v2 lacks it); v1 also scores
 * i0050, which has no label. At the default escalate threshold 0.5, 12 of the 25 positives (even i < 49) are flagged.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { jobOutcomeOf, runJob, tempDir } from './support';

let host: Host;
const gates = { categories: { '*': { max_recall_drop: { max: 0.01, min_n: 1 } } } };
const gate = (input: { candidate: string; baseline?: string; labels?: string }) =>
  jobOutcomeOf(host, 'gate.run', { model: 'm', labels: 'SELECT * FROM gold', gates, ...input });

beforeAll(async () => {
  host = await Host.open(path.join(tempDir('sift-gates-read-'), 'ws'), { create: true, remember: false });
  await host.workspace.withConnection(async (conn) => {
    await conn.run(`CREATE TABLE items AS SELECT i, category, 'i' || lpad(i::VARCHAR, 4, '0') AS content_id,
        CASE WHEN i % 2 = 0 THEN i / 50 ELSE 1 - i / 50 END AS score, (i % 2 = 0)::INTEGER AS label
      FROM range(51) t(i), (VALUES ('spam'), ('hate_speech')) c(category)`);
    await conn.run(`CREATE TABLE gold AS SELECT content_id, category, label FROM items WHERE i < 50`);
    await conn.run(`CREATE TABLE model_scores (content_id VARCHAR, model VARCHAR, model_version VARCHAR,
      category VARCHAR, score DOUBLE, scored_at TIMESTAMP)`);
    const version = (name: string, score: string, where = 'true') =>
      conn.run(`INSERT INTO model_scores SELECT content_id, 'm', '${name}', category, ${score}, TIMESTAMP '2024-03-01'
        FROM items WHERE ${where}`);
    await version('v1', 'score');
    await version('v1', 'score / 2'); // a second, lower score per item: the max is read
    await version('v2', 'score', 'i < 49');
    await version('bad', `CASE WHEN content_id = 'i0007' AND category = 'spam' THEN 1.5 ELSE score END`);
    await version('nulls', `CASE WHEN content_id = 'i0003' AND category = 'hate_speech' THEN NULL ELSE score END`);
  });
}, 60_000);
afterAll(async () => host?.close());

describe('gate.run reading both versions', () => {
  it('judges only the labelled items both versions scored, at each version’s max score', async () => {
    const report = await runJob(host, 'gate.run', {
      model: 'm',
      candidate: 'v2',
      baseline: 'v1',
      labels: 'SELECT * FROM gold',
      gates,
    });
    expect(report.items).toBe(49);
    expect(report.gates.map((g) => [g.category, g.n, g.candidate, g.baseline, g.passed])).toEqual([
      ['hate_speech', 25, 0.48, 0.48, true],
      ['spam', 25, 0.48, 0.48, true],
    ]);
  });

  it('names a candidate score outside [0, 1], and the baseline’s as the baseline’s', async () => {
    const candidate = await gate({ candidate: 'bad', baseline: 'v1' });
    expect(candidate.ok || candidate.error.message).toBe(
      'model_scores: content i0007 (spam) has score 1.5, outside [0, 1].',
    );
    const baseline = await gate({ candidate: 'v1', baseline: 'nulls' });
    expect(baseline.ok || baseline.error.message).toBe(
      "model_scores: the baseline's content i0003 (hate_speech) has score NULL, outside [0, 1].",
    );
    const label = await gate({
      candidate: 'v1',
      baseline: 'v2',
      labels: "SELECT content_id, category, 2 AS label FROM gold WHERE content_id = 'i0001'",
    });
    expect(label.ok || label.error.message).toBe('labels: label must be 0 or 1; content i0001 (hate_speech) has 2.');
  });
});
