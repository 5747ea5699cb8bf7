/**
 * `sift eval --json`: every figure the Evaluate view shows, in the snake_case keys scripts read. The keys it had
 * before issue 25 (n … bins per category, model, version, labels, bins, strategy, tied_items) keep their meaning;
 * the rest were added after them: per category the thresholds, operating points, threshold routing, the score
 * distribution, the slices with their Wilson intervals and the high-reach FPR; and the release metrics. The PR curve
 * the view draws is left out (400 points a category): its figures are the AP and the operating points.
 */
import type { CategoryEvaluation, EvaluationResult, ReleaseMetrics } from '../../shared/contract.js';
import { routeGrid } from '../../shared/routing.js';
import type { Rate } from '../../shared/slices.js';

const rate = (r: Rate) => ({ value: r.value, interval: r.interval, n: r.n });

function categoryFigures(c: CategoryEvaluation, metrics: ReleaseMetrics | null) {
  const { operating: o } = c;
  const routing = routeGrid(c.grid, c.thresholds.remove, c.thresholds.escalate, c.critical);
  const highReach = metrics?.highReach?.categories.find((h) => h.category === c.category);
  return {
    critical: c.critical,
    thresholds: c.thresholds,
    operating_points: {
      recall_at_precision_90: o.recallAtPrecision90,
      recall_at_precision_95: o.recallAtPrecision95,
      precision_at_recall_80: o.precisionAtRecall80,
      precision_at_recall_90: o.precisionAtRecall90,
    },
    routing: {
      removed: routing.removed,
      escalated: routing.escalated,
      passed: routing.passed,
      remove_precision: routing.removePrecision,
      remove_recall: routing.removeRecall,
      missed_positives: routing.missed,
    },
    histogram: c.histogram,
    slices: {
      threshold: c.sliceBaseline.threshold,
      min_n: c.sliceBaseline.minN,
      overall: { recall: rate(c.sliceBaseline.recall), fpr: rate(c.sliceBaseline.fpr) },
      rows: c.slices.map((s) => ({
        dimension: s.dimension,
        value: s.value,
        n: s.n,
        positives: s.positives,
        recall: rate(s.recall),
        fpr: rate(s.fpr),
        precision: s.precision,
        recall_gap: s.recallGap,
        fpr_gap: s.fprGap,
        flagged: s.flagged,
      })),
    },
    ...(highReach ? { high_reach_fpr: { escalate: highReach.escalate, ...rate(highReach.fpr) } } : {}),
  };
}

/** The release metrics' keys (null where the workspace lacks the table a metric reads). */
function releaseFigures(m: ReleaseMetrics) {
  return {
    overturn_rate: m.overturn && {
      flagged: m.overturn.flagged,
      reversed: m.overturn.reversed,
      ...rate(m.overturn.rate),
    },
    time_to_removal: m.timeToRemoval && {
      removals: m.timeToRemoval.removals,
      p50_seconds: m.timeToRemoval.p50Seconds,
      p95_seconds: m.timeToRemoval.p95Seconds,
    },
    queue_depth: m.queueDepth && {
      bucket: m.queueDepth.bucket,
      peak: m.queueDepth.peak,
      last: m.queueDepth.last,
      points: m.queueDepth.points,
    },
    high_reach: m.highReach && { fraction: m.highReach.fraction, min_views_24h: m.highReach.cutoff },
    appeals: m.appeals && {
      appeals: m.appeals.appeals,
      decided: m.appeals.decided,
      overturned: m.appeals.overturned,
      appeal_rate: rate(m.appeals.appealRate),
      overturned_share: rate(m.appeals.overturnedShare),
    },
  };
}

export function evalJson(
  result: EvaluationResult,
  metrics: ReleaseMetrics,
  bins: number,
  strategy: 'uniform' | 'quantile',
  /** Keys other features add after tied_items (drift), in their order. */
  others: Record<string, unknown>,
): unknown {
  const categories = Object.fromEntries(
    result.categories.map((c) => [
      c.category,
      {
        n: c.n,
        positives: c.positives,
        average_precision: c.averagePrecision,
        roc_auc: c.rocAuc,
        brier: c.brier,
        ece: c.ece,
        mce: c.mce,
        tied: result.tied.byCategory[c.category] ?? 0,
        bins: c.reliability[strategy].map((bin) => ({
          mean_predicted: bin.meanPredicted,
          fraction_positive: bin.fractionPositive,
          count: bin.count,
        })),
        ...categoryFigures(c, metrics),
      },
    ]),
  );
  return {
    model: result.model,
    version: result.version,
    labels: result.labelSource,
    bins,
    strategy,
    categories,
    tied_items: result.tied.items,
    ...others,
    release_metrics: releaseFigures(metrics),
  };
}
