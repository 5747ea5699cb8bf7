/**
 * Scored, labelled items grouped by distinct score: the one shape every evaluation figure is computed from.
 * DuckDB produces it with a GROUP BY (so a million items cross to JavaScript as their distinct scores, never as
 * objects); the per-item functions of calibration.ts and rankingMetrics.ts build it with one sort. Ties sit
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
export function groupScores(values: ArrayLike<number>, positives: ArrayLike<number>, negatives: ArrayLike<number>): ScoreCounts {
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
  const n = scores.length;
  const positives = new Float64Array(n);
  const negatives = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const positive = yTrue[i]! > 0 ? 1 : 0;
    positives[i] = positive;
    negatives[i] = 1 - positive;
  }
  return groupScores(scores, positives, negatives);
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

/**
 * Distinct scores in any order (as DuckDB's hash aggregate returns them) put in ascending order, their counts
 * carried along. Sorting here, in a pool worker, is cheaper than asking DuckDB for a sorted result.
 */
export function sortByScore(counts: ScoreCounts): ScoreCounts {
  const { scores } = counts;
  const d = scores.length;
  let ascending = true;
  for (let k = 1; k < d && ascending; k++) ascending = scores[k - 1]! < scores[k]!;
  if (ascending) return counts;
  const order = ascendingOrder(scores);
  const permute = (values: Float64Array) => {
    const out = new Float64Array(d);
    for (let k = 0; k < d; k++) out[k] = values[order[k]!]!;
    return out;
  };
  const sorted = { scores: permute(scores), positives: permute(counts.positives), negatives: permute(counts.negatives) };
  // Equal scores would have been one group; merge them if a caller passed duplicates.
  for (let k = 1; k < d; k++) if (sorted.scores[k - 1] === sorted.scores[k]) return groupScores(sorted.scores, sorted.positives, sorted.negatives);
  return sorted;
}

/**
 * The permutation that sorts `values` ascending: an LSD radix sort on the IEEE-754 bits (16 bits a pass, four
 * passes), with the bits transformed so unsigned order is numeric order. For a million distinct scores this takes
 * tens of milliseconds where a comparator sort of indices takes about a second.
 */
export function ascendingOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2); // little-endian: [low, high] per value
  const high = new Uint32Array(n);
  const low = new Uint32Array(n);
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
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let scratch = new Uint32Array(n);
  const counts = new Uint32Array(65536);
  for (const [word, shift] of [[low, 0], [low, 16], [high, 0], [high, 16]] as const) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(word[order[i]!]! >>> shift) & 0xffff]!++;
    let total = 0;
    for (let b = 0; b < 65536; b++) {
      const count = counts[b]!;
      counts[b] = total;
      total += count;
    }
    for (let i = 0; i < n; i++) {
      const index = order[i]!;
      scratch[counts[(word[index]! >>> shift) & 0xffff]!++] = index;
    }
    [order, scratch] = [scratch, order];
  }
  return order;
}
