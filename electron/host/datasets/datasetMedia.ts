/**
 * A dataset version's media (issue 26): each exported item's registered files (the store's `media_files`) copied from
 * the workspace's originals into the version's `media/<sha256>.<ext>`, one copy per distinct file, each copy hashed
 * against its name; the rows' media columns (paths relative to the version); and the bytes never copied — restricted
 * items, purged or undecodable files — whose hash (and embedding) the rows still carry.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type DuckDBAppender, FLOAT, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { DatasetMedia, DatasetMediaFile } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { MEDIA_EXTENSIONS, type MediaFileInfo, type MediaFormat, type MediaKind } from '../../../shared/media.js';
import type { JobContext } from '../jobs.js';
import { mediaOfItems, originalPath } from '../media/mediaStore.js';
import { restrictedNow } from '../media/restrictedAccess.js';
import type { HostServices } from '../services.js';
import type { Workspace } from '../workspace/workspace.js';
import { syncFile, syncFolder } from './datasetVersions.js';

/** The folder of a version that holds its media files. */
export const DATASET_MEDIA_DIR = 'media';
/** A media file's path in a version: `media/<sha256>.<ext>`, nothing else (verify refuses any other). */
export const DATASET_MEDIA_PATH = new RegExp(
  `^${DATASET_MEDIA_DIR}/([0-9a-f]{64})\\.(${[...new Set(Object.values(MEDIA_EXTENSIONS))].join('|')})$`,
);

/** An exported item's media as its row carries it. */
export interface ItemMediaColumns {
  /** Paths relative to the version of the files whose bytes it holds, by kind, in the item's order. */
  image: string[];
  video: string[];
  /** Every registered file of the item, in order, whether its bytes are in the version or not. */
  sha256s: string[];
  embedding: number[] | null;
}

export interface DatasetMediaPlan {
  byItem: Map<string, ItemMediaColumns>;
  columns: DatasetMedia['columns'];
  /** The distinct files to copy, in path order. */
  copies: { sha256: string; kind: MediaKind; format: MediaFormat; source: string; path: string }[];
  withheld: DatasetMedia['withheld'];
  embeddingEncoder: DatasetMedia['embeddingEncoder'];
}

/** Of these items' media, the SHA-256s a version may carry only as hashes (and embeddings), never as bytes. */
export type RestrictedMedia = (contentIds: string[]) => Promise<Set<string>>;

/**
 * The one call site of the restricted rule in datasets (issue 26, item 8): the media of an item labeled in a
 * critical-severity leaf (csam) — and every copy of those bytes, whichever item carries it — never leaves the
 * workspace as bytes. The restricted part's `restrictedNow` reads the store's labels and those it does not hold yet.
 */
export function restrictedMediaForDataset(host: HostServices): RestrictedMedia {
  return async (contentIds) => new Set((await restrictedNow(host, contentIds)).map((file) => file.sha256));
}

/**
 * The items' image embeddings, as scoring reads them: the content's own `image_emb` wins; else the one Sift computed
 * from the item's first file that has one (the store's `image_embeddings`, electron/host/models/imageEmbeddings.ts),
 * all from one encoder — the one that computed last — so that a version never mixes two encoders' spaces.
 */
