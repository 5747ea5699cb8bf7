/**
 * A model package: its manifest, the files it names, and a content hash over them all (any change is a different
 * model). Read once and re-read only when a file's size or modification time changes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SiftError } from '../../../shared/errors.js';
import { jsonSyntaxProblem, schemaProblem } from '../../../shared/jsonText.js';
import {
  IMAGE_ENCODER_KIND,
  type ImageEncoderManifest,
  imageEncoderManifestSchema,
  manifestKind,
  manifestSchema,
  type ModelManifest,
} from '../../../shared/modelManifest.js';
import { fileInside } from '../workspace/fileAccess.js';

export interface ModelPackage {
  manifest: ModelManifest;
  dir: string;
  /** sha256 over the manifest and every file it names: any change is a different model. */
  hash: string;
}

/** An image encoder's package (kind image-encoder): read, checked and hashed like a scoring model's. */
export interface EncoderPackage {
  manifest: ImageEncoderManifest;
  dir: string;
  hash: string;
}

type AnyPackage = ModelPackage | EncoderPackage;
const packageCache = new Map<string, { signature: string; pkg: AnyPackage }>();

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

/** A scoring model's package; an image encoder's folder is refused, saying what it is for. */
export function loadPackage(dir: string): ModelPackage {
  return load(dir, 'scoring') as ModelPackage;
}

/** An image encoder's package (kind image-encoder). */
export function loadEncoderPackage(dir: string): EncoderPackage {
  return load(dir, 'encoder') as EncoderPackage;
}

/** Whether a model folder holds an image encoder (its model.json's kind), without checking the rest. */
export function isEncoderFolder(dir: string): boolean {
  try {
    return manifestKind(JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))) === IMAGE_ENCODER_KIND;
  } catch {
    return false;
  }
}

type Want = 'scoring' | 'encoder';

function load(dir: string, want: Want): AnyPackage {
  const manifestFile = path.join(dir, 'model.json');
  const cached = packageCache.get(`${want}:${dir}`);
  if (cached) {
    const files = [manifestFile, ...packageFiles(cached.pkg.manifest).map((file) => path.join(dir, file))];
    if (fileSignature(files) === cached.signature) return cached.pkg;
  }
  const pkg = readPackage(dir, manifestFile, want);
  packageCache.set(`${want}:${dir}`, {
    signature: fileSignature([manifestFile, ...packageFiles(pkg.manifest).map((file) => path.join(dir, file))]),
    pkg,
  });
  return pkg;
}

function packageFiles(manifest: AnyPackage['manifest']): string[] {
  if (manifest.kind === IMAGE_ENCODER_KIND) return [manifest.file];
  return [
    manifest.file,
    ...(manifest.preprocessing.type === 'tokenizer'
      ? [manifest.preprocessing.tokenizer, ...(manifest.preprocessing.config ? [manifest.preprocessing.config] : [])]
      : []),
  ];
}

function readPackage(dir: string, manifestFile: string, want: Want): AnyPackage {
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
  if (want === 'scoring' && manifestKind(raw) === IMAGE_ENCODER_KIND)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${manifestFile}: this is an image encoder (kind ${IMAGE_ENCODER_KIND}), not a scoring model; a late_fusion model names it in its manifest's imageEncoder.`,
      file: manifestFile,
    });
  const parsed = want === 'scoring' ? manifestSchema.safeParse(raw) : imageEncoderManifestSchema.safeParse(raw);
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
  return { manifest, dir, hash: hash.digest('hex') } as AnyPackage;
}
