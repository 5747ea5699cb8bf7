/**
 * "Can I trust these scores to route content?" For one model version, per category: scores joined to ground
 * truth labels, then calibration (reliability bins, ECE, MCE, Brier), ranking (PR curve, AP, ROC AUC, operating
 * points), a fine score grid for live threshold routing, and slices. One scan in DuckDB joins scores to labels, counts
 * each slice value and lists the pairs; a million pairs cross to JavaScript as two typed arrays, never as objects.
 * Each category's figures are computed in the compute pool (evaluationFigures.ts) after one radix sort; the renderer
 * only receives the figures.
 */
import { randomUUID } from 'node:crypto';
import type { CalibrationFit, EvaluationResult, SliceEvaluation } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { DEFAULT_THRESHOLDS } from '../../../shared/routing.js';
import { computePool } from '../compute/workerPool.js';
import { evaluateCategoryTask, fitCalibrationCategoryTask } from './computeTasks.js';
import { DEFAULT_BINS } from '../../../shared/calibration.js';
import { DEFAULT_MIN_SLICE_N, sliceTable } from '../../../shared/slices.js';
import { transferables } from './evaluationFigures.js';
import { holdPairs, pairsOfEvaluation } from './heldPairs.js';
import { scanPairs } from './pairScan.js';
import { aggregatePairs, thresholdsFor, tiedItems } from './pairsQuery.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import type { Workspace } from '../workspace/workspace.js';

export async function evaluate(
  workspace: Workspace,
  registry: ModelRegistry,
  input: {
    model: string;
    version?: string;
    labels?: string;
    bins?: number;
    minSliceN?: number;
    thresholds?: Record<string, { remove: number; escalate: number }>;
    sameItemsAs?: { model: string; version: string };
    category?: string;
  },
  ctx?: JobContext,
): Promise<EvaluationResult> {
  const started = performance.now();
  const bins = input.bins ?? DEFAULT_BINS;
  const { thresholds, critical } = thresholdsFor(registry, input.model);
  // The thresholds in force: the caller's (moved in the UI), else the model's.
  const thresholdOf = (category: string) => input.thresholds?.[category] ?? thresholds[category] ?? DEFAULT_THRESHOLDS;
  computePool().prestart(); // the workers boot while DuckDB scans
  const { version, labelSource, value } = await aggregatePairs(
    workspace,
    registry,
    input,
    ctx,
    'Evaluation cancelled.',
    async (conn, pairs) => ({
      ...(await scanPairs(conn, pairs, ctx?.signal, {
        lists: true,
        removeAt: (category) => thresholdOf(category).remove,
      })),
      tied: await tiedItems(conn, pairs, input.category),
    }),
  );
  const categories = [...value.lists.keys()].filter((c) => !input.category || c === input.category).sort();
  // Each category's figures are computed in the worker pool, off the engine's event loop. The pairs are then held
  // for a calibration fit of exactly these items, so the workers get copies (when not held, the buffers themselves).
  const hold = !input.sameItemsAs;
  const evaluations = await eachInPool(
    categories,
    ctx,
    'Evaluation cancelled.',
    (category) => `Computed ${category}`,
    (category) => {
      const pairs = value.lists.get(category)!;
      return computePool().run(
        evaluateCategoryTask,
        [
          category,
          pairs,
          value.slices.get(category)?.slices ?? [],
          bins,
          thresholdOf(category),
          critical.includes(category),
          input.minSliceN ?? DEFAULT_MIN_SLICE_N,
        ],
        {
          transfer: hold ? [] : transferables(pairs),
          signal: ctx?.signal,
        },
      );
    },
  );
  const evaluationId = randomUUID();
  if (hold)
    holdPairs(workspace, evaluationId, { model: input.model, version, labels: input.labels, lists: value.lists });
  return {
    model: input.model,
    version,
    labelSource,
    bins,
    categories: evaluations,
    tied: value.tied,
    elapsedMs: Math.round(performance.now() - started),
    evaluationId,
  };
}

/** Runs one pool task per item, all queued at once (the pool bounds them), with progress; a cancel reads as one. */
async function eachInPool<T, R>(
  items: T[],
  ctx: JobContext | undefined,
  cancelled: string,
  finishedMessage: (item: T) => string,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  let finished = 0;
  ctx?.progress(0, `Computing ${items.length} categories`);
  try {
    return await Promise.all(
      items.map(async (item) => {
        const result = await task(item);
        ctx?.progress(++finished / items.length, finishedMessage(item));
        return result;
      }),
    );
  } catch (error) {
    if (ctx?.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: cancelled });
    throw error;
  }
}

/** Fits Platt or isotonic calibration on one half of the labelled items and shows its effect on the other half. */
export async function fitCalibration(
  workspace: Workspace,
  registry: ModelRegistry,
  input: {
    model: string;
    version?: string;
    labels?: string;
    method: 'platt' | 'isotonic';
    bins?: number;
    fitOn?: 'even' | 'odd';
    evaluation?: string;
  },
  ctx?: JobContext,
): Promise<CalibrationFit> {
  const bins = input.bins ?? DEFAULT_BINS;
  const fitSide = input.fitOn === 'odd' ? 1 : 0;
  // A fixed split by a hash of the content id: the same items fit and check on every run. The workers count each
  // side per distinct score, so the fit is PAV (or Newton, for Platt) over distinct scores.
  const held = pairsOfEvaluation(workspace, input);
  computePool().prestart();
  const {
    version,
    value: { lists },
  } = held
    ? { version: held.version, value: { lists: held.lists } }
    : await aggregatePairs(workspace, registry, input, ctx, 'Calibration fit cancelled.', (conn, pairs) =>
        scanPairs(conn, pairs, ctx?.signal, { lists: true }),
      );
  const categories = await eachInPool(
    [...lists.keys()].sort(),
    ctx,
    'Calibration fit cancelled.',
    (category) => `Fitted ${category}`,
    (category) => {
      const pairs = lists.get(category)!;
      // Held pairs stay held (the workers get copies); pairs read for this fit are handed over.
      return computePool().run(fitCalibrationCategoryTask, [category, pairs, fitSide, input.method, bins], {
        transfer: held ? [] : transferables(pairs),
        signal: ctx?.signal,
      });
    },
  );
  return {
    model: input.model,
    version,
    method: input.method,
    categories,
    ...(held ? { evaluationId: input.evaluation } : {}),
  };
}

/**
 * Every category's slices at the thresholds in force — light enough to recompute as the user drags a threshold:
 * one grouped aggregation over the labelled pairs, no curves.
 */
export async function evaluateSlices(
  workspace: Workspace,
  registry: ModelRegistry,
  input: {
    model: string;
    version?: string;
    labels?: string;
    thresholds?: Record<string, { remove: number; escalate: number }>;
    minSliceN?: number;
  },
  ctx?: JobContext,
): Promise<SliceEvaluation> {
  const { thresholds } = thresholdsFor(registry, input.model);
  const removeAt = (category: string) =>
    (input.thresholds?.[category] ?? thresholds[category] ?? DEFAULT_THRESHOLDS).remove;
  const minN = input.minSliceN ?? DEFAULT_MIN_SLICE_N;
  const { version, value } = await aggregatePairs(workspace, registry, input, ctx, 'Slices cancelled.', (conn, pairs) =>
    scanPairs(conn, pairs, ctx?.signal, { lists: false, removeAt }),
  );
  const categories = [...value.slices.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([category, entry]) => {
      const table = sliceTable(entry.overall, entry.slices, removeAt(category), minN);
      return { category, baseline: table.baseline, slices: table.slices };
    });
  return { model: input.model, version, categories };
}
