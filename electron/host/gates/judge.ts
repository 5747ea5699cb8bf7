/**
 * Judging one category's gates from what a gate run read: the aligned labelled items of both versions and the false
 * positive counts of the FPR gates (robustness and latency are judged by shared/robustness.ts from a robustness run).
 * Pure: no DuckDB, no clock, so every rule here is tested with values handed in. Definitions: shared/gates.ts and docs/release-gates.md.
 */
import { DEFAULT_BINS, expectedCalibrationErrorOf } from '../../../shared/calibration.js';
import { binCounts, edgesFromPositions, psiFromCounts } from '../../../shared/drift.js';
import {
  BOOTSTRAP_RESAMPLES,
  type CategoryGates,
  DEFAULT_MIN_N,
  type GateName,
  type GateResult,
  type GateSpec,
  meetsTarget,
} from '../../../shared/gates.js';
import { bootstrapInterval, cellPrecision, cellRecall, flagCells } from '../../../shared/pairedBootstrap.js';
import { precisionAtRecall, precisionRecallCurveOf, recallAtPrecision } from '../../../shared/rankingMetrics.js';
import { countLabelled, cumulativeCounts, type ScoreCounts, scoreAtRank } from '../../../shared/scoreCounts.js';
import { wilsonInterval } from '../../../shared/slices.js';
import type { AlignedPairs, FalsePositiveCounts } from './gatePairs.js';

/**
 * Everything one category's gates are judged from. Absent pieces were not asked for (or could not be measured). */
export interface CategoryEvidence {
  category: string;
  pairs: AlignedPairs | null;
  /** Each version's escalate threshold for this category: where it flags an item. */
  escalate: { candidate: number; baseline: number };
  hasBaseline: boolean;
  falsePositives: Partial<Record<'slice' | 'golden_safe' | 'high_reach', Map<string | null, FalsePositiveCounts>>>;
  seed: number;
}

type Verdict = Omit<GateResult, 'category' | 'gate' | 'target' | 'optional'>;

const notApplicable = (reason: string): Verdict => ({
  candidate: null,
  baseline: null,
  passed: true,
  n: 0,
  interval: null,
  status: 'not applicable',
  reason,
});

/** The gates judged here; robustness and latency come from the robustness run (shared/robustness.ts). */
export type CategoryGateName = Exclude<GateName, 'robustness' | 'latency_p99_ms'>;

/** The limit a gate's result reports as its target. */
function targetOf(name: GateName, spec: GateSpec): number {
  const s = spec as Record<string, unknown>;
  if (name === 'recall_at_precision') return s.min_recall as number;
  if (name === 'precision_at_recall') return s.min_precision as number;
  if (name === 'slice') return s.max_fpr_gap as number;
  if (name === 'golden_safe' || name === 'high_reach') return s.max_fpr as number;
  return s.max as number;
}

/** Each version's items grouped by distinct score, computed once per category however many gates read them. */
class Counted {
  private cache = new Map<'candidate' | 'baseline', ScoreCounts>();
  constructor(private readonly pairs: AlignedPairs) {}
  of(version: 'candidate' | 'baseline'): ScoreCounts {
    let counts = this.cache.get(version);
    if (!counts) {
      const labels = Uint32Array.from(this.pairs.labels);
      counts = countLabelled(version === 'candidate' ? this.pairs.candidate : this.pairs.baseline!, labels);
      this.cache.set(version, counts);
    }
    return counts;
  }
}

