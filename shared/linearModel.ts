/**
 * Logistic regression over hashed sparse features (plus optional dense features), trained with AdaGrad in a
 * seeded order, so the same data gives the same weights on every machine. Sigmoid per output (multi-label:
 * the policy categories) or softmax across outputs (one class per item, as in Davidson et al.).
 */
import { type HashedNgramsConfig, sparseFeatures } from './hashedNgrams.js';
import { Random } from './random.js';

export interface Example {
  sparse: Map<number, number>;
  dense?: number[];
  /** One value per output: 0/1 targets (sigmoid), or a one-hot row (softmax). */
  targets: number[];
}

export interface TrainOptions {
  buckets: number;
  outputs: number;
  denseSize?: number;
  loss: 'sigmoid' | 'softmax';
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
  /** Per-output weight on the positive (sigmoid) or on the class (softmax). */
  classWeights?: number[];
}

export interface LinearModel {
  buckets: number;
  outputs: number;
  denseSize: number;
  loss: 'sigmoid' | 'softmax';
  /** [buckets, outputs], row-major, as the ONNX Gather table. */
  sparseWeights: Float32Array;
  /** [denseSize, outputs]. */
  denseWeights: Float32Array;
  bias: Float32Array;
}

export function logits(model: LinearModel, example: Pick<Example, 'sparse' | 'dense'>): number[] {
  const out = Array.from(model.bias);
  for (const [bucket, value] of example.sparse)
    for (let k = 0; k < model.outputs; k++) out[k]! += model.sparseWeights[bucket * model.outputs + k]! * value;
  example.dense?.forEach((value, d) => {
    for (let k = 0; k < model.outputs; k++) out[k]! += model.denseWeights[d * model.outputs + k]! * value;
  });
  return out;
}

export function probabilities(model: LinearModel, example: Pick<Example, 'sparse' | 'dense'>): number[] {
  const z = logits(model, example);
  if (model.loss === 'sigmoid') return z.map((v) => 1 / (1 + Math.exp(-v)));
  const max = Math.max(...z);
  const exps = z.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

export function train(examples: Example[], options: TrainOptions): LinearModel {
  const { buckets, outputs, loss } = options;
  const denseSize = options.denseSize ?? 0;
  const epochs = options.epochs ?? 8;
  const rate = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-6;
  const model: LinearModel = {
    buckets,
    outputs,
    denseSize,
    loss,
    sparseWeights: new Float32Array(buckets * outputs),
    denseWeights: new Float32Array(denseSize * outputs),
    bias: new Float32Array(outputs),
  };
  // AdaGrad accumulators; the small start value keeps the first steps bounded.
  const sparseAcc = new Float32Array(buckets * outputs).fill(1e-2);
  const denseAcc = new Float32Array(denseSize * outputs).fill(1e-2);
  const biasAcc = new Float32Array(outputs).fill(1e-2);
  const rng = new Random(options.seed ?? 1);
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) {
      const example = examples[index]!;
      const p = probabilities(model, example);
      const gradients = p.map((pk, k) => {
        const target = example.targets[k]!;
        const weight = options.classWeights
          ? loss === 'softmax'
            ? options.classWeights[example.targets.indexOf(1)]!
            : target === 1
              ? options.classWeights[k]!
              : 1
          : 1;
        return (pk - target) * weight;
      });
      for (let k = 0; k < outputs; k++) {
        const g = gradients[k]!;
        if (g === 0) continue;
        biasAcc[k]! += g * g;
        model.bias[k]! -= (rate * g) / Math.sqrt(biasAcc[k]!);
        for (const [bucket, value] of example.sparse) {
          const at = bucket * outputs + k;
          const grad = g * value + l2 * model.sparseWeights[at]!;
          sparseAcc[at]! += grad * grad;
          model.sparseWeights[at]! -= (rate * grad) / Math.sqrt(sparseAcc[at]!);
        }
        example.dense?.forEach((value, d) => {
          const at = d * outputs + k;
          const grad = g * value + l2 * model.denseWeights[at]!;
          denseAcc[at]! += grad * grad;
          model.denseWeights[at]! -= (rate * grad) / Math.sqrt(denseAcc[at]!);
        });
      }
    }
  }
  return model;
}

