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
  for (const [bucket, value] of example.sparse) for (let k = 0; k < model.outputs; k++) out[k]! += model.sparseWeights[bucket * model.outputs + k]! * value;
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
        const weight = options.classWeights ? (loss === 'softmax' ? options.classWeights[example.targets.indexOf(1)]! : target === 1 ? options.classWeights[k]! : 1) : 1;
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
