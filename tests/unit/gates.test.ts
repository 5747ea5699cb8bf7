/**
 * Release gates on a small hand-made workspace (real DuckDB): model `m`, versions scored by formula, labels from a
 * table, judged through the host's gate.run job and through the real `sift gate` process (exit codes).
 *
 * The items: i = 0…299, category k (hate_speech 0, spam 1), score ((37i + 11k) mod 101) / 100 (ties included), label
 * 1 when score + (((13i) mod 17) / 17 − 0.5) · 0.8 > 0.55. The golden numbers are scikit-learn's, computed with
 * /usr/bin/python3 (sklearn 1.x) by:
 *   raw = [((i*37 + k*11) % 101) for i in range(300)]; s = np.array([r/100 for r in raw])
 *   y = np.array([1 if r/100 + (((i*13) % 17)/17 - 0.5)*0.8 > 0.55 else 0 for i, r in enumerate(raw)])
 *   p, r, t = precision_recall_curve(y, s); r[p >= 0.8].max(); p[r >= 0.7].max()
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { categoryDrift } from '../../shared/drift';
import { sift } from './cliFixture';
import { call, jobOutcomeOf, runJob, tempDir } from './support';

const GOLDEN = {
  hate_speech: { positives: 128, recallAtPrecision80: 0.7265625, precisionAtRecall70: 0.82568807339449546 },
  spam: { positives: 130, recallAtPrecision80: 0.68461538461538463, precisionAtRecall70: 0.78991596638655459 },
};

/** A version's scores: the formula, changed where `change` (SQL over i, k, score, label) says. */
const scored = (version: string, change = 'score') => `INSERT INTO model_scores
  SELECT 'i' || lpad(i::VARCHAR, 4, '0'), 'm', '${version}', category, ${change}, TIMESTAMP '2024-03-01'
  FROM items`;

let host: Host;
let dir: string;
const inline = (categories: object): Record<string, unknown> => ({ categories });
const gate = (input: { candidate: string; baseline?: string; gates: Record<string, unknown>; seed?: number }) =>
  runJob(host, 'gate.run', { model: 'm', labels: 'SELECT * FROM gold', ...input });

beforeAll(async () => {
  dir = path.join(tempDir('sift-gates-'), 'ws');
  host = await Host.open(dir, { create: true, remember: false });
  await host.workspace.withConnection(async (conn) => {
    await conn.run(`CREATE TABLE items AS
      SELECT i, k, category, ((i * 37 + k * 11) % 101) / 100 AS score,
             (((i * 37 + k * 11) % 101) / 100 + (((i * 13) % 17) / 17 - 0.5) * 0.8 > 0.55)::INTEGER AS label
      FROM range(300) t(i), (VALUES (0, 'hate_speech'), (1, 'spam')) c(k, category)`);
    await conn.run(
      `CREATE TABLE gold AS SELECT 'i' || lpad(i::VARCHAR, 4, '0') AS content_id, category, label FROM items`,
    );
    await conn.run(`CREATE TABLE content AS SELECT 'i' || lpad(i::VARCHAR, 4, '0') AS content_id,
      CASE WHEN i % 2 = 0 THEN 'en' ELSE 'de' END AS language, i AS views_24h FROM range(300) t(i)`);
    await conn.run(`CREATE TABLE model_scores (content_id VARCHAR, model VARCHAR, model_version VARCHAR,
      category VARCHAR, score DOUBLE, scored_at TIMESTAMP)`);
    await conn.run(scored('v1'));
    await conn.run(scored('v2')); // identical to v1
    // Degraded on spam only: its positives between 0.5 and 0.8 fall to 0.3.
    await conn.run(
      scored('v3', `CASE WHEN k = 1 AND label = 1 AND score >= 0.5 AND score < 0.8 THEN 0.3 ELSE score END`),
    );
    // One spam positive fewer flagged (of 130): a recall drop of exactly 1/130.
    await conn.run(
      scored(
        'v4',
        `CASE WHEN k = 1 AND i = (SELECT min(i) FROM items WHERE k = 1 AND label = 1 AND score >= 0.5) THEN 0.4 ELSE score END`,
      ),
    );
  });
}, 60_000);
afterAll(async () => host?.close());

