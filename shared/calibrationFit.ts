/**
 * Fitting calibration as scikit-learn's CalibratedClassifierCV does: Platt scaling (`_sigmoid_calibration`: a
 * sigmoid 1 / (1 + exp(A·f + B)) on the uncalibrated score f, fitted to Platt's smoothed targets) and isotonic
 * regression (pool-adjacent-violators on tied-score means, predicted by linear interpolation, clipped at the ends).
 */

/** Platt's fit. scikit-learn minimises with BFGS from the same start; this uses Newton's method on the same convex loss. */
export function fitPlatt(f: ArrayLike<number>, y: ArrayLike<number>): { a: number; b: number } {
  const n = f.length;
  let prior1 = 0;
  for (let i = 0; i < n; i++) if (y[i]! > 0) prior1++;
  const prior0 = n - prior1;
  const hi = (prior1 + 1) / (prior1 + 2);
  const lo = 1 / (prior0 + 2);
  const target = (i: number) => (y[i]! > 0 ? hi : lo);
  let a = 0;
  let b = Math.log((prior0 + 1) / (prior1 + 1));
  const loss = (A: number, B: number) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const z = A * f[i]! + B; // p = 1/(1+e^z); −[t·log p + (1−t)·log(1−p)], computed stably
      const t = target(i);
      total += z >= 0 ? t * z + Math.log1p(Math.exp(-z)) : (t - 1) * z + Math.log1p(Math.exp(z));
    }
    return total;
  };
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(a * f[i]! + b));
      const d = target(i) - p; // ∂loss/∂z
      gA += d * f[i]!;
      gB += d;
      const w = p * (1 - p);
      hAA += w * f[i]! * f[i]!;
      hAB += w * f[i]!;
      hBB += w;
    }
    const det = hAA * hBB - hAB * hAB;
    let stepA = (hBB * gA - hAB * gB) / det;
    let stepB = (hAA * gB - hAB * gA) / det;
    // Backtracking keeps every step downhill.
    let scale = 1;
    let next = loss(a - stepA, b - stepB);
    while (next > current && scale > 1e-10) {
      scale /= 2;
      next = loss(a - stepA * scale, b - stepB * scale);
    }
    stepA *= scale;
    stepB *= scale;
    a -= stepA;
    b -= stepB;
    const improved = current - next;
    current = next;
    if (Math.abs(stepA) < 1e-12 && Math.abs(stepB) < 1e-12) break;
    if (improved >= 0 && improved < 1e-14 * Math.max(1, Math.abs(current))) break;
  }
  return { a, b };
}

export function plattPredict(params: { a: number; b: number }, f: number): number {
  return 1 / (1 + Math.exp(params.a * f + params.b));
}

/** Fitted isotonic (increasing) regression: points to interpolate between. */
export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>): { x: number[]; y: number[] } {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((i, j) => x[i]! - x[j]!);
  // Tied x values become one point with their mean y and their total weight.
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  for (const i of order) {
    const last = ux.length - 1;
    if (last >= 0 && ux[last] === x[i]) {
      uy[last] = (uy[last]! * uw[last]! + y[i]!) / (uw[last]! + 1);
      uw[last]!++;
    } else {
      ux.push(x[i]!);
      uy.push(y[i]!);
      uw.push(1);
    }
  }
  // Pool adjacent violators.
  const blocks: { value: number; weight: number; count: number }[] = [];
  for (let k = 0; k < ux.length; k++) {
    blocks.push({ value: uy[k]!, weight: uw[k]!, count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.value > blocks[blocks.length - 1]!.value) {
      const top = blocks.pop()!;
      const below = blocks[blocks.length - 1]!;
      below.value = (below.value * below.weight + top.value * top.weight) / (below.weight + top.weight);
      below.weight += top.weight;
      below.count += top.count;
    }
  }
  const fitted: number[] = [];
  for (const block of blocks) for (let c = 0; c < block.count; c++) fitted.push(block.value);
  return { x: ux, y: fitted };
}

export function isotonicPredict(model: { x: number[]; y: number[] }, value: number): number {
  const { x, y } = model;
  if (x.length === 0) return value;
  if (value <= x[0]!) return y[0]!;
  if (value >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= value) lo = mid;
    else hi = mid;
  }
  const span = x[hi]! - x[lo]!;
  return span === 0 ? y[hi]! : y[lo]! + ((value - x[lo]!) / span) * (y[hi]! - y[lo]!);
}
