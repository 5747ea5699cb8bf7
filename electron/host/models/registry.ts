/**
 * The models a workspace can use: the project's own (models/<name>/) and folders a user added (remembered in
 * the workspace's models.json). Loaded sessions are cached by content hash, so an edited model reloads.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelInfo } from '../../../shared/contract.js';
import { SiftError, toErrorInfo } from '../../../shared/errors.js';
import { manifestSchema, type ModelManifest } from '../../../shared/modelManifest.js';
import { projectRoot } from '../projectPaths.js';
import { type Workspace, writeFileAtomic } from '../workspace/workspace.js';
import type { RemoteOptions } from './kserveClient.js';
import {
  type EncoderPackage,
  isEncoderFolder,
  loadEncoderPackage,
  loadPackage,
  type ModelPackage,
} from './modelPackage.js';
import { RemoteScorer } from './remoteScorer.js';
import { LocalScorer, type ProviderPreference, type Scorer } from './runtime.js';

export type { ModelInfo };

const cache = new Map<string, Promise<LocalScorer>>();

export class ModelRegistry {
  constructor(private readonly workspace: Workspace) {}

  private addedFile(): string {
    return path.join(this.workspace.dir, 'models.json');
  }

  private addedFolders(): string[] {
    try {
      return (JSON.parse(fs.readFileSync(this.addedFile(), 'utf8')) as { folders?: string[] }).folders ?? [];
    } catch {
      return [];
    }
  }

  private folders(): { dir: string; source: 'project' | 'workspace' }[] {
    const projectModels = path.join(projectRoot(), 'models');
    const project = fs.existsSync(projectModels)
      ? fs
          .readdirSync(projectModels, { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(projectModels, entry.name, 'model.json')))
          .map((entry) => ({ dir: path.join(projectModels, entry.name), source: 'project' as const }))
      : [];
    return [...this.addedFolders().map((dir) => ({ dir, source: 'workspace' as const })), ...project];
  }

  /** The scoring models (an image encoder is not one: a fusion model names it, see encoderFor). */
  async list(): Promise<ModelInfo[]> {
    const infos: ModelInfo[] = [];
    for (const { dir, source } of this.folders()) {
      if (isEncoderFolder(dir)) continue;
      try {
        const pkg = loadPackage(dir);
        const loaded = cache.get(`${pkg.hash}:auto`);
        const scorer = loaded ? await loaded.catch(() => null) : null;
        infos.push(this.describe(pkg, source, scorer));
      } catch (error) {
        infos.push({
          name: path.basename(dir),
          version: '?',
          kind: 'distilled_text',
          description: '',
          categories: [],
          critical: [],
          thresholds: {},
          preprocessing: '?',
          inputs: [],
          hash: '',
          dir,
          source,
          runtime: null,
          error: toErrorInfo(error).message,
        });
      }
    }
    return infos;
  }

  private describe(pkg: ModelPackage, source: 'project' | 'workspace', scorer: Scorer | null): ModelInfo {
    const { manifest } = pkg;
    return {
      name: manifest.name,
      version: manifest.version,
      kind: manifest.kind,
      description: manifest.description ?? '',
      categories: manifest.categories,
      critical: manifest.critical,
      thresholds: manifest.thresholds,
      preprocessing: manifest.preprocessing.type,
      inputs: manifest.inputs.map((input) => input.name),
      hash: pkg.hash,
      dir: pkg.dir,
      source,
      runtime: scorer ? { provider: scorer.provider, note: scorer.note } : null,
    };
  }

  /** The package registered under `name` (a workspace-added folder wins over the project's own). */
  package(name: string): ModelPackage {
    for (const { dir } of this.folders()) {
      let pkg: ModelPackage;
      try {
        pkg = loadPackage(dir);
      } catch (error) {
        if (path.basename(dir) === name) throw error;
        continue;
      }
      if (pkg.manifest.name === name) return pkg;
    }
    throw new SiftError({ code: 'NOT_FOUND', message: `model: no model named "${name}" (sift models lists them).` });
  }

  /**
   * The image encoder a late-fusion model names (its manifest's imageEncoder), or null when it names none: looked up
   * by name among the registered folders, then beside the model's own folder. Its output size must be the model's
   * image embedding size.
   */
  encoderFor(pkg: ModelPackage): EncoderPackage | null {
    const name = pkg.manifest.imageEncoder;
    if (!name) return null;
    const where = path.join(pkg.dir, 'model.json');
    const beside = path.join(path.dirname(pkg.dir), name);
    const candidates = [...this.folders().map(({ dir }) => dir), beside].filter(
      (dir, i, all) => all.indexOf(dir) === i && isEncoderFolder(dir),
    );
    let found: EncoderPackage | null = null;
    for (const dir of candidates) {
      const encoder = loadEncoderPackage(dir);
      if (encoder.manifest.name === name) {
        found = encoder;
        break;
      }
    }
    if (!found)
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `${where}: imageEncoder "${name}" is not a registered image encoder, nor a folder beside the model.`,
        file: where,
      });
    if (found.manifest.output.dim !== pkg.manifest.imageDim)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${where}: imageEncoder "${name}" outputs ${found.manifest.output.dim} values but imageDim is ${pkg.manifest.imageDim}.`,
        file: where,
      });
    return found;
  }

  async scorer(
    name: string,
    options: { remote?: RemoteOptions; provider?: ProviderPreference } = {},
  ): Promise<{ pkg: ModelPackage; scorer: Scorer; shared: boolean }> {
    return this.scorerOf(this.package(name), options);
  }

  /** A scorer for a package by its folder, registered or not (a retrain scores with its new version before registering it). */
  async scorerOf(
    pkg: ModelPackage,
    options: { remote?: RemoteOptions; provider?: ProviderPreference } = {},
  ): Promise<{ pkg: ModelPackage; scorer: Scorer; shared: boolean }> {
    if (options.remote) return { pkg, scorer: await RemoteScorer.create(pkg, options.remote), shared: false };
    const key = `${pkg.hash}:${options.provider ?? 'auto'}`;
    let loading = cache.get(key);
    if (!loading) {
      loading = LocalScorer.create(pkg, options.provider ?? 'auto');
      cache.set(key, loading);
      loading.catch(() => cache.delete(key));
    }
    return { pkg, scorer: await loading, shared: true };
  }

  /**
   * Saves new thresholds and/or calibration as a new revision of a model: a copy of its folder in the
   * workspace's models/ with version `<version>-r<n>`, registered so it becomes the model of that name.
   */
  async saveRevision(
    name: string,
    changes: { thresholds?: ModelManifest['thresholds']; calibration?: ModelManifest['calibration'] },
  ): Promise<ModelInfo> {
    const pkg = this.package(name);
    const base = pkg.manifest.version.replace(/-r\d+$/, '');
    const taken = new Set((await this.list()).filter((info) => info.name === name).map((info) => info.version));
    let revision = 1;
    while (taken.has(`${base}-r${revision}`)) revision++;
    const version = `${base}-r${revision}`;
    const manifest = {
      ...pkg.manifest,
      version,
      thresholds: { ...pkg.manifest.thresholds, ...changes.thresholds },
      calibration: changes.calibration === undefined ? pkg.manifest.calibration : changes.calibration,
    };
    const checked = manifestSchema.safeParse(manifest);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new SiftError({ code: 'BAD_REQUEST', message: `${issue.path.join('.') || 'manifest'}: ${issue.message}` });
    }
    const dir = path.join(this.workspace.dir, 'models', `${name}-${version}`);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const staging = `${dir}.partial-${process.pid}`;
    fs.cpSync(pkg.dir, staging, { recursive: true });
    fs.writeFileSync(path.join(staging, 'model.json'), `${JSON.stringify(checked.data, null, 2)}\n`);
    fs.renameSync(staging, dir);
    return this.add(dir);
  }

  /** Whether a folder is among those the workspace registered (models.json). */
  isRegistered(folder: string): boolean {
    return this.addedFolders().includes(path.resolve(folder));
  }

  /** Registers a model folder after checking its manifest against its ONNX graph. */
  async add(folder: string): Promise<ModelInfo> {
    // Confined (browser mode, the window), only a folder the host may read; the refusal names only the path given.
    const dir = this.workspace.checkReadable(folder, 'path', 'folder');
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new SiftError({ code: 'NOT_FOUND', message: `path: ${dir} is not a folder.`, file: dir });
    const pkg = loadPackage(dir);
    const scorer = await LocalScorer.create(pkg, 'cpu');
    await scorer.close();
    const folders = [dir, ...this.addedFolders().filter((existing) => existing !== dir)];
    writeFileAtomic(this.addedFile(), `${JSON.stringify({ folders }, null, 2)}\n`);
    return this.describe(pkg, 'workspace', null);
  }
}