async function imageEmbeddings(
  workspace: Workspace,
  contentIds: Set<string>,
): Promise<{ byItem: Map<string, number[]>; encoder: DatasetMedia['embeddingEncoder'] }> {
  const given = await givenImageEmbeddings(workspace, contentIds);
  const wanting = [...contentIds].filter((id) => !given.has(id));
  if (wanting.length === 0) return { byItem: given, encoder: null };
  const rows = await workspace.withStore(
    async (conn) =>
      (
        await conn.runAndReadAll(
          `WITH files AS (SELECT content_id::VARCHAR AS content_id, position, sha256 FROM media_files WHERE list_contains($ids, content_id::VARCHAR)),
           latest AS (SELECT e.encoder_hash, e.encoder, e.encoder_version FROM image_embeddings e JOIN files USING (sha256)
                      ORDER BY e.computed_at DESC LIMIT 1)
           SELECT f.content_id, e.embedding, l.encoder, l.encoder_version
           FROM files f JOIN image_embeddings e USING (sha256) JOIN latest l USING (encoder_hash)
           QUALIFY row_number() OVER (PARTITION BY f.content_id ORDER BY f.position) = 1`,
          { ids: listValue(wanting) },
          { ids: LIST(VARCHAR) },
        )
      ).getRowsJson() as [string, number[], string, string][],
  );
  for (const [id, embedding] of rows) given.set(id, embedding.map(Number));
  return { byItem: given, encoder: rows[0] ? { name: rows[0][2], version: rows[0][3] } : null };
}

/** The content's own `image_emb`, where the workspace's content has that column. */
async function givenImageEmbeddings(workspace: Workspace, contentIds: Set<string>): Promise<Map<string, number[]>> {
  return workspace.withConnection(async (conn) => {
    const [hasColumn] = (
      await conn.runAndReadAll(
        `SELECT count(*) > 0 FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = 'content' AND column_name = 'image_emb'`,
      )
    ).getRowsJson()[0]!;
    if (hasColumn !== true) return new Map();
    const rows = (
      await conn.runAndReadAll(
        'SELECT content_id::VARCHAR, image_emb::FLOAT[] FROM content WHERE image_emb IS NOT NULL',
      )
    ).getRowsJson() as [string, number[]][];
    return new Map(rows.filter(([id]) => contentIds.has(id)).map(([id, embedding]) => [id, embedding.map(Number)]));
  });
}

/** The SHA-256s of these items' registered media (any status). */
export async function registeredSha256s(workspace: Workspace, contentIds: string[]): Promise<string[]> {
  if (contentIds.length === 0) return [];
  return (await mediaOfItems(workspace, contentIds)).map((file) => file.sha256);
}

/** What the version will carry of these items' media; null when none of them has any (the rows stay as they were). */
export async function planDatasetMedia(
  workspace: Workspace,
  contentIds: string[],
  restrictedMedia: RestrictedMedia,
): Promise<DatasetMediaPlan | null> {
  const files: MediaFileInfo[] = await mediaOfItems(workspace, contentIds);
  if (files.length === 0) return null;
  const withMedia = [...new Set(files.map((file) => file.contentId))];
  const restricted = await restrictedMedia(withMedia);
  const embeddings = await imageEmbeddings(workspace, new Set(withMedia));
  const byItem = new Map<string, ItemMediaColumns>();
  const copies = new Map<string, DatasetMediaPlan['copies'][number]>();
  const withheld = { restricted: 0, purged: 0, error: 0 };
  const several = { image: false, video: false };
  const perKind = new Map<string, number>(); // `<kind> <content_id>` → its files of that kind
  for (const file of files) {
    const key = `${file.kind} ${file.contentId}`;
    perKind.set(key, (perKind.get(key) ?? 0) + 1);
    if (perKind.get(key)! > 1) several[file.kind] = true;
    let item = byItem.get(file.contentId);
    if (!item) {
      item = { image: [], video: [], sha256s: [], embedding: embeddings.byItem.get(file.contentId) ?? null };
      byItem.set(file.contentId, item);
    }
    item.sha256s.push(file.sha256);
    // Bytes only of a readable file of an item that is not restricted; the rest are known by their hash alone.
    if (restricted.has(file.sha256)) withheld.restricted++;
    else if (file.status === 'purged') withheld.purged++;
    else if (file.status !== 'ok') withheld.error++;
    else {
      const relative = `${DATASET_MEDIA_DIR}/${file.sha256}.${MEDIA_EXTENSIONS[file.format]}`;
      item[file.kind].push(relative);
      copies.set(relative, {
        sha256: file.sha256,
        kind: file.kind,
        format: file.format,
        source: originalPath(workspace.dir, file.sha256, file.format),
        path: relative,
      });
    }
  }
  // A column per kind any item has; a list column when some item has several files of that kind.
  const columns: DatasetMedia['columns'] = (['image', 'video'] as const)
    .filter((kind) => files.some((file) => file.kind === kind))
    .map((kind) => ({ name: kind, list: several[kind] }));
  return {
    byItem,
    columns,
    copies: [...copies.values()].sort((a, b) => a.path.localeCompare(b.path)),
    withheld,
    embeddingEncoder: embeddings.encoder,
  };
}

