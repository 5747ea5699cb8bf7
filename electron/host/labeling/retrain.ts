/**
 * The model in the loop: the distilled text classifier retrained on the labels so far, in the worker pool, saved as a
 * new version of the model (with the labels it was trained on), then measured against the version before it on
 * labeled items it never saw, and used to re-score the session's pool.
 *
 * All-or-nothing: the new version is written in a staging folder and renamed whole, scored and ranked while still
 * unregistered, and becomes the model of its name only after the session's rerank record is in the journal (the
 * commit; retrainSession.ts registers it then, and on open if a kill came in between). A retrain stopped or killed
 * before that leaves the previous version in use; its leftovers (folder, scores, ranking) are cleared by the next.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RetrainCategory } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { isHeldOut } from '../../../shared/labeling.js';
import { averagePrecision } from '../../../shared/rankingMetrics.js';
import { computePool } from '../compute/workerPool.js';
import { trainHashedTextTask } from './computeTasks.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { loadPackage, type ModelPackage } from '../models/modelPackage.js';
import { LocalScorer } from '../models/runtime.js';
import { processAlive } from '../processes.js';
import type { HashedNgramsConfig } from '../../../shared/hashedNgrams.js';
import type { Taxonomy } from '../../../shared/taxonomy.js';
import { quoteLiteral, type Workspace } from '../workspace/workspace.js';
import { readTrainingItems, type TrainingItem } from './poolData.js';

/** The demo build's settings, so a retrain differs from the shipped model by its labels alone (and a backtest runs the same). */
export const RECIPE = { epochs: 6, seed: 1, learningRate: 0.5 };

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
  /** Ends the version's claim (call once the retrain committed or failed). */
  done(): void;
}

/** Model folders a retrain of this process is writing: never a leftover, whatever the journal says. */
const inFlight = new Set<string>();

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export async function trainNewVersion(
  workspace: Workspace,
  registry: ModelRegistry,
  input: {
    model: string;
    sessionId: string;
    sessionName: string;
    policyVersion: string;
    taxonomy: Taxonomy;
    committedVersions: ReadonlySet<string>;
  },
  ctx: JobContext,
): Promise<TrainedVersion> {
  const base = registry.package(input.model);
  const { manifest } = base;
  const { ngrams, leaves } = distilledRecipe(base, input.taxonomy);
  ctx.progress(0, 'Reading the labels so far');
  const items = await readTrainingItems(workspace, manifest.categories, leaves);
  const heldOut = items.filter((item) => item.human !== null && isHeldOut(item.contentId));
  const training = items.filter((item) => !isHeldOut(item.contentId));
  const humanLabeled = training.filter((item) => item.human !== null).length;
  if (humanLabeled === 0)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: 'There are no labels to train on yet: label some items first.',
    });
  const outputs = manifest.categories.length;
  const targets = new Uint8Array(training.length * outputs);
  training.forEach((item, i) => item.targets.forEach((value, k) => (targets[i * outputs + k] = value)));
  ctx.progress(
    0.1,
    `Training ${input.model} on ${training.length.toLocaleString('en-US')} items (${humanLabeled.toLocaleString('en-US')} labeled by people)`,
  );
  const started = performance.now();
  const weights = await computePool().run(
    trainHashedTextTask,
    [training.map((item) => item.text), targets, ngrams, { outputs, ...RECIPE }],
    { transfer: [targets.buffer as ArrayBuffer], signal: ctx.signal },
  );
  const trainSeconds = (performance.now() - started) / 1000;
  if (ctx.signal.aborted)
    throw new SiftError({ code: 'CANCELLED', message: 'Retraining cancelled; no new version was saved.' });

  // A new version beside the workspace's models. A version some retrain committed is taken; a folder of a version
  // none committed is what a stopped or killed retrain left, and is cleared with its scores and rankings.
  const root = manifest.version.replace(/-al\d+$/, '');
  const taken = new Set([
    ...(await registry.list()).filter((info) => info.name === input.model).map((info) => info.version),
    ...input.committedVersions,
  ]);
  let round = 1;
  while (taken.has(`${root}-al${round}`) || inFlight.has(versionDir(workspace, input.model, `${root}-al${round}`)))
    round++;
  const version = `${root}-al${round}`;
  const dir = versionDir(workspace, input.model, version);
  inFlight.add(dir);
  let pkg: ModelPackage;
  let categories: RetrainCategory[];
  try {
    await clearUncommitted(workspace, input.model, version, dir);
    const staging = `${dir}.partial-${process.pid}`;
    fs.mkdirSync(staging, { recursive: true });
    try {
      // Loaded when a retrain writes its model: the ONNX writer and its protobuf code are a seventh of what every CLI
      // start would otherwise parse and run.
      const { distilledTextOnnx } = await import('../../../shared/onnxGraph.js');
      const onnx = distilledTextOnnx(
        {
          buckets: ngrams.buckets,
          outputs,
          denseSize: 0,
          loss: 'sigmoid',
          sparseWeights: weights.sparseWeights,
          denseWeights: new Float32Array(0),
          bias: weights.bias,
        },
        ngrams,
        manifest.categories,
      );
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
        const [events, through] = (
          await conn.runAndReadAll(`SELECT count(*), strftime(max(created_at), '%Y-%m-%dT%H:%M:%S') FROM label_events`)
        ).getRowsJson()[0]!;
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
    fsyncFolder(path.dirname(dir));
    // Registered by the caller once the session's rerank record is in the journal: until then the previous version is the model.
    pkg = loadPackage(dir);
    ctx.progress(0.4, 'Measuring both versions on held-out labels');
    categories = await compareOnHeldOut(base, pkg, heldOut);
  } catch (error) {
    inFlight.delete(dir);
    throw error;
  }
  return {
    pkg,
    fromVersion: manifest.version,
    version,
    trainedOn: training.length,
    humanLabeled,
    heldOut: heldOut.length,
    categories,
    trainSeconds,
    done: () => inFlight.delete(dir),
  };
}