export function judgeCategory(evidence: CategoryEvidence, gates: CategoryGates): GateResult[] {
  const { pairs, hasBaseline } = evidence;
  const positives = pairs ? pairs.labels.reduce((sum, y) => sum + y, 0) : 0;
  const counted = pairs ? new Counted(pairs) : null;
  const cells =
    pairs && pairs.baseline
      ? flagCells(
          pairs.labels,
          pairs.candidate,
          pairs.baseline,
          evidence.escalate.candidate,
          evidence.escalate.baseline,
        )
      : null;
  const results: GateResult[] = [];
  const names = (Object.keys(gates) as GateName[]).filter(
    (name): name is CategoryGateName => name !== 'robustness' && name !== 'latency_p99_ms',
  );
  for (const name of names) {
    const spec = gates[name] as GateSpec;
    const target = targetOf(name, spec);
    const minN = spec.min_n ?? DEFAULT_MIN_N;
    const verdict = ((): Verdict => {
      if ((name === 'max_recall_drop' || name === 'max_precision_drop' || name === 'max_psi') && !hasBaseline)
        return notApplicable('no baseline version to compare with');
      if (name === 'slice' || name === 'golden_safe' || name === 'high_reach')
        return falsePositiveVerdict(name, evidence, spec, target, minN);
      if (name === 'max_psi') return psiVerdict(evidence, counted, target, minN);
      // The rest rest on labelled positives.
      const partial = { candidate: null, baseline: null, n: positives, interval: null };
      if (!pairs || positives < minN)
        return insufficient(partial, `${positives} labelled positives, fewer than ${minN}`);
      if (name === 'recall_at_precision' || name === 'precision_at_recall') {
        const at = (version: 'candidate' | 'baseline') => {
          const curve = precisionRecallCurveOf(counted!.of(version));
          const s = spec as GateSpec<'recall_at_precision'> & GateSpec<'precision_at_recall'>;
          return name === 'recall_at_precision'
            ? recallAtPrecision(curve, s.precision).recall
            : precisionAtRecall(curve, s.recall).precision;
        };
        const candidate = at('candidate');
        return {
          ...partial,
          candidate,
          baseline: hasBaseline ? at('baseline') : null,
          passed: meetsTarget(candidate, target, true),
        };
      }
      if (name === 'max_ece') {
        const ece = (version: 'candidate' | 'baseline') =>
          expectedCalibrationErrorOf(counted!.of(version), DEFAULT_BINS);
        const candidate = ece('candidate');
        return {
          ...partial,
          candidate,
          baseline: hasBaseline ? ece('baseline') : null,
          passed: meetsTarget(candidate, target, false),
        };
      }
      // A drop: candidate − baseline at each version's own escalate threshold, with its paired bootstrap interval.
      const figure = name === 'max_recall_drop' ? cellRecall : cellPrecision;
      const candidate = figure(cells!, 'candidate');
      const baseline = figure(cells!, 'baseline');
      if (candidate === null || baseline === null)
        return insufficient(partial, 'one of the versions flags no item, so it has no precision');
      const difference = (drawn: Float64Array) => {
        const c = figure(drawn, 'candidate');
        const b = figure(drawn, 'baseline');
        return c === null || b === null ? null : c - b;
      };
      const interval = bootstrapInterval(cells!, difference, BOOTSTRAP_RESAMPLES, evidence.seed);
      const passed = meetsTarget(candidate - baseline, -target, true, interval, spec.use_interval);
      return { ...partial, candidate, baseline, interval, passed };
    })();
    const result: GateResult = { category: evidence.category, gate: name, target, ...verdict };
    if (spec.optional) result.optional = true;
    if (verdict.status === 'insufficient data') result.passed = spec.optional;
    if (!result.passed && !result.reason) result.reason = failure(name, result);
    results.push(result);
  }
  return results;
}

const insufficient = (partial: Omit<Verdict, 'passed'>, reason: string): Verdict => ({
  ...partial,
  passed: false,
  status: 'insufficient data',
  reason,
});

const fmt = (value: number | null) => (value === null ? '—' : String(Number(value.toFixed(4))));

