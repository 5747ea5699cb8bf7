/**
 * Scored, labelled items grouped by distinct score: the one shape every evaluation figure is computed from.
 * The evaluation builds it from the pairs DuckDB lists (two typed arrays, never objects), the per-item functions of
 * calibration.ts and rankingMetrics.ts from their arrays: the same radix sort and pass either way. Ties sit
 * together by construction, which is how scikit-learn treats them in its curves and its isotonic fit.
 */

export interface ScoreCounts {
  /** Distinct scores, ascending. */
  scores: Float64Array;
  /** Per distinct score: how many items are positive (the sum of their labels) and how many negative. */
  positives: Float64Array;
  negatives: Float64Array;
}

/** Groups weighted points by value: any order in, ascending distinct values out, weights summed per value. */
export function groupScores(
  values: ArrayLike<number>,
  positives: ArrayLike<number>,
  negatives: ArrayLike<number>,
): ScoreCounts {
  const n = values.length;
  const order = ascendingOrder(Float64Array.from(values));
  const scores: number[] = [];
  const pos: number[] = [];
  const neg: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const last = scores.length - 1;
    if (last >= 0 && scores[last] === values[i]) {
      pos[last]! += positives[i]!;
      neg[last]! += negatives[i]!;
    } else {
      scores.push(values[i]!);
      pos.push(positives[i]!);
      neg.push(negatives[i]!);
    }
  }
  return { scores: Float64Array.from(scores), positives: Float64Array.from(pos), negatives: Float64Array.from(neg) };
}

/** Items (a 0/1 label and a score each) grouped by distinct score. */
export function countScores(yTrue: ArrayLike<number>, scores: ArrayLike<number>): ScoreCounts {
  const labels = new Uint32Array(scores.length);
  for (let i = 0; i < labels.length; i++) labels[i] = yTrue[i]! > 0 ? 1 : 0;
  return countLabelled(Float64Array.from(scores), labels);
}

/**
 * Items grouped by distinct score, from a score and a label (0 or 1) per item: one radix sort that carries the labels,
 * then one sequential pass. The evaluation's path for a million pairs read from DuckDB and the per-item functions'
 * path alike, so the golden tests against scikit-learn cover it.
 */
export function countLabelled(scores: Float64Array, labels: Uint32Array): ScoreCounts {
  const n = scores.length;
  const sorted = radixSort(scores, labels);
  // Sized exactly (a first pass counts the distinct scores): no n-long buffers to fault in and copy out.
  let size = 0;
  for (let k = 0; k < n; k++) if (k === 0 || sorted.values[k] !== sorted.values[k - 1]) size++;
  const distinct = new Float64Array(size);
  const positives = new Float64Array(size);
  const negatives = new Float64Array(size);
  let d = -1;
  for (let k = 0; k < n; k++) {
    const score = sorted.values[k]!;
    if (d < 0 || distinct[d] !== score) distinct[++d] = score;
    if (sorted.payload[k] === 1) positives[d]!++;
    else negatives[d]!++;
  }
  return { scores: distinct, positives, negatives };
}

export function totals(counts: ScoreCounts): { n: number; positives: number; negatives: number } {
  let positives = 0;
  let negatives = 0;
  for (let k = 0; k < counts.scores.length; k++) {
    positives += counts.positives[k]!;
    negatives += counts.negatives[k]!;
  }
  return { n: positives + negatives, positives, negatives };
}

/** The value at 0-based rank `rank` among all items in ascending order (ranks count every item, not distinct scores). */
export function scoreAtRank(counts: ScoreCounts, cumulative: Float64Array, rank: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > rank) hi = mid;
    else lo = mid + 1;
  }
  return counts.scores[lo]!;
}

/** Items at or below each distinct score, ascending. */
export function cumulativeCounts(counts: ScoreCounts): Float64Array {
  const cumulative = new Float64Array(counts.scores.length);
  let running = 0;
  for (let k = 0; k < counts.scores.length; k++) {
    running += counts.positives[k]! + counts.negatives[k]!;
    cumulative[k] = running;
  }
  return cumulative;
}

/** The permutation that sorts `values` ascending (a radix sort carrying each value's index). */
export function ascendingOrder(values: Float64Array): Uint32Array {
  const index = new Uint32Array(values.length);
  for (let i = 0; i < index.length; i++) index[i] = i;
  return radixSort(values, index).payload;
}

/**
 * `values` sorted ascending, each carrying its payload: an LSD radix sort on the IEEE-754 bits, 16 bits a pass, with
 * the bits transformed so unsigned order is numeric order. The keys move with the payload (sequential reads, no
 * indirection), and a pass whose digit is the same for every value is skipped — scores in [0, 1] from a float32 model
 * output need three passes. For a million scores this takes tens of milliseconds. One payload type keeps the
 * loops monomorphic.
 */
export function radixSort(values: Float64Array, payload: Uint32Array): { values: Float64Array; payload: Uint32Array } {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2); // little-endian: [low, high] per value
  let high = new Uint32Array(n);
  let low = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1]!;
    const l = words[2 * i]!;
    // Negative numbers: flip every bit; others: flip the sign bit.
    if (h & 0x80000000) {
      high[i] = ~h >>> 0;
      low[i] = ~l >>> 0;
    } else {
      high[i] = (h | 0x80000000) >>> 0;
      low[i] = l;
    }
  }
  let carried = payload.slice();
  let scratchHigh = new Uint32Array(n);
  let scratchLow = new Uint32Array(n);
  let scratchCarried = new Uint32Array(n);
  const counts = new Uint32Array(65536);
  for (const [onHigh, shift] of [
    [false, 0],
    [false, 16],
    [true, 0],
    [true, 16],
  ] as const) {
    const word = onHigh ? high : low;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(word[i]! >>> shift) & 0xffff]!++;
    if (n === 0 || counts[(word[0]! >>> shift) & 0xffff] === n) continue; // one digit for all: already in order
    let total = 0;
    for (let b = 0; b < 65536; b++) {
      const count = counts[b]!;
      counts[b] = total;
      total += count;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(word[i]! >>> shift) & 0xffff]!++;
      scratchHigh[at] = high[i]!;
      scratchLow[at] = low[i]!;
      scratchCarried[at] = carried[i]!;
    }
    [high, scratchHigh] = [scratchHigh, high];
    [low, scratchLow] = [scratchLow, low];
    [carried, scratchCarried] = [scratchCarried, carried];
  }
  // Back from the transformed bits to the doubles.
  const sorted = new Float64Array(n);
  const out = new Uint32Array(sorted.buffer);
  for (let i = 0; i < n; i++) {
    const h = high[i]!;
    if (h & 0x80000000) {
      out[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      out[2 * i] = low[i]!;
    } else {
      out[2 * i + 1] = ~h >>> 0;
      out[2 * i] = ~low[i]! >>> 0;
    }
  }
  return { values: sorted, payload: carried };
}