/**
 * The distilled text classifier's recipe: hashed n-gram features of each text, then a sigmoid per output trained as
 * above. `targets` is [texts, outputs] row-major, 0/1. What the demo build does, and what the labeling loop reruns
 * on the labels so far (in a worker: texts in, weights out).
 */
export function trainHashedText(
  texts: string[],
  targets: Uint8Array,
  config: HashedNgramsConfig,
  options: Omit<TrainOptions, 'buckets' | 'loss' | 'denseSize'>,
): { sparseWeights: Float32Array; bias: Float32Array } {
  const examples: Example[] = texts.map((text, i) => ({
    sparse: sparseFeatures(text, config),
    targets: Array.from(targets.subarray(i * options.outputs, (i + 1) * options.outputs)),
  }));
  const model = train(examples, { ...options, buckets: config.buckets, loss: 'sigmoid' });
  return { sparseWeights: model.sparseWeights, bias: model.bias };
}

/** Sparse rows in one block (CSR): row i's features are `indices`/`values` from `offsets[i]` to `offsets[i + 1]`. */
export interface SparseRows {
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

export function toSparseRows(rows: Map<number, number>[]): SparseRows {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, i) => (offsets[i + 1] = offsets[i]! + row.size));
  const indices = new Int32Array(offsets[rows.length]!);
  const values = new Float32Array(offsets[rows.length]!);
  rows.forEach((row, i) => {
    let at = offsets[i]!;
    for (const [index, value] of row) {
      indices[at] = index;
      values[at++] = value;
    }
  });
  return { offsets, indices, values };
}

export interface OneVsRestOptions {
  features: number;
  /** Inverse regularisation strength, as scikit-learn's C: the loss is C · Σ weighted log-loss + ½‖w‖². */
  c?: number;
  /** Weights positives and negatives of each output so both count equally, as class_weight="balanced". */
  balanced?: boolean;
  maxIterations?: number;
}

/**
 * Logistic regression, one binary problem per output (one-vs-rest), fitted to convergence with L-BFGS on the full
 * data, as scikit-learn's LogisticRegression(solver="lbfgs") does: deterministic, and class weights act exactly
 * (a stochastic method with per-feature step sizes, like AdaGrad, largely undoes them).
 */
export function trainOneVsRest(
  rows: SparseRows,
  targets: Uint8Array,
  outputs: number,
  options: OneVsRestOptions,
): LinearModel {
  const n = rows.offsets.length - 1;
  const d = options.features;
  const c = options.c ?? 1;
  const model: LinearModel = {
    buckets: d,
    outputs,
    denseSize: 0,
    loss: 'sigmoid',
    sparseWeights: new Float32Array(d * outputs),
    denseWeights: new Float32Array(0),
    bias: new Float32Array(outputs),
  };
  const z = new Float64Array(n);
  for (let k = 0; k < outputs; k++) {
    const y = new Float64Array(n);
    let positives = 0;
    for (let i = 0; i < n; i++) positives += y[i] = targets[i * outputs + k]!;
    const sampleWeight = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const w = options.balanced && positives > 0 && positives < n ? n / (2 * (y[i] ? positives : n - positives)) : 1;
      sampleWeight[i] = c * w;
    }
    // Parameters: d weights, then the bias (not regularised).
    const evaluate = (theta: Float64Array, gradient: Float64Array): number => {
      gradient.fill(0);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let s = theta[d]!;
        for (let at = rows.offsets[i]!; at < rows.offsets[i + 1]!; at++)
          s += theta[rows.indices[at]!]! * rows.values[at]!;
        z[i] = s;
        // log(1 + e^{-s}) for a positive, log(1 + e^{s}) for a negative, computed without overflow.
        const m = y[i] ? -s : s;
        loss += sampleWeight[i]! * (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
        const residual = sampleWeight[i]! * (1 / (1 + Math.exp(-s)) - y[i]!);
        gradient[d]! += residual;
        for (let at = rows.offsets[i]!; at < rows.offsets[i + 1]!; at++)
          gradient[rows.indices[at]!]! += residual * rows.values[at]!;
      }
      for (let j = 0; j < d; j++) {
        loss += 0.5 * theta[j]! * theta[j]!;
        gradient[j]! += theta[j]!;
      }
      return loss;
    };
    const theta = lbfgs(evaluate, d + 1, options.maxIterations ?? 200);
    for (let j = 0; j < d; j++) model.sparseWeights[j * outputs + k] = theta[j]!;
    model.bias[k] = theta[d]!;
  }
  return model;
}

