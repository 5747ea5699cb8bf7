/**
 * A robustness run: a model version's labelled positives, scored through the model's own runtime clean and under each
 * obfuscation transform (shared/obfuscation.ts), each category's recall at the version's escalate threshold, and the
 * runtime's per-item latency p99 (definitions in shared/robustness.ts). The release gates call `runRobustness` for
 * the `robustness` and `latency_p99_ms` gates; a version whose runtime is not here is "not applicable".
 */
import type { z } from 'zod/v3';
import type { robustnessInput } from '../../../shared/contract/robustness.js';
import { SiftError } from '../../../shared/errors.js';
import { TRANSFORMS, type TransformName, transformNamed } from '../../../shared/obfuscation.js';
import { type LatencyMeasure, nearestRank, type RobustnessResult } from '../../../shared/robustness.js';
import { CRITICAL_DEFAULT_THRESHOLDS, DEFAULT_THRESHOLDS } from '../../../shared/routing.js';
import { computePool } from '../compute/workerPool.js';
import type { JobContext } from '../jobs.js';
import type { ScoreItem } from '../models/modelInputs.js';
import { loadPackage, type ModelPackage } from '../models/modelPackage.js';
import type { ModelRegistry } from '../models/registry.js';
import type { Scorer } from '../models/runtime.js';
import type { Workspace } from '../workspace/workspace.js';
import { scoreTransformedTask } from './computeTasks.js';
import { readPositives } from './positives.js';

export type RobustnessInput = z.input<typeof robustnessInput>;

/** Texts per scorer call. */
const BATCH = 1024;
/** Items scored alone before the timed ones (first-call costs are not latency). */
const LATENCY_WARM_UP = 20;

/** The package of `model` at `version` if its runtime is here, else why not. */
async function runtimeFor(
  registry: ModelRegistry,
  model: string,
  version: string | undefined,
): Promise<{ pkg: ModelPackage } | { version: string; reason: string }> {
  if (version === undefined) return { pkg: registry.package(model) };
  const found = (await registry.list()).find((info) => info.name === model && info.version === version && !info.error);
  if (!found)
    return {
      version,
      reason: `${model} ${version} has no runtime here (its scores were imported): robustness and latency need the model itself.`,
    };
  return { pkg: loadPackage(found.dir) };
}

function notApplicable(model: string, version: string, labels: string | undefined, reason: string): RobustnessResult {
  return {
    model,
    version,
    labelSource: labels ? 'query' : 'current_labels (majority vote)',
    applicable: false,
    reason,
    provider: null,
    transforms: [],
    categories: [],
    latency: null,
    textsScored: 0,
    elapsedMs: 0,
    textsPerSecond: 0,
  };
}

const asItem = (text: string, k: number): ScoreItem => ({ contentId: String(k), text, imageEmb: null, account: null });

/**
 * Scores `texts` under each variant (null: clean) in batches, several at once: a CPU model's batches are transformed
 * and scored in the compute pool, off the serving loop; another runtime's are transformed here and scored as its
 * scorer does. Returns each variant's probabilities, [texts, categories] row-major.
 */
async function scoreVariants(
  pkg: ModelPackage,
  scorer: Scorer,
  texts: string[],
  variants: (TransformName | null)[],
  ctx: JobContext,
): Promise<Float32Array[]> {
  const width = pkg.manifest.categories.length;
  const pooled = scorer.provider === 'cpu' && pkg.manifest.preprocessing.type === 'hashed_ngrams';
  const scoreBatch = (batch: string[], variant: TransformName | null) => {
    if (pooled) return computePool().run(scoreTransformedTask, [pkg.dir, pkg.hash, batch, variant]);
    const apply = variant ? transformNamed(variant)!.apply : (text: string) => text;
    return scorer.score(batch.map((text, k) => asItem(apply(text), k)));
  };
  const results = variants.map(() => new Float32Array(texts.length * width));
  const tasks = variants.flatMap((_, v) =>
    Array.from({ length: Math.ceil(texts.length / BATCH) }, (_unused, b) => ({ v, start: b * BATCH })),
  );
  const total = texts.length * variants.length;
  let done = 0;
  const lane = async () => {
    for (let task = tasks.shift(); task; task = tasks.shift()) {
      if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Robustness run cancelled.' });
      const batch = texts.slice(task.start, task.start + BATCH);
      results[task.v]!.set(await scoreBatch(batch, variants[task.v]!), task.start * width);
      done += batch.length;
      ctx.progress(
        (0.9 * done) / Math.max(total, 1),
        `Scored ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} texts (${variants[task.v] ?? 'clean'})`,
      );
    }
  };
  await Promise.all(Array.from({ length: pooled ? computePool().size : 1 }, lane));
  return results;
}