/** The rows' media columns, after the label columns: the kinds' paths, every file's hash, the image embedding. */
export function mediaColumnNames(plan: DatasetMediaPlan): string[] {
  return [...plan.columns.map((column) => column.name), 'media_sha256', 'image_emb'];
}

/** The media columns' declarations in the staging table (a kind's column is a list when some item has several). */
export function mediaColumnsDdl(plan: DatasetMediaPlan): string {
  return [
    ...plan.columns.map((column) => `${column.name} ${column.list ? 'VARCHAR[]' : 'VARCHAR'}`),
    'media_sha256 VARCHAR[]',
    'image_emb FLOAT[]',
  ].join(', ');
}

/** Appends an item's media columns to a staging row (NULL where it has none of a kind, or no embedding). */
export function appendMediaColumns(appender: DuckDBAppender, plan: DatasetMediaPlan, contentId: string): void {
  const item = plan.byItem.get(contentId);
  for (const column of plan.columns) {
    const paths = item?.[column.name] ?? [];
    if (paths.length === 0) appender.appendNull();
    else if (column.list) appender.appendList(paths, LIST(VARCHAR));
    else appender.appendVarchar(paths[0]!);
  }
  if (item) appender.appendList(item.sha256s, LIST(VARCHAR));
  else appender.appendNull();
  if (item?.embedding) appender.appendList(item.embedding, LIST(FLOAT));
  else appender.appendNull();
}

/** The SHA-256 of a file read in chunks (a video may be large). */
export function sha256OfFile(file: string): string {
  const hash = crypto.createHash('sha256');
  const buffer = Buffer.alloc(1 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (let read = fs.readSync(fd, buffer); read > 0; read = fs.readSync(fd, buffer))
      hash.update(buffer.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Copies the plan's files into `<staging>/media/`, each checked against the SHA-256 it is registered under (an
 * original altered or lost in the workspace stops the export, naming it: nothing is published) and synced.
 */
export function copyDatasetMedia(plan: DatasetMediaPlan, staging: string, ctx: JobContext): DatasetMediaFile[] {
  if (plan.copies.length === 0) return [];
  fs.mkdirSync(path.join(staging, DATASET_MEDIA_DIR));
  return plan.copies.map((copy, i) => {
    if (ctx.signal.aborted)
      throw new SiftError({ code: 'CANCELLED', message: 'Dataset export cancelled; nothing was published.' });
    if (i % 50 === 0) ctx.progress(i / plan.copies.length, `Copying media ${i + 1} of ${plan.copies.length}`);
    const target = path.join(staging, copy.path);
    try {
      fs.copyFileSync(copy.source, target, fs.constants.COPYFILE_FICLONE);
    } catch (error) {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${copy.source}: the registered original of media ${copy.sha256} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was published.`,
      });
    }
    if (sha256OfFile(target) !== copy.sha256)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${copy.source}: its bytes no longer have the SHA-256 it was registered under; nothing was published.`,
      });
    syncFile(target);
    if (i === plan.copies.length - 1) syncFolder(path.dirname(target));
    return {
      path: copy.path,
      sha256: copy.sha256,
      bytes: fs.statSync(target).size,
      kind: copy.kind,
      format: copy.format,
    };
  });
}