/**
 * What the loop retrains: the model's hashed n-gram featuriser, and the policy leaves among its categories (a model
 * category that is a policy leaf, csam under nsfw, is read from the annotators' leaf choices). Only the distilled
 * hashed n-gram text model has a recipe here.
 */
export function distilledRecipe(
  pkg: ModelPackage,
  taxonomy: Taxonomy,
): { ngrams: HashedNgramsConfig; leaves: { category: string; leaf: string }[] } {
  const { manifest } = pkg;
  if (manifest.kind !== 'distilled_text' || manifest.preprocessing.type !== 'hashed_ngrams') {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${manifest.name} is a ${manifest.kind} model with ${manifest.preprocessing.type} inputs; the labeling loop retrains the distilled hashed n-gram text model (such as text-distil).`,
    });
  }
  const leaves = taxonomy.categories.flatMap((category) =>
    category.leaves
      .filter((leaf) => manifest.categories.includes(leaf.name))
      .map((leaf) => ({ category: category.name, leaf: leaf.name })),
  );
  return { ngrams: manifest.preprocessing, leaves };
}

const versionDir = (workspace: Workspace, model: string, version: string) =>
  path.join(workspace.dir, 'models', `${model}-${version}`);

/** Clears what a retrain that never committed left under `version`: its folder, staging folders, scores and rankings. */
async function clearUncommitted(workspace: Workspace, model: string, version: string, dir: string): Promise<void> {
  const parent = path.dirname(dir);
  if (fs.existsSync(parent)) {
    for (const entry of fs.readdirSync(parent)) {
      // The version's folder, and staging folders of processes that are gone (a live one is another retrain's).
      const staging = entry.startsWith(`${path.basename(dir)}.partial-`)
        ? Number(entry.slice(`${path.basename(dir)}.partial-`.length))
        : null;
      if (entry === path.basename(dir) || (staging !== null && (staging === process.pid || !processAlive(staging))))
        fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
    }
  }
  await workspace.withConnection(async (conn) => {
    const exists = (
      await conn.runAndReadAll(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'model_scores' AND schema_name = 'main'",
      )
    ).getRowsJson()[0]![0];
    if (Number(exists) > 0)
      await conn.run(
        `DELETE FROM model_scores WHERE model = ${quoteLiteral(model)} AND model_version = ${quoteLiteral(version)}`,
      );
  });
  await workspace.withStore((conn) => conn.run(`DELETE FROM session_ranking WHERE version = ${quoteLiteral(version)}`));
}

/** A renamed folder's new name is durable only once its parent is synced. */
function fsyncFolder(folder: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not every platform can sync a folder; the rename itself has happened.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Average precision per category on the held-out labeled items, before and after, both scored through ONNX. */
async function compareOnHeldOut(
  before: ModelPackage,
  after: ModelPackage,
  heldOut: TrainingItem[],
): Promise<RetrainCategory[]> {
  const score = async (pkg: ModelPackage) => {
    const scorer = await LocalScorer.create(pkg, 'cpu');
    try {
      return await scorer.score(
        heldOut.map((item) => ({ contentId: item.contentId, text: item.text, imageEmb: null, account: null })),
      );
    } finally {
      await scorer.close();
    }
  };
  const [scoresBefore, scoresAfter] =
    heldOut.length > 0 ? await Promise.all([score(before), score(after)]) : [new Float32Array(0), new Float32Array(0)];
  const categories = after.manifest.categories;
  return categories.map((category, k) => {
    const rows = heldOut
      .map((item, i) => ({ label: item.human![category], i }))
      .filter((row) => row.label !== undefined);
    const positives = rows.filter((row) => row.label === 1).length;
    const negatives = rows.length - positives;
    if (positives === 0 || negatives === 0) {
      const reason =
        rows.length === 0
          ? `no held-out item carries a label for ${category}`
          : positives === 0
            ? 'no held-out item is labeled positive'
            : 'no held-out item is labeled negative';
      return {
        category,
        heldOutPositives: positives,
        heldOutNegatives: negatives,
        apBefore: null,
        apAfter: null,
        reason,
      };
    }
    const truth = rows.map((row) => row.label as number);
    const at = (scores: Float32Array) => rows.map((row) => scores[row.i * categories.length + k]!);
    const beforeK = before.manifest.categories.indexOf(category);
    const apBefore =
      beforeK < 0
        ? null
        : averagePrecision(
            truth,
            rows.map((row) => scoresBefore[row.i * before.manifest.categories.length + beforeK]!),
          );
    return {
      category,
      heldOutPositives: positives,
      heldOutNegatives: negatives,
      apBefore,
      apAfter: averagePrecision(truth, at(scoresAfter)),
    };
  });
}