/** Minimises a smooth function with L-BFGS (history 10) and a backtracking line search; returns the parameters. */
function lbfgs(
  evaluate: (theta: Float64Array, gradient: Float64Array) => number,
  size: number,
  maxIterations: number,
): Float64Array {
  const history = 10;
  let theta = new Float64Array(size);
  let gradient = new Float64Array(size);
  let loss = evaluate(theta, gradient);
  const s: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rho: number[] = [];
  const dot = (a: Float64Array, b: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
    return sum;
  };
  const direction = new Float64Array(size);
  const alpha = new Array<number>(history);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    // Two-loop recursion: direction = −H·gradient.
    for (let i = 0; i < size; i++) direction[i] = -gradient[i]!;
    for (let h = s.length - 1; h >= 0; h--) {
      alpha[h] = rho[h]! * dot(s[h]!, direction);
      const yh = yHist[h]!;
      for (let i = 0; i < size; i++) direction[i]! -= alpha[h]! * yh[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const scale = dot(s[last]!, yHist[last]!) / dot(yHist[last]!, yHist[last]!);
      for (let i = 0; i < size; i++) direction[i]! *= scale;
    }
    for (let h = 0; h < s.length; h++) {
      const beta = rho[h]! * dot(yHist[h]!, direction);
      const sh = s[h]!;
      for (let i = 0; i < size; i++) direction[i]! += (alpha[h]! - beta) * sh[i]!;
    }
    let slope = dot(gradient, direction);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      s.length = yHist.length = rho.length = 0;
      for (let i = 0; i < size; i++) direction[i] = -gradient[i]!;
      slope = dot(gradient, direction);
    }
    let step = iteration === 0 && s.length === 0 ? 1 / Math.max(1, Math.sqrt(dot(gradient, gradient))) : 1;
    const candidate = new Float64Array(size);
    const candidateGradient = new Float64Array(size);
    let candidateLoss = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < size; i++) candidate[i] = theta[i]! + step * direction[i]!;
      candidateLoss = evaluate(candidate, candidateGradient);
      if (candidateLoss <= loss + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(candidateLoss < loss)) break;
    const sNew = new Float64Array(size);
    const yNew = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      sNew[i] = candidate[i]! - theta[i]!;
      yNew[i] = candidateGradient[i]! - gradient[i]!;
    }
    const sy = dot(sNew, yNew);
    if (sy > 1e-10) {
      s.push(sNew);
      yHist.push(yNew);
      rho.push(1 / sy);
      if (s.length > history) {
        s.shift();
        yHist.shift();
        rho.shift();
      }
    }
    const improvement = (loss - candidateLoss) / Math.max(Math.abs(loss), Math.abs(candidateLoss), 1);
    theta = candidate;
    gradient = candidateGradient;
    loss = candidateLoss;
    // scikit-learn's lbfgs stops on a relative change of the loss below ~2.2e-9 (ftol) or a small gradient.
    if (improvement < 1e-9) break;
    let gradMax = 0;
    for (let i = 0; i < size; i++) gradMax = Math.max(gradMax, Math.abs(gradient[i]!));
    if (gradMax < 1e-5) break;
  }
  return theta;
}
