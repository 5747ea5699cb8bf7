/**
 * What DuckDB should read for the user's file: the file the user named, literally (never as a glob pattern), as
 * UTF-8 (a UTF-16 file is decoded into a temporary copy), with what to release afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { CsvDialect } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { openRegularFile } from '../workspace/fileAccess.js';
import type { Workspace } from '../workspace/workspace.js';
import { byteOrderMark } from './csvSniff.js';
import { readHead } from './readPlan.js';

/** DuckDB reads `*`, `?` and `[` in a path as a pattern; Sift reads the file the user named, literally. */
const GLOB_CHARACTERS = /[*?[\]]/;

/**
 * The path DuckDB should read for a user's file: the file itself, or for a name DuckDB would take as a pattern a
 * link to it under a plain name in the workspace's temporary folder (removed by `release`).
 */
function literalPath(workspace: Workspace, file: string, purpose: 'read' | 'link'): { path: string; release(): void } {
  if (!GLOB_CHARACTERS.test(file)) return { path: file, release: () => undefined };
  if (purpose === 'link') {
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${path.basename(file)}: a linked file's path may not contain *, ? or [ (DuckDB would read it as a pattern); rename the file or import a copy.`,
      file,
    });
  }
  const alias = path.join(
    workspace.tempDir(),
    `import-${randomUUID()}${path.extname(file).replace(GLOB_CHARACTERS, '')}`,
  );
  fs.symlinkSync(file, alias);
  return { path: alias, release: () => fs.rmSync(alias, { force: true }) };
}

/**
 * DuckDB reads UTF-8 text. A UTF-16 file (marked by its byte-order mark, or named so by the user) is decoded by
 * Sift into a UTF-8 copy in the workspace's temporary folder; a UTF-32 file is refused by name.
 */
function decodedPath(
  workspace: Workspace,
  file: string,
  purpose: 'read' | 'link',
  encoding: CsvDialect['encoding'] | undefined,
): { path: string; utf16: boolean; release(): void } {
  const plain = { path: file, utf16: false, release: () => undefined };
  const extension = path.extname(file).toLowerCase();
  if (extension === '.parquet' || extension === '.pq') return plain;
  let mark: ReturnType<typeof byteOrderMark> = null;
  try {
    mark = byteOrderMark(readHead(file, 4));
  } catch {
    return plain; // planRead names a missing or unreadable file
  }
  if (mark === 'utf-32le' || mark === 'utf-32be') {
    throw new SiftError({
      code: 'IMPORT_BAD_ENCODING',
      message: `${path.basename(file)}: the file is UTF-32 (${mark.toUpperCase()}), which Sift does not read; save it as UTF-8.`,
      file,
    });
  }
  const utf16 = mark === 'utf-16le' || mark === 'utf-16be' || (encoding === 'utf-16' && mark === null);
  if (!utf16) return plain;
  if (purpose === 'link') {
    throw new SiftError({
      code: 'IMPORT_BAD_ENCODING',
      message: `${path.basename(file)}: a linked file must be UTF-8 (this one is UTF-16); import a copy instead.`,
      file,
    });
  }
  const copy = path.join(workspace.tempDir(), `import-${randomUUID()}${extension}`);
  const decoder = new TextDecoder(mark === 'utf-16be' ? 'utf-16be' : 'utf-16le', { fatal: true });
  const input = openRegularFile(file);
  const output = fs.openSync(copy, 'w');
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const read = fs.readSync(input, buffer, 0, buffer.length, null);
      const text = decoder.decode(buffer.subarray(0, read), { stream: read > 0 });
      fs.writeSync(output, text.replace(/^\uFEFF/, ''));
      if (read === 0) break;
    }
  } catch (error) {
    fs.closeSync(output);
    fs.rmSync(copy, { force: true });
    if (error instanceof SiftError) throw error;
    throw new SiftError({
      code: 'IMPORT_BAD_ENCODING',
      message: `${path.basename(file)}: not valid UTF-16 text (${error instanceof Error ? error.message : error}).`,
      file,
    });
  } finally {
    fs.closeSync(input);
  }
  fs.closeSync(output);
  return { path: copy, utf16: true, release: () => fs.rmSync(copy, { force: true }) };
}

/** What DuckDB should read for the user's file — literal, UTF-8 — and how to clean up after. */
export function readablePath(
  workspace: Workspace,
  file: string,
  purpose: 'read' | 'link',
  encoding: CsvDialect['encoding'] | undefined,
): { path: string; utf16: boolean; release(): void } {
  const literal = literalPath(workspace, file, purpose);
  try {
    const decoded = decodedPath(workspace, literal.path, purpose, encoding);
    return {
      path: decoded.path,
      utf16: decoded.utf16,
      release: () => {
        decoded.release();
        literal.release();
      },
    };
  } catch (error) {
    literal.release();
    throw error;
  }
}
