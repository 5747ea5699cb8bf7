/**
 * A model package: its manifest, the files it names, and a content hash over them all (any change is a different
 * model). Read once and re-read only when a file's size or modification time changes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SiftError } from '../../../shared/errors.js';
import { jsonSyntaxProblem, schemaProblem } from '../../../shared/jsonText.js';
import { manifestSchema, type ModelManifest } from '../../../shared/modelManifest.js';
import { fileInside } from '../workspace/fileAccess.js';

export interface ModelPackage {
  manifest: ModelManifest;
  dir: string;
  /** sha256 over the manifest and every file it names: any change is a different model. */
  hash: string;
}

const packageCache = new Map<string, { signature: string; pkg: ModelPackage }>();

/** Size and modification time of each file: re-reading and re-hashing a model happens only when one changes. */
function fileSignature(files: string[]): string {
  return files
    .map((file) => {
      try {
        const stat = fs.statSync(file);
        return `${file}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return `${file}:missing`;
      }
    })
    .join('|');
}

export function loadPackage(dir: string): ModelPackage {
  const manifestFile = path.join(dir, 'model.json');
  const cached = packageCache.get(dir);
  if (cached) {
    const files = [manifestFile, ...packageFiles(cached.pkg.manifest).map((file) => path.join(dir, file))];
    if (fileSignature(files) === cached.signature) return cached.pkg;
  }
  const pkg = readPackage(dir, manifestFile);
  packageCache.set(dir, {
    signature: fileSignature([manifestFile, ...packageFiles(pkg.manifest).map((file) => path.join(dir, file))]),
    pkg,
  });
  return pkg;
}

function packageFiles(manifest: ModelManifest): string[] {
  return [
    manifest.file,
    ...(manifest.preprocessing.type === 'tokenizer'
      ? [manifest.preprocessing.tokenizer, ...(manifest.preprocessing.config ? [manifest.preprocessing.config] : [])]
      : []),
  ];
}

function readPackage(dir: string, manifestFile: string): ModelPackage {
  if (!fs.existsSync(manifestFile))
    throw new SiftError({ code: 'NOT_FOUND', message: `${dir}: no model.json in this folder.`, file: manifestFile });
  let raw: unknown;
  const text = fs.readFileSync(fileInside(dir, 'model.json', 'path'), 'utf8');
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${manifestFile}: ${jsonSyntaxProblem(error, text)}.`,
      file: manifestFile,
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${manifestFile}: ${schemaProblem(parsed.error.issues[0]!, 'manifest')}`,
      file: manifestFile,
    });
  const manifest = parsed.data;
  const files = packageFiles(manifest);
  const hash = crypto.createHash('sha256').update(fs.readFileSync(manifestFile));
  for (const file of files) {
    const full = path.join(dir, file);
    if (!fs.existsSync(full))
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `${full}: the file the manifest names is missing.`,
        file: full,
      });
    fileInside(dir, file, `${manifestFile}: a file the manifest names`); // never a file outside the model's folder
    hash.update(fs.readFileSync(full));
  }
  return { manifest, dir, hash: hash.digest('hex') };
}
