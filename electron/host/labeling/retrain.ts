/**
 * The model in the loop: the distilled text classifier retrained on the labels so far, in the worker pool, saved as a
 * new version of the model (with the labels it was trained on), then measured against the version before it on
 * labeled items it never saw, and used to re-score the session's pool.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RetrainCategory } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { isHeldOut } from '../../../shared/labeling.js';
import { averagePrecision } from '../../../shared/rankingMetrics.js';
import { computePool } from '../compute/workerPool.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { loadPackage, LocalScorer, type ModelPackage } from '../models/runtime.js';
import { processAlive } from '../processes.js';
import type { Taxonomy } from '../../../shared/taxonomy.js';
import type { Workspace } from '../workspace/workspace.js';
import { readTrainingItems, type TrainingItem } from './poolData.js';

/** The demo build's settings, so a retrain differs from the shipped model by its labels alone. */
const RECIPE = { epochs: 6, seed: 1, learningRate: 0.5 };

export interface TrainedVersion {
  pkg: ModelPackage;
  /** The version it was retrained from: the model's version in the registry, whose scores it is compared with. */
  fromVersion: string;
  version: string;
  trainedOn: number;
  humanLabeled: number;
  heldOut: number;
  categories: RetrainCategory[];
  trainSeconds: number;
}

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * A retrain of this session that saved its model but was stopped (killed) before the session switched to it: the
 * newest version in the workspace's models/ trained in this session that the session never reranked by. It is
 * finished — registered, measured, used — not trained over with yet another version.
 */
function stoppedRetrain(workspace: Workspace, model: string, sessionId: string, finished: ReadonlySet<string>): ModelPackage | null {
  const models = path.join(workspace.dir, 'models');
  if (!fs.existsSync(models)) return null;
  const found: ModelPackage[] = [];
  for (const entry of fs.readdirSync(models, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(`${model}-`)) continue;
    const staging = /\.partial-(\d+)$/.exec(entry.name);
    if (staging) {
      // A retrain killed while writing its model: nothing of it was saved.
      if (!processAlive(Number(staging[1]))) fs.rmSync(path.join(models, entry.name), { recursive: true, force: true });
      continue;
    }
    try {
      const pkg = loadPackage(path.join(models, entry.name));
      const training = (pkg.manifest as { training?: { session?: { id?: string } } }).training;
      if (pkg.manifest.name === model && training?.session?.id === sessionId && !finished.has(pkg.manifest.version)) found.push(pkg);
    } catch {
      // not a model folder
    }
  }
  const round = (pkg: ModelPackage) => Number(/-al(\d+)$/.exec(pkg.manifest.version)?.[1] ?? 0);
  return found.sort((a, b) => round(b) - round(a))[0] ?? null;
}