describe('gate.run', () => {
  it('computes recall at precision and precision at recall as scikit-learn’s curve does, to 1e-9', async () => {
    const report = await gate({
      candidate: 'v1',
      gates: inline({
        '*': {
          recall_at_precision: { precision: 0.8, min_recall: 0 },
          precision_at_recall: { recall: 0.7, min_precision: 0 },
        },
      }),
    });
    expect(report.items).toBe(300);
    for (const [category, golden] of Object.entries(GOLDEN)) {
      const of = (name: string) => report.gates.find((g) => g.category === category && g.gate === name)!;
      expect(of('recall_at_precision').candidate).toBeCloseTo(golden.recallAtPrecision80, 9);
      expect(of('precision_at_recall').candidate).toBeCloseTo(golden.precisionAtRecall70, 9);
      expect(of('recall_at_precision').n).toBe(golden.positives);
    }
  });

  it('passes a candidate identical to the baseline, with a reproducible paired interval of zero width', async () => {
    const gates = inline({ '*': { max_recall_drop: 0.01, max_precision_drop: 0.01, max_psi: 0.1 } });
    const report = await gate({ candidate: 'v2', baseline: 'v1', gates });
    expect(report.passed).toBe(true);
    expect(report.items).toBe(300);
    const drop = report.gates.find((g) => g.gate === 'max_recall_drop')!;
    expect(drop.interval).toEqual([0, 0]);
    expect(report.gates.find((g) => g.gate === 'max_psi')!.candidate).toBe(0);
  });

  it('fails a candidate degraded on one category, naming that category and gate and no other', async () => {
    const report = await gate({
      candidate: 'v3',
      baseline: 'v1',
      gates: inline({ '*': { max_recall_drop: 0.01, max_ece: { max: 1 } } }),
    });
    expect(report.passed).toBe(false);
    expect(report.gates.filter((g) => !g.passed).map((g) => `${g.category} ${g.gate}`)).toEqual([
      'spam max_recall_drop',
    ]);
    const spam = report.gates.find((g) => g.category === 'spam' && g.gate === 'max_recall_drop')!;
    expect(spam.baseline).toBeCloseTo(109 / 130, 12);
    expect(spam.candidate! - spam.baseline!).toBeLessThan(-0.01);
    // The interval lies below zero, around the point estimate, and is the same from the same seed.
    expect(spam.interval![1]).toBeLessThan(0);
    expect(spam.interval![0]).toBeLessThan(spam.candidate! - spam.baseline!);
    const again = await gate({ candidate: 'v3', baseline: 'v1', gates: inline({ spam: { max_recall_drop: 0.01 } }) });
    expect(again.gates[0]!.interval).toEqual(spam.interval);
    const otherSeed = await gate({
      candidate: 'v3',
      baseline: 'v1',
      seed: 1,
      gates: inline({ spam: { max_recall_drop: 0.01 } }),
    });
    expect(otherSeed.gates[0]!.interval).not.toEqual(spam.interval);
    // use_interval: fails only when the whole interval is beyond the target.
    const lenient = await gate({
      candidate: 'v3',
      baseline: 'v1',
      gates: inline({ spam: { max_recall_drop: { max: -spam.interval![1] + 1e-6, use_interval: true } } }),
    });
    expect(lenient.gates[0]!.passed).toBe(true);
  });

  it('fails a recall drop just over max_recall_drop and passes one just under', async () => {
    const at = async (max: number) =>
      (await gate({ candidate: 'v4', baseline: 'v1', gates: inline({ spam: { max_recall_drop: max } }) })).gates[0]!;
    const over = await at(0.0076); // the drop is 1/130 = 0.0076923…
    expect(over.candidate! - over.baseline!).toBeCloseTo(-1 / 130, 12);
    expect(over.passed).toBe(false);
    expect((await at(0.0077)).passed).toBe(true);
  });

  it('says insufficient data, failing unless optional; lists comparing and runtime gates "not applicable"', async () => {
    const report = await gate({
      candidate: 'v1',
      gates: inline({
        csam: { recall_at_precision: { precision: 0.8, min_recall: 0.9 } },
        spam: {
          max_ece: { max: 1, min_n: 500, optional: true },
          max_recall_drop: 0.01,
          robustness: { max_recall_drop: { '*': 0.1 } },
          latency_p99_ms: 50,
        },
      }),
    });
    expect(report.gates.map((g) => [`${g.category} ${g.gate}`, g.passed, g.status])).toEqual([
      ['csam recall_at_precision', false, 'insufficient data'],
      ['spam max_recall_drop', true, 'not applicable'],
      ['spam max_ece', true, 'insufficient data'],
      ['spam robustness', true, 'not applicable'],
      ['* latency_p99_ms', true, 'not applicable'],
    ]);
    expect(report.passed).toBe(false);
    expect(report.gates[0]!.reason).toBe('0 labelled positives, fewer than 20');
    expect(report.gates[1]!.reason).toBe('no baseline version to compare with');
    // m v1's scores were imported: no runtime here to re-score or time.
    expect(report.gates[3]!.reason).toContain('has no runtime here');
    // The run's figures ride along as data: here none, and why.
    expect(report.robustness).toMatchObject({ applicable: false, categories: [], latency: null });
    expect(report.robustness!.reason).toContain('has no runtime here');
  });

  it('judges slice, golden-set and high-reach false positive rates at each version’s escalate threshold', async () => {
    const report = await gate({
      candidate: 'v3',
      baseline: 'v1',
      gates: inline({
        spam: {
          slice: { by: 'language', max_fpr_gap: 1 },
          golden_safe: { query: 'SELECT content_id FROM content WHERE views_24h < 100', max_fpr: 1 },
          high_reach: { top_fraction: 0.1, max_fpr: 1, min_n: 10 },
          max_psi: 10,
        },
      }),
    });
    // The same rates from the formula: negatives flagged at 0.5 (v3 changes only positives).
    const rows = Array.from({ length: 300 }, (_, i) => {
      const score = ((i * 37 + 11) % 101) / 100;
      return { i, score, label: score + (((i * 13) % 17) / 17 - 0.5) * 0.8 > 0.55 ? 1 : 0 };
    });
    const v3 = (r: (typeof rows)[number]) => (r.label === 1 && r.score >= 0.5 && r.score < 0.8 ? 0.3 : r.score);
    const fpr = (set: typeof rows) =>
      set.filter((r) => r.label === 0 && v3(r) >= 0.5).length / set.filter((r) => r.label === 0).length;
    const en = fpr(rows.filter((r) => r.i % 2 === 0));
    const de = fpr(rows.filter((r) => r.i % 2 === 1));
    const [slice, golden, reach, psi] = report.gates;
    expect(slice!.candidate).toBeCloseTo(Math.abs(en - de), 12);
    const goldenSet = rows.filter((r) => r.i < 100);
    expect(golden!.n).toBe(100);
    expect(golden!.candidate).toBeCloseTo(goldenSet.filter((r) => v3(r) >= 0.5).length / 100, 12);
    // The top 10% of 300 by views_24h (shared/releaseMetrics.ts): views 270…299.
    expect(reach!.candidate).toBeCloseTo(fpr(rows.filter((r) => r.i >= 270)), 12);
    expect(reach!.n).toBe(17);
    // PSI by shared/drift.ts's definition on the same arrays (the baseline v1 the reference).
    expect(psi!.candidate).toBeCloseTo(
      categoryDrift(
        'spam',
        rows.map((r) => r.score),
        rows.map(v3),
      ).psi!,
      12,
    );
    expect(report.passed).toBe(true);
  });

  it('names a bad gate file with the field, and refuses to write one', async () => {
    const bad = await jobOutcomeOf(host, 'gate.run', {
      model: 'm',
      candidate: 'v1',
      gates: inline({ spam: { recall_at_precision: { precision: 1.5, min_recall: 0.9 } } }),
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { message: 'gates: categories.spam.recall_at_precision.precision: must be between 0 and 1' },
    });
    const refused = await host.dispatch('gates.set', { text: '{"categories": {"spam": {"max_ece": {"max": 2}}}}' });
    expect(refused).toMatchObject({
      ok: false,
      error: { message: 'policy/gates.json: categories.spam.max_ece.max: must be between 0 and 1' },
    });
    expect((await call(host, 'gates.get', {})).exists).toBe(false);
    const written = await call(host, 'gates.set', { text: '{"categories": {"*": {"max_recall_drop": 0.01}}}' });
    expect(written).toMatchObject({
      exists: true,
      error: null,
      file: { categories: { '*': { max_recall_drop: { max: 0.01 } } } },
    });
    expect(fs.readFileSync(path.join(dir, 'policy', 'gates.json'), 'utf8')).toContain('max_recall_drop');
  });
});