/** Each text scored alone through the runtime, timed; the first few warm it up and are not counted. */
async function measureLatency(scorer: Scorer, texts: string[], ctx: JobContext): Promise<LatencyMeasure | null> {
  const times: number[] = [];
  for (const [k, text] of texts.entries()) {
    if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Robustness run cancelled.' });
    const started = performance.now();
    await scorer.score([asItem(text, k)]);
    const elapsed = performance.now() - started;
    if (k >= Math.min(LATENCY_WARM_UP, texts.length - 1)) times.push(elapsed);
    // Between items the loop answers other calls; the wait is outside the timing.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (times.length === 0) return null;
  return {
    definition: `one item scored alone through the runtime (features, the model's run, probabilities), ${times.length} items of content picked by a hash of content_id, after ${texts.length - times.length} warm-up; p99 by nearest rank`,
    provider: scorer.provider,
    items: times.length,
    p50Ms: nearestRank(times, 50),
    p99Ms: nearestRank(times, 99),
    maxMs: Math.max(...times),
  };
}

export async function runRobustness(
  workspace: Workspace,
  registry: ModelRegistry,
  input: RobustnessInput,
  ctx: JobContext,
): Promise<RobustnessResult> {
  const started = performance.now();
  const { model, labels } = input;
  const runtime = await runtimeFor(registry, model, input.version);
  if (!('pkg' in runtime)) return notApplicable(model, runtime.version, labels, runtime.reason);
  const { manifest } = runtime.pkg;
  if (manifest.kind !== 'distilled_text')
    return notApplicable(
      model,
      manifest.version,
      labels,
      `${model} ${manifest.version} is a ${manifest.kind} model: it reads image embeddings and account features besides text, and the transforms change text alone.`,
    );
  const transforms = input.transforms
    ? TRANSFORMS.filter((transform) => input.transforms!.includes(transform.name))
    : TRANSFORMS;
  ctx.progress(null, 'Reading the labelled positives and their text');
  const positives = await readPositives(
    workspace,
    { labels, limit: input.limit ?? 10_000, latencySample: input.latencySample ?? 200 },
    manifest.categories,
    ctx,
  );
  const { scorer } = await registry.scorerOf(runtime.pkg);
  const width = manifest.categories.length;
  const variants = [null, ...transforms.map((transform) => transform.name)];
  ctx.progress(
    0,
    `Scoring ${positives.texts.length.toLocaleString('en-US')} positives clean and under ${transforms.length} transforms`,
  );
  const scoringStarted = performance.now();
  const scores = await scoreVariants(runtime.pkg, scorer, positives.texts, variants, ctx);
  const scoringMs = performance.now() - scoringStarted;
  ctx.progress(0.9, 'Timing single items for the latency p99');
  const latency = await measureLatency(scorer, positives.latencyTexts, ctx);
  const categories = manifest.categories.map((category, c) => {
    const members = positives.byCategory.get(category) ?? [];
    const critical = manifest.critical.includes(category);
    const threshold =
      manifest.thresholds[category]?.escalate ??
      (critical ? CRITICAL_DEFAULT_THRESHOLDS.escalate : DEFAULT_THRESHOLDS.escalate);
    const recall = (v: number) => {
      if (members.length === 0) return null;
      let flagged = 0;
      for (const k of members) if (scores[v]![k * width + c]! >= threshold) flagged++;
      return flagged / members.length;
    };
    const cleanRecall = recall(0);
    return {
      category,
      threshold,
      positives: members.length,
      cleanRecall,
      transforms: transforms.map((transform, t) => {
        const under = recall(t + 1);
        return {
          transform: transform.name as TransformName,
          recall: under,
          drop: under === null || cleanRecall === null ? null : cleanRecall - under,
        };
      }),
    };
  });
  const textsScored = positives.texts.length * variants.length;
  return {
    model,
    version: manifest.version,
    labelSource: labels ? 'query' : 'current_labels (majority vote)',
    applicable: true,
    provider: scorer.provider,
    transforms: transforms.map(({ name, title, rule }) => ({ name, title, rule })),
    categories,
    latency,
    textsScored,
    elapsedMs: Math.round(performance.now() - started),
    textsPerSecond: Math.round(textsScored / Math.max(scoringMs / 1000, 1e-3)),
  };
}