export async function trainNewVersion(
  workspace: Workspace,
  registry: ModelRegistry,
  input: { model: string; sessionId: string; sessionName: string; policyVersion: string; taxonomy: Taxonomy; finishedVersions: ReadonlySet<string> },
  ctx: JobContext,
): Promise<TrainedVersion> {
  const stopped = stoppedRetrain(workspace, input.model, input.sessionId, input.finishedVersions);
  if (stopped) return finishStopped(workspace, registry, stopped, input, ctx);
  const base = registry.package(input.model);
  const { manifest } = base;
  if (manifest.kind !== 'distilled_text' || manifest.preprocessing.type !== 'hashed_ngrams') {
    throw new SiftError({ code: 'BAD_REQUEST', message: `${input.model} is a ${manifest.kind} model with ${manifest.preprocessing.type} inputs; the labeling loop retrains the distilled hashed n-gram text model (such as text-distil).` });
  }
  const ngrams = manifest.preprocessing;
  ctx.progress(0, 'Reading the labels so far');
  // A model category that is a policy leaf (csam under nsfw) is read from the annotators' leaf choices.
  const leaves = input.taxonomy.categories.flatMap((category) => category.leaves.filter((leaf) => manifest.categories.includes(leaf.name)).map((leaf) => ({ category: category.name, leaf: leaf.name })));
  const items = await readTrainingItems(workspace, manifest.categories, leaves);
  const heldOut = items.filter((item) => item.human !== null && isHeldOut(item.contentId));
  const training = items.filter((item) => !isHeldOut(item.contentId));
  const humanLabeled = training.filter((item) => item.human !== null).length;
  if (humanLabeled === 0) throw new SiftError({ code: 'BAD_REQUEST', message: 'There are no labels to train on yet: label some items first.' });
  const outputs = manifest.categories.length;
  const targets = new Uint8Array(training.length * outputs);
  training.forEach((item, i) => item.targets.forEach((value, k) => (targets[i * outputs + k] = value)));
  ctx.progress(0.1, `Training ${input.model} on ${training.length.toLocaleString('en-US')} items (${humanLabeled.toLocaleString('en-US')} labeled by people)`);
  const started = performance.now();
  const weights = await computePool().run('trainHashedText', [training.map((item) => item.text), targets, ngrams, { outputs, ...RECIPE }], { transfer: [targets.buffer as ArrayBuffer], signal: ctx.signal });
  const trainSeconds = (performance.now() - started) / 1000;
  if (ctx.signal.aborted) throw new SiftError({ code: 'CANCELLED', message: 'Retraining cancelled; no new version was saved.' });

  // A new version beside the workspace's models, registered so it becomes the model of that name.
  const root = manifest.version.replace(/-al\d+$/, '');
  const taken = new Set((await registry.list()).filter((info) => info.name === input.model).map((info) => info.version));
  const folderOf = (round: number) => path.join(workspace.dir, 'models', `${input.model}-${root}-al${round}`);
  let round = 1;
  while (taken.has(`${root}-al${round}`) || fs.existsSync(folderOf(round))) round++; // never over a folder already there
  const version = `${root}-al${round}`;
  const dir = folderOf(round);
  const staging = `${dir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    // Loaded when a retrain writes its model: the ONNX writer and its protobuf code are a seventh of what every CLI
    // start would otherwise parse and run.
    const { distilledTextOnnx } = await import('../../../shared/onnxGraph.js');
    const onnx = distilledTextOnnx({ buckets: ngrams.buckets, outputs, denseSize: 0, loss: 'sigmoid', sparseWeights: weights.sparseWeights, denseWeights: new Float32Array(0), bias: weights.bias }, ngrams, manifest.categories);
    fs.writeFileSync(path.join(staging, manifest.file), onnx);
    const next = {
      ...manifest,
      version,
      // The base's calibration was fitted to the base's scores; it does not carry over.
      calibration: null,
      description: `${(manifest.description ?? '').replace(/ Retrained in labeling session .*$/, '')} Retrained in labeling session "${input.sessionName}" (${input.sessionId}) from ${manifest.version} on ${training.length} items, ${humanLabeled} labeled by people under policy ${input.policyVersion}; training labels in training-labels.csv.`,
    };
    const lines = ['content_id,source,' + manifest.categories.join(',')];
    for (const item of training) lines.push([csvField(item.contentId), item.source, ...item.targets].join(','));
    const labelsText = `${lines.join('\n')}\n`;
    fs.writeFileSync(path.join(staging, 'training-labels.csv'), labelsText);
    const snapshot = await workspace.withStore(async (conn) => {
      const [events, through] = (await conn.runAndReadAll(`SELECT count(*), strftime(max(created_at), '%Y-%m-%dT%H:%M:%S') FROM label_events`)).getRowsJson()[0]!;
      return { events: Number(events), through: through === null ? null : String(through) };
    });
    const withTraining = {
      ...next,
      training: {
        session: { id: input.sessionId, name: input.sessionName },
        fromVersion: manifest.version,
        policyVersion: input.policyVersion,
        trainedAt: new Date().toISOString(),
        items: training.length,
        humanLabeled,
        labelsFile: 'training-labels.csv',
        labelsSha256: createHash('sha256').update(labelsText).digest('hex'),
        labelSnapshot: snapshot,
      },
    };
    fs.writeFileSync(path.join(staging, 'model.json'), `${JSON.stringify(withTraining, null, 2)}\n`);
    fs.renameSync(staging, dir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  await registry.add(dir);
  const pkg = registry.package(input.model);
  if (pkg.manifest.version !== version) throw new SiftError({ code: 'INTERNAL', message: `The retrained ${input.model} ${version} was saved in ${dir} but another folder takes precedence in models.json.` });
  ctx.progress(0.4, 'Measuring both versions on held-out labels');
  const categories = await compareOnHeldOut(base, pkg, heldOut);
  return { pkg, fromVersion: manifest.version, version, trainedOn: training.length, humanLabeled, heldOut: heldOut.length, categories, trainSeconds };
}

/** A stopped retrain's saved version, registered (if the kill came first) and measured against the version it came from. */
async function finishStopped(
  workspace: Workspace,
  registry: ModelRegistry,
  stopped: ModelPackage,
  input: { model: string; taxonomy: Taxonomy },
  ctx: JobContext,
): Promise<TrainedVersion> {
  const training = (stopped.manifest as { training?: { fromVersion?: string; items?: number; humanLabeled?: number } }).training ?? {};
  ctx.progress(0.1, `Finishing the stopped retrain of ${input.model} ${stopped.manifest.version}`);
  const infos = await registry.list();
  if (!infos.some((info) => path.resolve(info.dir) === path.resolve(stopped.dir))) await registry.add(stopped.dir);
  const fromInfo = infos.find((info) => info.name === input.model && info.version === training.fromVersion && !info.error);
  const base = fromInfo ? loadPackage(fromInfo.dir) : null;
  const pkg = registry.package(input.model);
  if (pkg.manifest.version !== stopped.manifest.version) throw new SiftError({ code: 'INTERNAL', message: `The retrained ${input.model} ${stopped.manifest.version} in ${stopped.dir} is not the model in use; another folder takes precedence in models.json.` });
  const leaves = input.taxonomy.categories.flatMap((category) => category.leaves.filter((leaf) => pkg.manifest.categories.includes(leaf.name)).map((leaf) => ({ category: category.name, leaf: leaf.name })));
  const heldOut = (await readTrainingItems(workspace, pkg.manifest.categories, leaves)).filter((item) => item.human !== null && isHeldOut(item.contentId));
  ctx.progress(0.4, 'Measuring both versions on held-out labels');
  const categories = await compareOnHeldOut(base ?? pkg, pkg, heldOut);
  return { pkg, fromVersion: training.fromVersion ?? pkg.manifest.version, version: pkg.manifest.version, trainedOn: training.items ?? 0, humanLabeled: training.humanLabeled ?? 0, heldOut: heldOut.length, categories, trainSeconds: 0 };
}

/** Average precision per category on the held-out labeled items, before and after, both scored through ONNX. */
async function compareOnHeldOut(before: ModelPackage, after: ModelPackage, heldOut: TrainingItem[]): Promise<RetrainCategory[]> {
  const score = async (pkg: ModelPackage) => {
    const scorer = await LocalScorer.create(pkg, 'cpu');
    try {
      return await scorer.score(heldOut.map((item) => ({ contentId: item.contentId, text: item.text, imageEmb: null, account: null })));
    } finally {
      await scorer.close();
    }
  };
  const [scoresBefore, scoresAfter] = heldOut.length > 0 ? await Promise.all([score(before), score(after)]) : [new Float32Array(0), new Float32Array(0)];
  const categories = after.manifest.categories;
  return categories.map((category, k) => {
    const rows = heldOut.map((item, i) => ({ label: item.human![category], i })).filter((row) => row.label !== undefined);
    const positives = rows.filter((row) => row.label === 1).length;
    const negatives = rows.length - positives;
    if (positives === 0 || negatives === 0) {
      const reason = rows.length === 0 ? `no held-out item carries a label for ${category}` : positives === 0 ? 'no held-out item is labeled positive' : 'no held-out item is labeled negative';
      return { category, heldOutPositives: positives, heldOutNegatives: negatives, apBefore: null, apAfter: null, reason };
    }
    const truth = rows.map((row) => row.label as number);
    const at = (scores: Float32Array) => rows.map((row) => scores[row.i * categories.length + k]!);
    const beforeK = before.manifest.categories.indexOf(category);
    const apBefore = beforeK < 0 ? null : averagePrecision(truth, rows.map((row) => scoresBefore[row.i * before.manifest.categories.length + beforeK]!));
    return { category, heldOutPositives: positives, heldOutNegatives: negatives, apBefore, apAfter: averagePrecision(truth, at(scoresAfter)) };
  });
}
