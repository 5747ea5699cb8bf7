/**
 * Obfuscation robustness and the latency gate: the run on the sample workspace (recalls cross-checked one item at a
 * time through models.try), "not applicable" for a version known only from its scores, cancel, and the gates'
 * judging with figures handed in (no timing is judged here).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import { transformNamed } from '../../shared/obfuscation';
import {
  gateRobustnessFigures,
  judgeLatency,
  judgeRobustness,
  type LatencyMeasure,
  nearestRank,
} from '../../shared/robustness';
import { call, runJob, tempDir } from './support';

let host: Host;

beforeAll(async () => {
  const dir = path.join(tempDir('sift-robust-'), 'ws');
  await (await createSampleWorkspace(dir, { kind: 'platform' })).close();
  host = await Host.open(dir, { remember: false });
});
afterAll(async () => host?.close());

describe('a robustness run', () => {
  it('scores the positives clean and transformed through the runtime; each recall agrees with models.try item by item', async () => {
    // Twelve spam positives by a labels query, so the cross-check below stays a few dozen calls.
    const labels = `SELECT content_id, 'spam' AS category, 1 AS label FROM content ORDER BY content_id LIMIT 12`;
    const result = await runJob(host, 'robustness.run', {
      model: 'text-distil',
      labels,
      transforms: ['leetspeak', 'spacing'],
      latencySample: 30,
    });
    expect(result).toMatchObject({ applicable: true, version: '2026.11.1', provider: 'cpu', labelSource: 'query' });
    expect(result.transforms.map((t) => t.name)).toEqual(['leetspeak', 'spacing']);
    expect(result.textsScored).toBe(36);
    const spam = result.categories.find((c) => c.category === 'spam')!;
    expect(spam.positives).toBe(12);
    expect(result.categories.find((c) => c.category === 'nsfw')).toMatchObject({ positives: 0, cleanRecall: null });

    const texts = (
      await call(host, 'query.run', { queryId: 'texts', sql: `SELECT text FROM content ORDER BY content_id LIMIT 12` })
    ).rows.map((row) => String(row[0]));
    const recallOf = async (apply: (text: string) => string) => {
      let flagged = 0;
      for (const text of texts) {
        const tried = await call(host, 'models.try', { model: 'text-distil', text: apply(text) });
        if (tried.scores.spam! >= spam.threshold) flagged++;
      }
      return flagged / texts.length;
    };
    expect(spam.threshold).toBe(0.5); // the manifest's escalate threshold
    // models.try rounds scores to 1e-6: a score within that of the threshold would differ; none is in the sample.
    expect(spam.cleanRecall).toBe(await recallOf((text) => text));
    for (const row of spam.transforms) {
      expect(row.recall).toBe(await recallOf(transformNamed(row.transform)!.apply));
      expect(row.drop).toBeCloseTo(spam.cleanRecall! - row.recall!, 12);
    }
    expect(result.latency).toMatchObject({ items: 10, provider: 'cpu' });
    expect(result.latency!.p99Ms).toBeGreaterThanOrEqual(result.latency!.p50Ms);
  });

  it('reads the majority labels by default, and a version known only from imported scores is not applicable', async () => {
    const result = await runJob(host, 'robustness.run', {
      model: 'text-distil',
      transforms: ['emoji'],
      latencySample: 0,
    });
    expect(result.labelSource).toBe('current_labels (majority vote)');
    expect(result.categories.find((c) => c.category === 'spam')!.positives).toBeGreaterThan(0);
    expect(result.latency).toBeNull();

    const imported = await runJob(host, 'robustness.run', { model: 'text-distil', version: '2024.03.0' });
    expect(imported).toMatchObject({ applicable: false, version: '2024.03.0', categories: [], latency: null });
    expect(imported.reason).toMatch(/no runtime here/);
    const gate = judgeRobustness(
      'spam',
      { max_recall_drop: { '*': 0.05 }, optional: false, use_interval: false },
      imported,
    );
    expect(gate).toMatchObject({ status: 'not applicable', passed: true });
  });

  it('cancels', async () => {
    const { jobId } = await call(host, 'robustness.run', { model: 'text-distil' });
    await call(host, 'jobs.cancel', { jobId });
    expect((await host.jobs.wait(jobId)).status).toBe('cancelled');
  });
});

describe('the robustness and latency gates, with figures handed in', () => {
  const run = (drops: Record<string, number>, positives = 50) => ({
    applicable: true,
    categories: [
      {
        category: 'spam',
        threshold: 0.5,
        positives,
        cleanRecall: 0.9,
        transforms: Object.entries(drops).map(([transform, drop]) => ({
          transform: transform as 'leetspeak',
          recall: 0.9 - drop,
          drop,
        })),
      },
    ],
  });
  const spec = { max_recall_drop: { leetspeak: 0.05, '*': 0.1 }, optional: false, use_interval: false };

  it('passes a drop at or just under its transform’s limit and fails one just over, naming the transform', () => {
    expect(judgeRobustness('spam', spec, run({ leetspeak: 0.05, emoji: 0.0999 }))).toMatchObject({
      passed: true,
      n: 50,
      // leetspeak sits exactly at its limit, closer than emoji's 0.0999 to 0.1: it speaks for the category.
      target: 0.05,
      candidate: 0.05,
    });
    const failed = judgeRobustness('spam', spec, run({ leetspeak: 0.0501, emoji: 0.02 }));
    expect(failed).toMatchObject({ passed: false, candidate: 0.0501, target: 0.05, gate: 'robustness' });
    expect(failed.reason).toMatch(/leetspeak/);
    expect(failed.reason).not.toMatch(/emoji/);
  });

  it('hands the gate run its figures: each transform with the limit the gate sets, and the latency p99', () => {
    const figures = gateRobustnessFigures(
      { ...run({ leetspeak: 0.05, emoji: 0.02 }), latency: { p99Ms: 4.5, items: 200 } as LatencyMeasure },
      (category) => (category === 'spam' ? spec : undefined),
    );
    expect(figures).toEqual({
      applicable: true,
      categories: [
        {
          category: 'spam',
          threshold: 0.5,
          n: 50,
          cleanRecall: 0.9,
          transforms: [
            { transform: 'leetspeak', recall: 0.9 - 0.05, drop: 0.05, limit: 0.05 },
            { transform: 'emoji', recall: 0.9 - 0.02, drop: 0.02, limit: 0.1 },
          ],
        },
      ],
      latency: { p99Ms: 4.5, items: 200 },
    });
    const ungated = gateRobustnessFigures({ ...run({ leetspeak: 0 }), latency: null }, () => undefined);
    expect(ungated.categories[0]!.transforms[0]!.limit).toBeNull();
  });

  it('says insufficient data below min_n positives: failed unless optional', () => {
    expect(judgeRobustness('spam', spec, run({ leetspeak: 0 }, 19))).toMatchObject({
      status: 'insufficient data',
      passed: false,
    });
    expect(judgeRobustness('spam', { ...spec, optional: true }, run({ leetspeak: 0 }, 19)).passed).toBe(true);
    expect(judgeRobustness('spam', { ...spec, min_n: 10 }, run({ leetspeak: 0 }, 19)).passed).toBe(true);
  });

  it('judges the latency p99 handed in against the limit; no runtime is not applicable', () => {
    const measured = (p99Ms: number): LatencyMeasure => ({
      definition: 'handed in',
      provider: 'cpu',
      items: 200,
      p50Ms: 1,
      p99Ms,
      maxMs: p99Ms,
    });
    const limit = { max: 50, optional: false, use_interval: false };
    expect(judgeLatency(limit, measured(50))).toMatchObject({ passed: true, category: '*', candidate: 50, target: 50 });
    expect(judgeLatency(limit, measured(50.01))).toMatchObject({ passed: false, candidate: 50.01 });
    expect(judgeLatency(limit, { ...measured(1), items: 5 })).toMatchObject({
      status: 'insufficient data',
      passed: false,
    });
    expect(judgeLatency(limit, null)).toMatchObject({ status: 'not applicable', passed: true });
  });

  it('takes percentiles by nearest rank, as numpy’s inverted_cdf does', () => {
    // python3 -c "import numpy as np; v=[3.2,1.5,9.9,4.4,0.7,6.1,2.8];
    //   print([float(np.percentile(v,p,method='inverted_cdf')) for p in (10,30,50,99,100)])"  → [0.7, 2.8, 3.2, 9.9, 9.9]
    const values = [3.2, 1.5, 9.9, 4.4, 0.7, 6.1, 2.8];
    expect([10, 30, 50, 99, 100].map((p) => nearestRank(values, p))).toEqual([0.7, 2.8, 3.2, 9.9, 9.9]);
    // np.percentile(range(1, 201), [50, 99], method='inverted_cdf') → [100, 198]
    const ramp = Array.from({ length: 200 }, (_, k) => k + 1);
    expect([nearestRank(ramp, 50), nearestRank(ramp, 99)]).toEqual([100, 198]);
  });
});
