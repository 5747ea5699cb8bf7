/**
 * The policy taxonomy as files in the workspace's `policy/` folder, one per version (`taxonomy-v1.json`, …). A
 * workspace without one gets DESIGN.md's version 1. Files are validated when read; a bad one is an error that names
 * the file and the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SiftError } from '../../../shared/errors.js';
import {
  parseTaxonomy,
  POLICY_VERSION_PATTERN,
  policyFileName,
  policyVersionNumber,
  TAXONOMY_V1,
  type Taxonomy,
} from '../../../shared/taxonomy.js';
import { fileInside } from '../workspace/fileAccess.js';
import { writeFileAtomic } from '../workspace/workspace.js';

export const POLICY_DIR = 'policy';
const FILE_PATTERN = /^taxonomy-(.+)\.json$/;

export class PolicyStore {
  private readonly cache = new Map<string, { mtimeMs: number; taxonomy: Taxonomy }>();

  constructor(private readonly workspaceDir: string) {}

  get dir(): string {
    return path.join(this.workspaceDir, POLICY_DIR);
  }

  /** Writes version 1 when the workspace has no policy yet. */
  ensure(): void {
    if (this.versions().length > 0) return;
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(path.join(this.dir, policyFileName('v1')), `${JSON.stringify(TAXONOMY_V1, null, 2)}\n`);
  }

  versions(): string[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir)
      .map((file) => FILE_PATTERN.exec(file)?.[1])
      .filter((version): version is string => version !== undefined && POLICY_VERSION_PATTERN.test(version))
      .sort((a, b) => policyVersionNumber(a) - policyVersionNumber(b));
  }

  latestVersion(): string {
    this.ensure();
    return this.versions().at(-1)!;
  }

  /** A version's file. The name is checked here too, not only by the contract: it becomes a path. */
  file(version: string): string {
    if (!POLICY_VERSION_PATTERN.test(version)) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `version: a policy version is v followed by a number (v1, v2, …). Versions here: ${this.versions().join(', ') || 'none'}.`,
      });
    }
    return path.join(this.dir, policyFileName(version));
  }

  get(version: string): Taxonomy {
    const file = this.file(version);
    try {
      fileInside(this.dir, path.basename(file), 'version'); // a link in policy/ to a file elsewhere is not a version
    } catch (error) {
      if (error instanceof SiftError && error.info.code !== 'NOT_FOUND') throw error;
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `Policy version ${version} does not exist (no ${file}). Versions here: ${this.versions().join(', ') || 'none'}.`,
        file,
      });
    }
    const stat = fs.statSync(file);
    const cached = this.cache.get(version);
    if (cached && cached.mtimeMs === stat.mtimeMs) return cached.taxonomy;
    let taxonomy: Taxonomy;
    try {
      taxonomy = parseTaxonomy(fs.readFileSync(file, 'utf8'), file);
    } catch (error) {
      throw new SiftError({ code: 'BAD_REQUEST', message: (error as Error).message, file });
    }
    if (taxonomy.version !== version) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${file}: version: the file says "${taxonomy.version}" but its name says ${version}.`,
        file,
      });
    }
    this.cache.set(version, { mtimeMs: stat.mtimeMs, taxonomy });
    return taxonomy;
  }
}