function failure(name: GateName, r: GateResult): string {
  if (name === 'max_recall_drop' || name === 'max_precision_drop')
    return `${name === 'max_recall_drop' ? 'recall' : 'precision'} fell from ${fmt(r.baseline)} to ${fmt(r.candidate)}, more than ${fmt(r.target)}`;
  if (name === 'recall_at_precision' || name === 'precision_at_recall')
    return `${fmt(r.candidate)} is below the ${fmt(r.target)} required`;
  return `${fmt(r.candidate)} is above the ${fmt(r.target)} allowed`;
}

function falsePositiveVerdict(
  name: 'slice' | 'golden_safe' | 'high_reach',
  evidence: CategoryEvidence,
  spec: GateSpec,
  target: number,
  minN: number,
): Verdict {
  const counts = evidence.falsePositives[name] ?? new Map<string | null, FalsePositiveCounts>();
  const baselineOf = (value: number | null) => (evidence.hasBaseline ? value : null);
  if (name !== 'slice') {
    const all = counts.get(null) ?? { negatives: 0, candidate: 0, baseline: 0 };
    const what = name === 'golden_safe' ? 'golden items' : 'labelled negatives in the top reach';
    const partial = { candidate: null, baseline: null, n: all.negatives, interval: null };
    if (all.negatives < minN) return insufficient(partial, `${all.negatives} ${what}, fewer than ${minN}`);
    const candidate = all.candidate / all.negatives;
    const interval = spec.use_interval ? wilsonInterval(all.candidate, all.negatives) : null;
    return {
      ...partial,
      candidate,
      baseline: baselineOf(all.baseline / all.negatives),
      interval,
      passed: meetsTarget(candidate, target, false, interval, spec.use_interval),
    };
  }
  // Slices with fewer than min_n negatives are left out: a gap needs two slices that can carry a rate.
  const kept = [...counts.entries()].filter(([, c]) => c.negatives >= minN);
  const n = kept.reduce((sum, [, c]) => sum + c.negatives, 0);
  const partial = { candidate: null, baseline: null, n, interval: null };
  if (kept.length < 2)
    return insufficient(partial, `${kept.length} slices with at least ${minN} negatives; a gap needs 2`);
  const gap = (version: 'candidate' | 'baseline') => {
    const rates = kept.map(([value, c]) => [value, c[version] / c.negatives] as const).sort((a, b) => a[1] - b[1]);
    return { gap: rates.at(-1)![1] - rates[0]![1], lowest: rates[0]!, highest: rates.at(-1)! };
  };
  const candidate = gap('candidate');
  const passed = meetsTarget(candidate.gap, target, false);
  return {
    ...partial,
    candidate: candidate.gap,
    baseline: baselineOf(gap('baseline').gap),
    passed,
    ...(passed
      ? {}
      : {
          reason: `FPR ${fmt(candidate.highest[1])} on ${candidate.highest[0]} vs ${fmt(candidate.lowest[1])} on ${candidate.lowest[0]}: a gap above the ${fmt(target)} allowed`,
        }),
  };
}

/**
 * PSI of the candidate's scores against the baseline's (the reference) on the judged items, by shared/drift.ts's one
 * definition (categoryDrift): the reference deciles read off the baseline's scores grouped by distinct score (already
 * sorted for the other gates), rather than sorting them again.
 */
function psiVerdict(evidence: CategoryEvidence, counted: Counted | null, target: number, minN: number): Verdict {
  const { pairs } = evidence;
  let psi: number | null = null;
  if (pairs?.baseline && counted && pairs.baseline.length > 0) {
    const reference = counted.of('baseline');
    const cumulative = cumulativeCounts(reference);
    const edges = edgesFromPositions(pairs.baseline.length, (position) => scoreAtRank(reference, cumulative, position));
    psi = psiFromCounts(binCounts(edges, pairs.baseline), binCounts(edges, pairs.candidate));
  }
  const n = pairs?.candidate.length ?? 0;
  const partial = { candidate: psi, baseline: null, n, interval: null };
  if (psi === null || n < minN) return insufficient(partial, `${n} scores, fewer than ${minN}`);
  return { ...partial, passed: meetsTarget(psi, target, false) };
}
