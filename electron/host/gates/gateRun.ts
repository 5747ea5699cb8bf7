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
  gatesForCategory,
  type GateSpec,
} from '../../../shared/gates.js';
import { judgeLatency, judgeRobustness } from '../../../shared/robustness.js';
import { DEFAULT_THRESHOLDS, type RoutingRules } from '../../../shared/routing.js';
import { aggregatePairs, thresholdsFor } from '../evaluation/pairsQuery.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { runRobustness } from '../robustness/robustness.js';
import type { Workspace } from '../workspace/workspace.js';
import { loadGates } from './gateFile.js';
import { falsePositiveCounts, type FalsePositiveCounts, type FprScope, readAlignedPairs } from './gatePairs.js';
import { type CategoryEvidence, judgeCategory } from './judge.js';

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

/** The gates that read FPR counts, with each category's spec: one DuckDB count per distinct scope. */
function fprScopes(file: GateFile, categories: string[]): Map<string, { gate: GateName; scope: FprScope }> {
  const scopes = new Map<string, { gate: GateName; scope: FprScope }>();
  for (const category of categories) {
    const gates = gatesForCategory(file, category);
    const where = (gate: string) =>
      `categories.${file.categories[category]?.[gate as GateName] ? category : EVERY_CATEGORY}.${gate}`;
    if (gates.slice)
      scopes.set(`slice:${gates.slice.by}`, {
        gate: 'slice',
        scope: { kind: 'slice', by: gates.slice.by, field: where('slice') },
      });
    if (gates.golden_safe)
      scopes.set(`golden:${gates.golden_safe.query}`, {
        gate: 'golden_safe',
        scope: { kind: 'golden', query: gates.golden_safe.query, field: where('golden_safe') },
      });
    if (gates.high_reach)
      scopes.set(`reach:${gates.high_reach.top_fraction}`, {
        gate: 'high_reach',
        scope: { kind: 'high_reach', topFraction: gates.high_reach.top_fraction, field: where('high_reach') },
      });
  }
  return scopes;
}

/** The key of a category's own scope for an FPR gate (matching fprScopes). */
function scopeKey(gate: 'slice' | 'golden_safe' | 'high_reach', spec: GateSpec): string {
  const s = spec as Record<string, unknown>;
  return gate === 'slice' ? `slice:${s.by}` : gate === 'golden_safe' ? `golden:${s.query}` : `reach:${s.top_fraction}`;
}

export async function runGates(
  workspace: Workspace,
  registry: ModelRegistry,
  input: GateRunInput,
  ctx: JobContext,
): Promise<GateReport> {
  const file = loadGates(workspace, input.gates);
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
      for (const version of [input.candidate, baseline].filter((v): v is string => v !== null)) {
        const scored = (
          await conn.runAndReadAll(
            'SELECT count(*) FROM model_scores WHERE model = $model AND model_version = $version',
            { model: input.model, version },
          )
        ).getRowsJson()[0]?.[0];
        if (Number(scored) === 0)
          throw new SiftError({
            code: 'NOT_FOUND',
            message: `${version === input.candidate ? 'candidate' : 'baseline'}: ${input.model} ${version} has no scores in model_scores.`,
          });
      }
      const pairs = baseline
        ? { ...scan, params: { ...scan.params, other_model: input.model, other_version: baseline } }
        : scan;
      ctx.progress(null, 'Reading both versions’ scores on the labelled items');
      const read = await readAlignedPairs(conn, pairs, baseline !== null);
      const categories = [...new Set([...read.aligned.keys(), ...named])].sort();
      const counts = new Map<string, Map<string, Map<string | null, FalsePositiveCounts>>>();
      for (const [key, { scope }] of fprScopes(file, categories))
        counts.set(key, await falsePositiveCounts(conn, pairs, baseline !== null, escalate, scope));
      return { ...read, categories, counts };
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
  const gates = value.categories.flatMap((category) => {
    const own = gatesForCategory(file, category);
    const falsePositives: CategoryEvidence['falsePositives'] = {};
    for (const gate of ['slice', 'golden_safe', 'high_reach'] as const) {
      const spec = own[gate];
      if (spec) falsePositives[gate] = value.counts.get(scopeKey(gate, spec))?.get(category) ?? new Map();
    }
    return judgeCategory(
      {
        category,
        pairs: value.aligned.get(category) ?? null,
        escalate: { candidate: escalate.candidate(category), baseline: escalate.baseline(category) },
        hasBaseline: baseline !== null,
        falsePositives,
        seed,
      },
      own,
    ).concat(own.robustness && robustness ? [judgeRobustness(category, own.robustness, robustness)] : []);
  });
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
  };
}
