/**
 * A gate run (`gate.run`, `sift gate`): the candidate and the baseline judged on exactly the labelled items both
 * scored, every gate of the gate file for every category, with each version's own escalate thresholds.
 */
import { SiftError } from '../../../shared/errors.js';
import {
  DEFAULT_BOOTSTRAP_SEED,
  EVERY_CATEGORY,
  type GateFile,
  type GateName,
  type GateReport,
  type GateResult,
  gatesForCategory,
} from '../../../shared/gates.js';
import { gateRobustnessFigures, judgeLatency, judgeRobustness } from '../../../shared/robustness.js';
import { DEFAULT_THRESHOLDS, type RoutingRules } from '../../../shared/routing.js';
import { aggregatePairs, requireScores, thresholdsFor } from '../evaluation/pairsQuery.js';
import { computePool } from '../compute/workerPool.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { runRobustness } from '../robustness/robustness.js';
import type { Workspace } from '../workspace/workspace.js';
import { loadGates } from './gateFile.js';
import {
  countFalsePositives,
  type FalsePositiveCounts,
  goldenCounts,
  type PairExtras,
  readAlignedPairs,
} from './gatePairs.js';
import { judgeCategoryTask } from './computeTasks.js';
import type { CategoryEvidence } from './judge.js';

export interface GateRunInput {
  model: string;
  candidate: string;
  baseline?: string;
  gates?: string | Record<string, unknown>;
  labels?: string;
  seed?: number;
}

/**
 * A version's own routing: its package's manifest when the workspace has that version, else the model's registered
 * thresholds (a version known only from imported scores routes as the deployed model does).
 */
async function versionRouting(registry: ModelRegistry, model: string, version: string): Promise<RoutingRules> {
  const own = (await registry.list()).find((info) => info.name === model && info.version === version && !info.error);
  return own ? { thresholds: own.thresholds, critical: own.critical } : thresholdsFor(registry, model);
}

/**
 * What the FPR gates of these categories read: the slice columns and high-reach fractions (listed beside the pairs,
 * in the same scan) and the golden queries (counted apart: golden items need no label), each with the field path
 * its errors name.
 */
function fprNeeds(file: GateFile, categories: string[]) {
  const needs: PairExtras & { fields: Record<string, string>; golden: Map<string, string> } = {
    sliceColumns: [],
    reachFractions: [],
    fields: {},
    golden: new Map(),
  };
  for (const category of categories) {
    const gates = gatesForCategory(file, category);
    const where = (gate: GateName) =>
      `categories.${file.categories[category]?.[gate] ? category : EVERY_CATEGORY}.${gate}`;
    if (gates.slice && !needs.sliceColumns.includes(gates.slice.by)) {
      needs.sliceColumns.push(gates.slice.by);
      needs.fields[`slice:${gates.slice.by}`] = where('slice');
    }
    if (gates.high_reach && !needs.reachFractions.includes(gates.high_reach.top_fraction)) {
      needs.reachFractions.push(gates.high_reach.top_fraction);
      needs.fields.high_reach ??= where('high_reach');
    }
    if (gates.golden_safe && !needs.golden.has(gates.golden_safe.query))
      needs.golden.set(gates.golden_safe.query, where('golden_safe'));
  }
  return needs;
}

