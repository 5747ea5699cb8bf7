/**
 * The time backtest of a session's recipe (shared/backtest.ts says what it measures and why in-sample is
 * cross-validated): the items a retrain would train on, split at the cut by their content's created_at; six
 * trainings in the compute pool at once (the five in-time folds and the one on everything before the cut), each
 * scoring the items it is judged on in the same worker; then the figures per category. Nothing is saved: no model
 * version, no scores.
 */
import {
  BACKTEST_FOLDS,
  backtestCategory,
  backtestFigures,
  backtestFold,
  type BacktestOutcome,
  CUT_FORMS,
  parseCut,
} from '../../../shared/backtest.js';
import { SiftError } from '../../../shared/errors.js';
import { DEFAULT_THRESHOLDS } from '../../../shared/routing.js';
import { computePool } from '../compute/workerPool.js';
import type { JobContext } from '../jobs.js';
import { backtestFoldTask } from './computeTasks.js';
import type { LabelingCore } from './labelingCore.js';
import { readTrainingItems, type TrainingItem } from './poolData.js';
import { distilledRecipe, RECIPE } from './retrain.js';

const IN_SAMPLE_METHOD = `cross-validated: ${BACKTEST_FOLDS} folds of the before-cut items by content id, each judged by the recipe trained on the other folds`;

export async function backtestSession(
  core: LabelingCore,
  sessionId: string,
  cutInput: string,
  ctx: JobContext,
): Promise<BacktestOutcome> {
  const started = performance.now();
  const cut = parseCut(cutInput);
  if (cut === null) throw new SiftError({ code: 'BAD_REQUEST', message: `cut: "${cutInput}" is not ${CUT_FORMS}.` });
  const session = core.state.session(sessionId);
  const pkg = core.registry.package(session.model);
  const { manifest } = pkg;
  const { ngrams, leaves } = distilledRecipe(pkg, core.policy.get(session.policy_version));
  ctx.progress(0, 'Reading the labels');
  await core.store.sync(); // SQL's labels must include the ones just made
  const items = await readTrainingItems(core.workspace, manifest.categories, leaves);
  const dated = items.filter((item) => item.createdAt !== null);
  const undated = items.filter((item) => item.createdAt === null && item.human !== null).length;
  const before = dated.filter((item) => item.createdAt! < cut);
  const judgedBefore = before.filter((item) => item.human !== null);
  const judgedAfter = dated.filter((item) => item.createdAt! >= cut && item.human !== null);
  const when = new Date(cut).toISOString();
  if (judgedBefore.length === 0 || judgedAfter.length === 0) {
    const labeled = dated.filter((item) => item.human !== null).map((item) => item.createdAt!);
    const span = labeled.length
      ? ` The labeled content runs from ${new Date(Math.min(...labeled)).toISOString()} to ${new Date(Math.max(...labeled)).toISOString()}.`
      : '';
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `Cannot judge a cut at ${when}: no labeled content was created ${judgedBefore.length === 0 ? 'before' : 'at or after'} it.${span}${undated ? ` ${undated} labeled item(s) have no created_at.` : ''}`,
    });
  }

  const outputs = manifest.categories.length;
  const targetsOf = (training: TrainingItem[]) => {
    const targets = new Uint8Array(training.length * outputs);
    training.forEach((item, i) => item.targets.forEach((value, k) => (targets[i * outputs + k] = value)));
    return targets;
  };
  const folds = Array.from({ length: BACKTEST_FOLDS }, (_, fold) => ({
    training: before.filter((item) => backtestFold(item.contentId) !== fold),
    judged: judgedBefore.filter((item) => backtestFold(item.contentId) === fold),
  }));
  const runs = [...folds, { training: before, judged: judgedAfter }];
  ctx.progress(
    0.1,
    `Training ${session.model} ${runs.length} times on ${before.length.toLocaleString('en-US')} items before ${when}`,
  );
  let finished = 0;
  const scored = await Promise.all(
    runs.map(async ({ training, judged }) => {
      const targets = targetsOf(training);
      const scores =
        judged.length === 0
          ? new Float32Array(0)
          : await computePool().run(
              backtestFoldTask,
              [
                training.map((item) => item.text),
                targets,
                ngrams,
                { outputs, ...RECIPE },
                judged.map((item) => item.text),
              ],
              { transfer: [targets.buffer as ArrayBuffer], signal: ctx.signal },
            );
      ctx.progress(0.1 + (0.85 * ++finished) / runs.length, `Trained ${finished} of ${runs.length}`);
      return { judged, scores };
    }),
  );
  if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Backtest cancelled.' });

  const inTime = scored.slice(0, BACKTEST_FOLDS);
  const outOfTime = scored[BACKTEST_FOLDS]!;
  const categories = manifest.categories.map((category, k) => {
    const side = (parts: typeof scored) => {
      const labels: number[] = [];
      const scores: number[] = [];
      for (const { judged, scores: partScores } of parts)
        judged.forEach((item, i) => {
          const label = item.human![category];
          if (label === undefined) return;
          labels.push(label);
          scores.push(partScores[i * outputs + k]!);
        });
      return { labels, scores };
    };
    const threshold = (manifest.thresholds[category] ?? DEFAULT_THRESHOLDS).escalate;
    const a = side(inTime);
    const b = side([outOfTime]);
    return backtestCategory(
      category,
      threshold,
      backtestFigures(a.labels, a.scores, threshold),
      backtestFigures(b.labels, b.scores, threshold),
    );
  });
  ctx.progress(1, 'Backtest done');
  return {
    sessionId,
    model: session.model,
    version: manifest.version,
    cutInput,
    cut: when,
    inSampleMethod: IN_SAMPLE_METHOD,
    trainItems: before.length,
    trainLabeled: judgedBefore.length,
    testLabeled: judgedAfter.length,
    undated,
    categories,
    durationMs: Math.round(performance.now() - started),
  };
}
