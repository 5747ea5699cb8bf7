/**
 * Media of content items (issue 26, docs/media.md): what the UI may ask for. It never receives an original file,
 * only derivatives Sift made, as base64 in JSON (one path for IPC and HTTP). An annotator's token reaches
 * media.forItems and media.get for the items of her own batches and adjudication only (shared/callerAccess.ts and
 * electron/host/media/mediaAccess.ts).
 */
import { z } from 'zod/v3';
import { type ItemMedia, MEDIA_RENDITIONS, type MediaGetResult, type MediaPrepareResult } from '../media.js';
import { job, method, nonEmpty } from './base.js';

export type { ItemMedia, MediaFileInfo, MediaGetResult, MediaPrepareResult, MediaRendition } from '../media.js';

const contentId = nonEmpty('contentId').max(512);

export const mediaMethods = {
  /** Per item, its registered media (in position order) and shield facts; an item without media has an empty list. */
  'media.forItems': method<ItemMedia[]>()(
    z.object({ contentIds: z.array(contentId).max(500, 'contentIds: at most 500 items at a time') }).strict(),
  ),
  /**
   * One derivative of one file: made on demand when not cached. `frame` picks a keyframe (rendition `keyframe`).
   * A file that cannot be decoded (corrupt, truncated, a bomb) answers a placeholder and the reason, never an error.
   */
  'media.get': method<MediaGetResult>()(
    z
      .object({
        contentId,
        position: z.number().int().min(0).default(0),
        rendition: z.enum(MEDIA_RENDITIONS),
        frame: z.number().int().min(0).optional(),
      })
      .strict(),
  ),
  /**
   * Makes (or finds cached) every derivative of the registered media — of the given items, or of all — and their
   * perceptual hashes, off the serving thread, with progress; cancellable.
   */
  'media.prepare': job<MediaPrepareResult>()(z.object({ contentIds: z.array(contentId).optional() }).strict()),
} as const;
