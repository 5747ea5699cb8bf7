/**
 * Image embeddings of items' media, for a late-fusion model whose scoring query gives an item no `image_emb`: made
 * by the image encoder its manifest names from the item's first registered file (an image's original; a video's
 * first keyframe), kept in Sift's store (`image_embeddings`, keyed by the file's SHA-256 and the encoder's content
 * hash) and read back from there on later runs. The user's content is never written: it may be a linked file, and a
 * given image_emb always wins. Why the store: docs/media.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FLOAT, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { ImageEmbeddingCounts } from '../../../shared/contract.js';
import type { MediaFormat, MediaKind } from '../../../shared/media.js';
import { cacheDir, originalPath } from '../media/mediaStore.js';
import type { Workspace } from '../workspace/workspace.js';
import { type ImageEncoder, sharedEncoder } from './imageEncoder.js';
import type { EncoderPackage } from './modelPackage.js';
import type { ScoreItem } from './modelInputs.js';

/** Images decoded and encoded together (sharp decodes them in parallel on libuv's threads). */
const ENCODE_BATCH = 32;
/** Errors kept for the outcome; the counts say how many there were. */
const ERRORS_KEPT = 20;

interface FirstMedia {
  contentId: string;
  sha256: string;
  kind: MediaKind;
  format: MediaFormat;
  embedding: number[] | null;
}

/** A video's first keyframe as media.prepare leaves it in the file's cache folder. */
const firstKeyframePath = (workspaceDir: string, sha256: string) =>
  path.join(cacheDir(workspaceDir, sha256), 'keyframe-0.jpg');

const missing = (item: ScoreItem) => !item.imageEmb || item.imageEmb.length === 0;

/** Fills the image embeddings of a scoring run's items from their media, batch by batch. */
export class MediaEmbedder {
  readonly counts: ImageEmbeddingCounts;

  private constructor(
    private readonly workspace: Workspace,
    private readonly encoder: ImageEncoder,
  ) {
    const { name, version } = encoder.pkg.manifest;
    this.counts = { encoder: name, version, provider: encoder.provider, items: 0, computed: 0, failed: 0, errors: [] };
  }

  /**
   * An embedder for a run, or null when the workspace has no registered media: then the encoder is not even loaded
   * (a real one takes a while to load, on a GPU more).
   */
  static async create(workspace: Workspace, pkg: EncoderPackage): Promise<MediaEmbedder | null> {
    const files = await workspace.withStore(
      async (conn) => (await conn.runAndReadAll('SELECT count(*) FROM media_files')).getRowsJson()[0]![0],
    );
    return Number(files) > 0 ? new MediaEmbedder(workspace, await sharedEncoder(pkg)) : null;
  }

  /** Sets imageEmb on the items that have none and have media: from the store, else encoded now and stored. */
  async fill(items: ScoreItem[]): Promise<void> {
    const wanting = items.filter(missing);
    if (wanting.length === 0) return;
    const media = await this.firstMedia(wanting.map((item) => item.contentId));
    if (media.size === 0) return;
    const toEncode = new Map<string, FirstMedia>(); // by sha256: a reposted file is encoded once
    for (const file of media.values()) if (!file.embedding) toEncode.set(file.sha256, file);
    const made = await this.encodeAndStore([...toEncode.values()]);
    for (const item of wanting) {
      const file = media.get(item.contentId);
      if (!file) continue;
      const embedding = file.embedding ?? made.get(file.sha256);
      if (!embedding) continue;
      this.counts.items++;
      item.imageEmb = embedding;
    }
  }

  /**
   * Each item's first usable file (by position): one whose bytes Sift holds (status ok), or one whose embedding is
   * already stored — a purged restricted file keeps its embedding, as it keeps its hashes.
   */
  private async firstMedia(contentIds: string[]): Promise<Map<string, FirstMedia>> {
    const rows = await this.workspace.withStore(async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT m.content_id, m.sha256, m.kind, m.format, e.embedding
           FROM media_files m
           LEFT JOIN image_embeddings e ON e.sha256 = m.sha256 AND e.encoder_hash = $hash
           WHERE m.content_id IN (SELECT unnest($ids)) AND (m.status = 'ok' OR e.embedding IS NOT NULL)
           QUALIFY row_number() OVER (PARTITION BY m.content_id ORDER BY m.position) = 1`,
          { ids: listValue(contentIds), hash: this.encoder.pkg.hash },
          { ids: LIST(VARCHAR), hash: VARCHAR },
        )
      ).getRowsJson(),
    );
    return new Map(
      rows.map(([contentId, sha256, kind, format, embedding]) => [
        String(contentId),
        {
          contentId: String(contentId),
          sha256: String(sha256),
          kind: kind as MediaKind,
          format: format as MediaFormat,
          embedding: Array.isArray(embedding) ? embedding.map(Number) : null,
        },
      ]),
    );
  }

  /** The picture the encoder sees: an image's original, a video's first keyframe (made by media.prepare). */
  private source(file: FirstMedia): string | { error: string } {
    const dir = this.workspace.dir;
    if (file.kind === 'image') return originalPath(dir, file.sha256, file.format);
    const keyframe = firstKeyframePath(dir, file.sha256);
    return fs.existsSync(keyframe)
      ? keyframe
      : { error: `video ${file.sha256}.${file.format} has no keyframes yet (media.prepare makes them)` };
  }

  private async encodeAndStore(files: FirstMedia[]): Promise<Map<string, number[]>> {
    const made = new Map<string, number[]>();
    for (let start = 0; start < files.length; start += ENCODE_BATCH) {
      const chunk = files.slice(start, start + ENCODE_BATCH);
      const sources = chunk.map((file) => this.source(file));
      const readable = chunk.filter((_, i) => typeof sources[i] === 'string');
      const results = await this.encoder.encode(sources.filter((source) => typeof source === 'string'));
      for (const source of sources) if (typeof source !== 'string') this.fail(source.error);
      const stored: { sha256: string; embedding: number[] }[] = [];
      results.forEach((result, i) => {
        if ('error' in result) return this.fail(result.error);
        stored.push({ sha256: readable[i]!.sha256, embedding: Array.from(result.embedding) });
      });
      await this.store(stored);
      for (const { sha256, embedding } of stored) made.set(sha256, embedding);
      this.counts.computed += stored.length;
    }
    return made;
  }

  private fail(error: string): void {
    this.counts.failed++;
    if (this.counts.errors.length < ERRORS_KEPT) this.counts.errors.push(error);
  }

  /** Kept as they are made: an embedding is a cache of a file's bytes, useful even if the scoring run is cancelled. */
  private async store(rows: { sha256: string; embedding: number[] }[]): Promise<void> {
    if (rows.length === 0) return;
    const { name, version } = this.encoder.pkg.manifest;
    await this.workspace.withStore((conn) =>
      conn.run(
        `INSERT INTO image_embeddings (sha256, encoder, encoder_version, encoder_hash, embedding, computed_at)
         SELECT unnest($shas), $encoder, $version, $hash, unnest($embeddings), now()::TIMESTAMP
         ON CONFLICT DO NOTHING`,
        {
          shas: listValue(rows.map((row) => row.sha256)),
          embeddings: listValue(rows.map((row) => listValue(row.embedding))),
          encoder: name,
          version,
          hash: this.encoder.pkg.hash,
        },
        { shas: LIST(VARCHAR), embeddings: LIST(LIST(FLOAT)), encoder: VARCHAR, version: VARCHAR, hash: VARCHAR },
      ),
    );
  }
}
