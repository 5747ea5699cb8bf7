/** The evaluation service on the sample workspace: joins, labels, slices, calibration fitting and revisions. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import { averagePrecision } from '../../shared/rankingMetrics';
import { brierScore, expectedCalibrationError } from '../../shared/calibration';
import type { EvaluationResult } from '../../shared/contract';
import { GOLDEN, type GoldenCase, INPUTS } from './goldenEvaluation';
import { call, tempDir } from './support';

let host: Host;

beforeAll(async () => {
  const dir = path.join(tempDir('sift-eval-'), 'ws');
  await (await createSampleWorkspace(dir, { kind: 'platform' })).close();
  host = await Host.open(dir, { remember: false });
});
afterAll(async () => host?.close());

describe('evaluating a model version against human labels', () => {
  it('joins each category’s scores to the majority label, leaving ties out, and computes the metrics on exactly those pairs', async () => {
    const result = await call(host, 'eval.run', {
      model: 'text-distil',
      version: '2024.03.0',
      bins: 10,
    });
    expect(result.version).toBe('2024.03.0');
    expect(result.categories.map((c) => c.category)).toEqual(['hate_speech', 'misinformation', 'nsfw', 'spam']);
    // The same pairs, fetched independently, give the same numbers. An item with as many 1s as 0s is undecided:
    // not a negative, but left out and counted (the sample has such ties; no adjudications).
    const votes = `SELECT s.content_id, s.score, avg(l.value::INT) AS share
            FROM model_scores s JOIN label_events l ON l.content_id = s.content_id AND l.category = s.category
            WHERE s.model = 'text-distil' AND s.model_version = '2024.03.0' AND s.category = 'spam'
            GROUP BY s.content_id, s.score`;
    const pairs = await call(host, 'query.run', {
      queryId: 'pairs',
      pageSize: 5000,
      sql: `SELECT score, (share > 0.5)::INT AS label FROM (${votes}) WHERE share <> 0.5 ORDER BY content_id`,
    });
    const ties = await call(host, 'query.run', {
      queryId: 'ties',
      sql: `SELECT count(*) FROM (${votes}) WHERE share = 0.5`,
    });
    expect(Number(ties.rows[0]![0])).toBeGreaterThan(0);
    expect(result.tied.byCategory.spam).toBe(Number(ties.rows[0]![0]));
    expect(result.tied.items).toBeGreaterThanOrEqual(Math.max(...Object.values(result.tied.byCategory)));
    const scores = pairs.rows.map((row) => Number(row[0]));
    const labels = pairs.rows.map((row) => Number(row[1]));
    const spam = result.categories.find((c) => c.category === 'spam')!;
    expect(spam.n).toBe(scores.length);
    expect(spam.positives).toBe(labels.reduce((a, b) => a + b, 0));
    expect(spam.averagePrecision).toBeCloseTo(averagePrecision(labels, scores), 12);
    expect(spam.brier).toBeCloseTo(brierScore(labels, scores), 12);
    expect(spam.ece).toBeCloseTo(expectedCalibrationError(labels, scores, 10), 12);
    expect(spam.reliability.uniform.reduce((sum, bin) => sum + bin.count, 0)).toBe(spam.n);
    expect(spam.grid.positive.reduce((a, b) => a + b, 0)).toBe(spam.positives);
    expect(spam.thresholds).toEqual({ remove: 0.9, escalate: 0.5 });
  });

  it('runs as a job with progress (what the UI uses), with the same result, and cancels', async () => {
    const direct = await call(host, 'eval.run', {
      model: 'text-distil',
      version: '2024.03.0',
      bins: 10,
    });
    const { jobId } = await call(host, 'eval.start', {
      model: 'text-distil',
      version: '2024.03.0',
      bins: 10,
    });
    const job = await host.jobs.wait(jobId);
    expect(job.status).toBe('done');
    const viaJob = job.result as EvaluationResult;
    expect(viaJob.categories).toEqual(direct.categories);
    const second = await call(host, 'eval.start', { model: 'text-distil', version: '2024.03.0' });
    await call(host, 'jobs.cancel', { jobId: second.jobId });
    expect((await host.jobs.wait(second.jobId)).status).toBe('cancelled');
  });

  it('takes ground truth from a labels query, and names a broken one', async () => {
    const labels = `SELECT a.content_id, a.category, (a.action = 'remove')::INT AS label FROM moderation_actions a WHERE a.actor_type = 'human' AND a.category IS NOT NULL`;
    const result = await call(host, 'eval.run', {
      model: 'text-distil',
      version: '2024.02.1',
      labels,
    });
    expect(result.labelSource).toBe('query');
    expect(result.categories.length).toBeGreaterThan(0);
    expect(
      await host.dispatch('eval.run', {
        model: 'text-distil',
        version: '2024.02.1',
        labels: 'SELECT content_id, category FROM label_events',
      }),
    ).toMatchObject({
      ok: false,
      error: { message: 'labels: the query must return content_id, category and label (0/1); it lacks label.' },
    });
    expect(
      await host.dispatch('eval.run', {
        model: 'text-distil',
        version: '2024.02.1',
        labels: 'SELECT content_id, category, 2 AS label FROM label_events',
      }),
    ).toMatchObject({ ok: false, error: { message: expect.stringContaining('label must be 0 or 1') } });
    expect(
      await host.dispatch('eval.run', { model: 'text-distil', version: '2024.02.1', labels: 'DELETE FROM content' }),
    ).toMatchObject({ ok: false, error: { code: 'SQL_READ_ONLY' } });
    // A labels query that breaks part-way fails the evaluation instead of evaluating the rows before the break.
    const broken =
      "SELECT content_id, category, CASE WHEN row_number() OVER (ORDER BY content_id, category) < 3000 THEN label ELSE error('broken') END AS label FROM (SELECT content_id, category, (avg(value::INT) > 0.5)::INT AS label FROM label_events GROUP BY ALL)";
    expect(
      await host.dispatch('eval.run', { model: 'text-distil', version: '2024.02.1', labels: broken }),
    ).toMatchObject({ ok: false, error: { message: expect.stringMatching(/broken|stopped part-way/) } });
  });

  it('breaks metrics out by language, surface, content type and account age, with Wilson intervals, at the thresholds in force', async () => {
    const result = await call(host, 'eval.run', {
      model: 'text-distil',
      version: '2024.02.1',
      minSliceN: 30,
    });
    const spam = result.categories.find((c) => c.category === 'spam')!;
    const dimensions = new Set(spam.slices.map((s) => s.dimension));
    expect(dimensions).toEqual(new Set(['language', 'surface', 'content_type', 'account_age']));
    const languages = spam.slices.filter((s) => s.dimension === 'language');
    expect(languages.reduce((sum, s) => sum + s.n, 0)).toBe(spam.n);
    for (const slice of spam.slices) {
      // Highlighted only with enough items and intervals that clear the overall one.
      if (slice.flagged) {
        const clears = (rate: typeof slice.recall, overall: typeof slice.recall) =>
          rate.n >= 30 && (rate.interval![1] < overall.interval![0] || rate.interval![0] > overall.interval![1]);
        expect(clears(slice.recall, spam.sliceBaseline.recall) || clears(slice.fpr, spam.sliceBaseline.fpr)).toBe(true);
      }
      if (slice.recall.value !== null) expect(slice.recall.interval![0]).toBeLessThanOrEqual(slice.recall.value);
    }
    expect(spam.sliceBaseline.threshold).toBe(spam.thresholds.remove);
    // eval.slices recomputes them at other thresholds, with the same numbers at the same thresholds.
    const same = await call(host, 'eval.slices', {
      model: 'text-distil',
      version: '2024.02.1',
      minSliceN: 30,
    });
    expect(same.categories.find((c) => c.category === 'spam')!.slices).toEqual(spam.slices);
    const lower = await call(host, 'eval.slices', {
      model: 'text-distil',
      version: '2024.02.1',
      thresholds: { spam: { remove: 0.5, escalate: 0.3 } },
    });
    const lowered = lower.categories.find((c) => c.category === 'spam')!;
    expect(lowered.baseline.threshold).toBe(0.5);
    expect(lowered.baseline.recall.value!).toBeGreaterThan(spam.sliceBaseline.recall.value!);
  });
});

describe('comparing two versions', () => {
  it('on exactly the items both scored, whichever models they are', async () => {
    // Score a few hundred items with the fusion model too (another model, fewer items).
    const { jobId } = await call(host, 'models.score', {
      model: 'text-fusion',
      sql: 'SELECT content_id, text FROM content WHERE content_id IN (SELECT content_id FROM current_labels) ORDER BY content_id LIMIT 400',
    });
    expect((await host.jobs.wait(jobId)).status).toBe('done');
    const a = await call(host, 'eval.run', {
      model: 'text-distil',
      version: '2024.03.0',
      sameItemsAs: { model: 'text-fusion', version: '2026.11.1' },
    });
    const b = await call(host, 'eval.run', {
      model: 'text-fusion',
      version: '2026.11.1',
      sameItemsAs: { model: 'text-distil', version: '2024.03.0' },
    });
    const alone = await call(host, 'eval.run', { model: 'text-distil', version: '2024.03.0' });
    for (const category of a.categories) {
      const other = b.categories.find((c) => c.category === category.category)!;
      expect(category.n, category.category).toBe(other.n);
      expect(category.positives).toBe(other.positives);
      expect(category.n).toBeLessThan(alone.categories.find((c) => c.category === category.category)!.n);
    }
  });
});

describe('error analysis', () => {
  it('counts the confusion at the thresholds in force, and lists the false positives worst first, with who labelled them', async () => {
    const errors = await call(host, 'eval.errors', {
      model: 'text-distil',
      version: '2024.02.1',
      category: 'spam',
      thresholds: { spam: { remove: 0.6, escalate: 0.3 } },
    });
    expect(errors.threshold).toBe(0.6);
    const { truePositives, falsePositives, falseNegatives, trueNegatives } = errors.confusion;
    const evaluation = await call(host, 'eval.run', { model: 'text-distil', version: '2024.02.1' });
    const spam = evaluation.categories.find((c) => c.category === 'spam')!;
    expect(truePositives + falseNegatives).toBe(spam.positives);
    expect(truePositives + falsePositives + falseNegatives + trueNegatives).toBe(spam.n);
    expect(errors.distribution.falsePositives.reduce((a, b) => a + b, 0)).toBe(falsePositives);
    expect(errors.distribution.truePositives.reduce((a, b) => a + b, 0)).toBe(truePositives);
    expect(errors.terms.length).toBeGreaterThan(0);

    const fps = await call(host, 'eval.items', {
      model: 'text-distil',
      version: '2024.02.1',
      category: 'spam',
      thresholds: { spam: { remove: 0.6, escalate: 0.3 } },
      kind: 'fp',
      limit: 50,
    });
    expect(fps.total).toBe(falsePositives);
    expect(fps.items.every((item) => item.kind === 'fp' && item.label === 0 && item.score >= 0.6)).toBe(true);
    expect(fps.items.map((item) => item.score)).toEqual([...fps.items.map((item) => item.score)].sort((a, b) => b - a));
    expect(fps.items[0]!.text).toBeTruthy();
    expect(fps.items[0]!.labelledBy.length).toBeGreaterThan(0);
    // A histogram bin drills to exactly its items; a slice to its own.
    const bin = await call(host, 'eval.items', {
      model: 'text-distil',
      version: '2024.02.1',
      category: 'spam',
      kind: 'all',
      score: { from: 0.9, to: 1 },
      limit: 1000,
    });
    expect(bin.items.every((item) => item.score >= 0.9)).toBe(true);
    const german = await call(host, 'eval.items', {
      model: 'text-distil',
      version: '2024.02.1',
      category: 'spam',
      kind: 'all',
      slice: { dimension: 'language', value: 'de' },
      limit: 1000,
    });
    expect(german.total).toBe(spam.slices.find((s) => s.dimension === 'language' && s.value === 'de')!.n);
    expect(german.items.every((item) => item.language === 'de')).toBe(true);
  });
});

describe('the DuckDB aggregation path against scikit-learn', () => {
  // The golden inputs stored as a model's scores, with their labels from a query: eval.run groups them in DuckDB
  // and must give scikit-learn's numbers, as the per-item functions do.
  beforeAll(async () => {
    const values = Object.entries(INPUTS).flatMap(([name, [, scores]]) =>
      scores.map((score, i) => `('golden-${name}-${i}', 'golden', '${name}', 'spam', ${score})`),
    );
    await host.workspace.withConnection((conn) =>
      conn.run(
        `INSERT INTO model_scores (content_id, model, model_version, category, score) VALUES ${values.join(', ')}`,
      ),
    );
  });
  const labelsFor = (name: string) =>
    `SELECT * FROM (VALUES ${INPUTS[name]![0].map((label, i) => `('golden-${name}-${i}', 'spam', ${label})`).join(', ')}) t(content_id, category, label)`;
  const close = (actual: number[], expected: readonly number[]) => {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 12));
  };

  it.each(Object.keys(INPUTS))('%s: calibration, ranking and the curve equal scikit-learn', async (name) => {
    const golden = (GOLDEN as unknown as Record<string, GoldenCase>)[name]!;
    const run = async (bins: number) =>
      (
        await call(host, 'eval.run', {
          model: 'golden',
          version: name,
          labels: labelsFor(name),
          bins,
        })
      ).categories[0]!;
    const at15 = await run(15);
    expect(at15.n).toBe(INPUTS[name]![0].length);
    expect(at15.brier).toBeCloseTo(golden.brier, 12);
    expect(at15.ece).toBeCloseTo(golden.ece15, 12);
    expect(at15.mce).toBeCloseTo(golden.mce15, 12);
    expect(at15.averagePrecision).toBeCloseTo(golden.ap, 12);
    if (golden.roc_auc === null) expect(at15.rocAuc).toBeNull();
    else expect(at15.rocAuc).toBeCloseTo(golden.roc_auc, 12);
    // scikit-learn's curve ends with its (precision 1, recall 0) point; the view's curve has one point per threshold.
    close(
      at15.pr.map((point) => point.precision),
      golden.pr.precision.slice(0, -1),
    );
    close(
      at15.pr.map((point) => point.recall),
      golden.pr.recall.slice(0, -1),
    );
    close(
      at15.pr.map((point) => point.threshold),
      golden.pr.thresholds,
    );
    const at5 = await run(5);
    expect(at5.ece).toBeCloseTo(golden.ece5, 12);
    expect(at5.mce).toBeCloseTo(golden.mce5, 12);
    for (const [key, bins, strategy] of [
      ['uniform5', 5, 'uniform'],
      ['uniform10', 10, 'uniform'],
      ['quantile4', 4, 'quantile'],
    ] as const) {
      const expected = golden[key] as { fraction_positive: number[]; mean_predicted: number[] };
      const reliability = (await run(bins)).reliability[strategy];
      close(
        reliability.map((bin) => bin.fractionPositive),
        expected.fraction_positive,
      );
      close(
        reliability.map((bin) => bin.meanPredicted),
        expected.mean_predicted,
      );
    }
  });
});

describe('calibration fitting and saving', () => {
  it('fits Platt and isotonic on one half and reports the other half before and after', async () => {
    for (const method of ['platt', 'isotonic'] as const) {
      const fit = await call(host, 'eval.calibrate', {
        model: 'text-distil',
        version: '2024.02.1',
        method,
      });
      const spam = fit.categories.find((c) => c.category === 'spam')!;
      expect(spam.fitted).toBe(true);
      expect(spam.fitItems! + spam.testItems!).toBeGreaterThan(500);
      expect(spam.after!.ece).toBeLessThan(spam.before!.ece);
      if (method === 'platt') expect(spam.params).toEqual({ a: expect.any(Number), b: expect.any(Number) });
    }
  });

  it('fits on the half the user chooses, checking on the other', async () => {
    const even = await call(host, 'eval.calibrate', {
      model: 'text-distil',
      version: '2024.02.1',
      method: 'isotonic',
      fitOn: 'even',
    });
    const odd = await call(host, 'eval.calibrate', {
      model: 'text-distil',
      version: '2024.02.1',
      method: 'isotonic',
      fitOn: 'odd',
    });
    const [a, b] = [even, odd].map((fit) => fit.categories.find((c) => c.category === 'spam')!);
    expect(a!.fitItems).toBe(b!.testItems);
    expect(a!.testItems).toBe(b!.fitItems);
  });

  it('fits as a job too (what the UI uses), with the same result, and cancels', async () => {
    const input = { model: 'text-distil', version: '2024.02.1', method: 'isotonic', fitOn: 'even' } as const;
    const direct = await call(host, 'eval.calibrate', input);
    const { jobId } = await call(host, 'eval.calibrateStart', input);
    const job = await host.jobs.wait(jobId);
    expect(job.status).toBe('done');
    expect(job.result).toEqual(direct);
    const cancelled = await call(host, 'eval.calibrateStart', input);
    await call(host, 'jobs.cancel', { jobId: cancelled.jobId });
    expect((await host.jobs.wait(cancelled.jobId)).status).toBe('cancelled');
  });

  it('fits on the pairs an evaluation read when named (nothing read again), and reads afresh once they are no longer held', async () => {
    // Ground truth in a table of its own, so it can change between the evaluation and the fit.
    await host.workspace.withConnection((conn) =>
      conn.run(
        `CREATE OR REPLACE TABLE truth_for_fit AS SELECT content_id::VARCHAR AS content_id, category, CASE WHEN avg(TRY_CAST(value AS INTEGER)) > 0.5 THEN 1 ELSE 0 END AS label FROM label_events GROUP BY ALL`,
      ),
    );
    const input = {
      model: 'text-distil',
      version: '2024.02.1',
      labels: 'SELECT * FROM truth_for_fit',
      method: 'isotonic',
    } as const;
    const evaluation = await call(host, 'eval.run', {
      model: input.model,
      version: input.version,
      labels: input.labels,
    });
    const before = await call(host, 'eval.calibrate', input);
    await host.workspace.withConnection((conn) =>
      conn.run(`UPDATE truth_for_fit SET label = 1 - label WHERE hash(content_id) % 3 = 0`),
    );
    const afresh = await call(host, 'eval.calibrate', input);
    expect(afresh.categories).not.toEqual(before.categories);
    // Named, the fit is of the items the evaluation showed, though the labels changed since.
    const held = await call(host, 'eval.calibrate', { ...input, evaluation: evaluation.evaluationId });
    expect(held.evaluationId).toBe(evaluation.evaluationId);
    expect(held.categories).toEqual(before.categories);
    expect(held.version).toBe('2024.02.1');
    // Another version, or other labels, than the evaluation's is refused, not fitted on the wrong items.
    expect(
      await host.dispatch('eval.calibrate', { ...input, version: '2024.03.0', evaluation: evaluation.evaluationId }),
    ).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('its version differs') },
    });
    expect(
      await host.dispatch('eval.calibrate', { ...input, labels: undefined, evaluation: evaluation.evaluationId }),
    ).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('its labels query differs') },
    });
    // Two later evaluations push it out: the fit then reads the pairs afresh.
    for (let i = 0; i < 2; i++)
      await call(host, 'eval.run', {
        model: input.model,
        version: input.version,
        labels: input.labels,
      });
    const evicted = await call(host, 'eval.calibrate', {
      ...input,
      evaluation: evaluation.evaluationId,
    });
    expect(evicted.evaluationId).toBeUndefined();
    expect(evicted.categories).toEqual(afresh.categories);
  });

  it('saves thresholds and calibration into the manifest as a new version, and refuses impossible thresholds', async () => {
    const fit = await call(host, 'eval.calibrate', {
      model: 'text-distil',
      version: '2024.02.1',
      method: 'platt',
    });
    const params = Object.fromEntries(fit.categories.filter((c) => c.fitted).map((c) => [c.category, c.params!]));
    const revision = await call(host, 'models.saveRevision', {
      model: 'text-distil',
      thresholds: { spam: { remove: 0.8, escalate: 0.4 } },
      calibration: { method: 'platt', params },
    });
    expect(revision).toMatchObject({ name: 'text-distil', version: '2026.11.1-r1', source: 'workspace' });
    expect(revision.thresholds.spam).toEqual({ remove: 0.8, escalate: 0.4 });
    expect(revision.thresholds.hate_speech).toEqual({ remove: 0.9, escalate: 0.5 });
    const second = await call(host, 'models.saveRevision', {
      model: 'text-distil',
      thresholds: { spam: { remove: 0.85, escalate: 0.4 } },
    });
    expect(second.version).toBe('2026.11.1-r2');
    expect(
      await host.dispatch('models.saveRevision', {
        model: 'text-distil',
        thresholds: { spam: { remove: 0.3, escalate: 0.6 } },
      }),
    ).toMatchObject({ ok: false, error: { message: 'thresholds.spam: escalate must not be above remove' } });
    // The calibrated revision scores through its calibration.
    const tried = await call(host, 'models.try', {
      model: 'text-distil',
      text: 'cheap followers and likes, best price',
    });
    expect(tried.version).toBe('2026.11.1-r2');
  });
});
