/**
 * The real-data check for the distilled model's recipe (hashed word + character n-grams, a linear model):
 * 5-fold cross-validation on Davidson et al. (2017), next to the paper's logistic regression baseline.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_NGRAMS, sparseFeatures } from '../shared/hashedNgrams.js';
import { type Example, probabilities, train } from '../shared/linearModel.js';
import { Random } from '../shared/random.js';

export const DAVIDSON = path.resolve('../shared/datasets/davidson-2017/labeled_data.csv');
const CLASSES = ['hate', 'offensive', 'neither'];

interface Fold {
  precision: number[];
  recall: number[];
  support: number[];
}

function metrics(truth: number[], predicted: number[]): Fold {
  const precision: number[] = [];
  const recall: number[] = [];
  const support: number[] = [];
  for (let k = 0; k < CLASSES.length; k++) {
    const tp = truth.filter((t, i) => t === k && predicted[i] === k).length;
    const fp = truth.filter((t, i) => t !== k && predicted[i] === k).length;
    const fn = truth.filter((t, i) => t === k && predicted[i] !== k).length;
    precision.push(tp + fp ? tp / (tp + fp) : 0);
    recall.push(tp + fn ? tp / (tp + fn) : 0);
    support.push(tp + fn);
  }
  return { precision, recall, support };
}

export async function davidsonBenchmark(log: (line: string) => void): Promise<void> {
  if (!fs.existsSync(DAVIDSON)) {
    log(`skipped: ${DAVIDSON} is absent (the shared datasets folder is not beside this checkout)`);
    return;
  }
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const rows = (await conn.runAndReadAll(`SELECT "class", tweet FROM read_csv('${DAVIDSON.replace(/'/g, "''")}') ORDER BY column0`)).getRowsJson();
  conn.closeSync();
  instance.closeSync();
  const started = performance.now();
  const labels = rows.map(([label]) => Number(label));
  const features = rows.map(([, tweet]) => sparseFeatures(String(tweet), DEFAULT_NGRAMS));
  // Stratified folds, seeded.
  const rng = new Random(2017);
  const fold = new Array<number>(rows.length);
  for (let k = 0; k < CLASSES.length; k++) {
    const members = labels.map((label, i) => (label === k ? i : -1)).filter((i) => i >= 0);
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    members.forEach((index, position) => (fold[index] = position % 5));
  }
  const counts = CLASSES.map((_, k) => labels.filter((label) => label === k).length);
  // Balanced class weights (n / (k · n_c)), as scikit-learn's class_weight="balanced" sets them.
  const classWeights = counts.map((count) => labels.length / (CLASSES.length * count));
  const truthAll: number[] = [];
  const predictedAll: number[] = [];
  for (let f = 0; f < 5; f++) {
    const trainSet: Example[] = [];
    const testIdx: number[] = [];
    labels.forEach((label, i) => {
      if (fold[i] === f) testIdx.push(i);
      else trainSet.push({ sparse: features[i]!, targets: CLASSES.map((_, k) => (k === label ? 1 : 0)) });
    });
    const model = train(trainSet, { buckets: DEFAULT_NGRAMS.buckets, outputs: CLASSES.length, loss: 'softmax', epochs: 5, seed: f + 1, classWeights, learningRate: 0.3 });
    for (const i of testIdx) {
      const p = probabilities(model, { sparse: features[i]! });
      truthAll.push(labels[i]!);
      predictedAll.push(p.indexOf(Math.max(...p)));
    }
  }
  const m = metrics(truthAll, predictedAll);
  const total = m.support.reduce((a, b) => a + b, 0);
  const weighted = (values: number[]) => values.reduce((sum, value, k) => sum + (value * m.support[k]!) / total, 0);
  const f1 = m.precision.map((p, k) => (p + m.recall[k]! ? (2 * p * m.recall[k]!) / (p + m.recall[k]!) : 0));
  log(`${rows.length.toLocaleString('en-US')} tweets, 5-fold stratified cross-validation, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  log(`                     Sift recipe   paper's LR baseline   ratio`);
  log(`weighted precision   ${weighted(m.precision).toFixed(3)}         0.91                  ${(weighted(m.precision) / 0.91).toFixed(2)}`);
  log(`weighted recall      ${weighted(m.recall).toFixed(3)}         0.90                  ${(weighted(m.recall) / 0.9).toFixed(2)}`);
  log(`weighted F1          ${weighted(f1).toFixed(3)}         0.90                  ${(weighted(f1) / 0.9).toFixed(2)}`);
  log(`hate precision       ${m.precision[0]!.toFixed(3)}         0.44                  ${(m.precision[0]! / 0.44).toFixed(2)}`);
  log(`hate recall          ${m.recall[0]!.toFixed(3)}         0.61                  ${(m.recall[0]! / 0.61).toFixed(2)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  davidsonBenchmark(console.log).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