describe('sift gate', () => {
  it('exits 0 when every gate passes, 1 when one fails, 2 when it cannot judge', async () => {
    await host.close();
    const files = tempDir('sift-gate-files-');
    const file = (name: string, content: object) => {
      fs.writeFileSync(path.join(files, name), JSON.stringify(content));
      return path.join(files, name);
    };
    const good = file('good.json', inline({ '*': { max_recall_drop: 0.01 } }));
    const bad = file('bad.json', inline({ spam: { max_recall_drop: { max: 0.01, min_n: -1 } } }));
    const args = (candidate: string, gates: string) => [
      'gate',
      '--workspace',
      dir,
      '--model',
      'm',
      '--candidate',
      candidate,
      '--baseline',
      'v1',
      '--gates',
      gates,
      '--labels',
      'SELECT * FROM gold',
    ];
    const reportDir = path.join(files, 'report');
    const passed = await sift(...args('v2', good), '--json', '--report', reportDir);
    expect(passed.code, passed.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'))).toEqual(JSON.parse(passed.stdout));
    const json = JSON.parse(passed.stdout) as { passed: boolean; items: number; gates: { category: string }[] };
    expect(json).toMatchObject({ passed: true, items: 300 });
    expect(Object.keys(json.gates[0]!)).toEqual([
      'category',
      'gate',
      'candidate',
      'baseline',
      'target',
      'passed',
      'n',
      'interval',
    ]);
    const failed = await sift(...args('v3', good));
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('spam max_recall_drop: recall fell from 0.8385 to');
    const named = await sift(...args('v2', bad));
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('bad.json: categories.spam.max_recall_drop.min_n: must be 0 or more');
    const nothing = await sift(
      ...args('v2', good).map((a) => (a === 'SELECT * FROM gold' ? 'SELECT * FROM gold WHERE false' : a)),
    );
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('No labelled items that both v2 and v1 scored');
  }, 120_000);
});
