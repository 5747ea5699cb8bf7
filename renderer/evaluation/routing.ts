/** Live threshold routing from the host's 0.001 score grid: no round trip while a threshold is dragged. */
export interface Routing {
  removed: number;
  escalated: number;
  passed: number;
  removePrecision: number | null;
  removeRecall: number | null;
  /** Positives that were auto-passed: what the model lets through without a person seeing it. */
  missed: number;
}

export function routeGrid(grid: { positive: number[]; negative: number[] }, remove: number, escalate: number, critical: boolean): Routing {
  const cells = grid.positive.length;
  const cell = (threshold: number) => Math.min(cells, Math.max(0, Math.round(threshold * cells)));
  const removeFrom = critical ? cells : cell(remove); // a critical category is never removed automatically
  const escalateFrom = Math.min(cell(escalate), removeFrom);
  let removedPos = 0;
  let removedNeg = 0;
  let escalated = 0;
  let passed = 0;
  let missed = 0;
  let positives = 0;
  for (let k = 0; k < cells; k++) {
    const pos = grid.positive[k]!;
    const neg = grid.negative[k]!;
    positives += pos;
    if (k >= removeFrom) {
      removedPos += pos;
      removedNeg += neg;
    } else if (k >= escalateFrom) escalated += pos + neg;
    else {
      passed += pos + neg;
      missed += pos;
    }
  }
  const removed = removedPos + removedNeg;
  return { removed, escalated, passed, removePrecision: removed ? removedPos / removed : null, removeRecall: positives ? removedPos / positives : null, missed };
}