export async function runGates(
  workspace: Workspace,
  registry: ModelRegistry,
  input: GateRunInput,
  ctx: JobContext,
): Promise<GateReport> {
  const file = loadGates(workspace, input.gates);
  computePool().prestart(); // the workers boot while DuckDB reads
  const baseline = input.baseline ?? null;
  if (baseline === input.candidate)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: 'baseline: it is the candidate itself; name another version.',
    });
  const routing = {
    candidate: await versionRouting(registry, input.model, input.candidate),
    baseline: baseline ? await versionRouting(registry, input.model, baseline) : null,
  };
  const escalateOf = (rules: RoutingRules | null) => (category: string) =>
    (rules?.thresholds[category] ?? DEFAULT_THRESHOLDS).escalate;
  const escalate = { candidate: escalateOf(routing.candidate), baseline: escalateOf(routing.baseline) };
  const named = Object.keys(file.categories).filter((category) => category !== EVERY_CATEGORY);
  const { value } = await aggregatePairs(
    workspace,
    registry,
    { model: input.model, version: input.candidate, labels: input.labels },
    ctx,
    'Gate run cancelled.',
    async (conn, scan) => {
      await requireScores(conn, input.model, input.candidate, 'candidate');
      if (baseline) await requireScores(conn, input.model, baseline, 'baseline');
      const pairs = baseline
        ? { ...scan, params: { ...scan.params, other_model: input.model, other_version: baseline } }
        : scan;
      ctx.progress(null, 'Reading both versions’ scores on the labelled items');
      const needs = fprNeeds(file, [...new Set([...scan.categories, ...named])]);
      const read = await readAlignedPairs(conn, pairs, baseline !== null, needs);
      const categories = [...new Set([...read.aligned.keys(), ...named])].sort();
      const golden = new Map<string, Map<string, FalsePositiveCounts>>();
      for (const [query, field] of needs.golden)
        golden.set(query, await goldenCounts(conn, pairs, baseline !== null, escalate, { query, field }));
      return { ...read, needs, categories, golden };
    },
  );
  if (value.items === 0)
    throw new SiftError({
      code: 'NOT_FOUND',
      message: baseline
        ? `No labelled items that both ${input.candidate} and ${baseline} scored: nothing to judge them on.`
        : `No labelled items that ${input.candidate} scored: nothing to judge it on.`,
    });
  const wanted = (gate: GateName) => value.categories.some((category) => gatesForCategory(file, category)[gate]);
  // Robustness and latency re-score the candidate's labelled positives through its own runtime: only when asked.
  const robustness =
    wanted('robustness') || wanted('latency_p99_ms')
      ? await runRobustness(
          workspace,
          registry,
          {
            model: input.model,
            version: input.candidate,
            labels: input.labels,
            latencySample: wanted('latency_p99_ms') ? 200 : 0,
          },
          ctx,
        )
      : null;
  const seed = input.seed ?? file.seed ?? DEFAULT_BOOTSTRAP_SEED;
  ctx.progress(null, 'Judging the gates');
  // Each category judged in the compute pool (its sorts and bootstrap off the engine's event loop, categories side by
  // side); the slice and reach counts are taken here first, so only scores and labels travel, handed over.
  const evidence = value.categories.map((category): CategoryEvidence => {
    const own = gatesForCategory(file, category);
    const pairs = value.aligned.get(category) ?? null;
    const at = { candidate: escalate.candidate(category), baseline: escalate.baseline(category) };
    const falsePositives: CategoryEvidence['falsePositives'] = {};
    if (own.slice) {
      const k = value.needs.sliceColumns.indexOf(own.slice.by);
      const coded = pairs ? countFalsePositives(pairs, pairs.slices[k]!, at) : new Map<number, FalsePositiveCounts>();
      falsePositives.slice = new Map([...coded].map(([code, counts]) => [value.sliceValues[k]![code]!, counts]));
    }
    if (own.high_reach) {
      const k = value.needs.reachFractions.indexOf(own.high_reach.top_fraction);
      const reach = pairs ? countFalsePositives(pairs, pairs.highReach[k]!, at).get(1) : undefined;
      falsePositives.high_reach = new Map(reach ? [[null, reach]] : []);
    }
    if (own.golden_safe) {
      const counts = value.golden.get(own.golden_safe.query)?.get(category);
      falsePositives.golden_safe = new Map(counts ? [[null, counts]] : []);
    }
    const scores = pairs && { ...pairs, slices: [], highReach: [] };
    return { category, pairs: scores, escalate: at, hasBaseline: baseline !== null, falsePositives, seed };
  });
  const judged = await Promise.all(
    evidence.map((one) => {
      const buffers = one.pairs
        ? [
            one.pairs.candidate.buffer,
            one.pairs.labels.buffer,
            ...(one.pairs.baseline ? [one.pairs.baseline.buffer] : []),
          ]
        : [];
      return computePool().run(judgeCategoryTask, [one, gatesForCategory(file, one.category)], {
        transfer: buffers as ArrayBuffer[],
        signal: ctx.signal,
      });
    }),
  );
  const gates: GateResult[] = [];
  for (const [k, category] of value.categories.entries()) {
    gates.push(...judged[k]!);
    const spec = gatesForCategory(file, category).robustness;
    if (spec && robustness) gates.push(judgeRobustness(category, spec, robustness));
  }
  // Latency is the model's, not a category's: one gate ("*"), by the "*" entry's limit, else the first named.
  const latencySpec =
    file.categories[EVERY_CATEGORY]?.latency_p99_ms ??
    value.categories.map((category) => gatesForCategory(file, category).latency_p99_ms).find((spec) => spec);
  if (latencySpec && robustness)
    gates.push(judgeLatency(latencySpec, robustness.latency, robustness.applicable ? undefined : robustness.reason));
  return {
    passed: gates.every((gate) => gate.passed),
    items: value.items,
    model: input.model,
    candidate: input.candidate,
    baseline,
    gates,
    ...(robustness
      ? {
          // Limits only where a robustness gate was judged (a category without labels here has no gate row).
          robustness: gateRobustnessFigures(robustness, (category) =>
            value.categories.includes(category) ? gatesForCategory(file, category).robustness : undefined,
          ),
        }
      : {}),
  };
}
