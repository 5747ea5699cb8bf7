/** The media part of the contract (shared/contract/media.ts): an item's media, one derivative, preparing them all. */
import fs from 'node:fs';
import type { Caller } from '../../../shared/callerAccess.js';
import type { mediaMethods } from '../../../shared/contract/media.js';
import { type ItemMedia, type MediaGetResult, RENDITION_MIME } from '../../../shared/media.js';
import type { Handlers, HostServices } from '../services.js';
import { ensureDerivative, MediaDecodeError } from './derivatives.js';
import { checkMediaAccess } from './mediaAccess.js';
import { mediaFile, mediaOfItems, setMediaStatus, sourcePaths } from './mediaStore.js';
import { prepareMedia } from './prepare.js';
import { restrictedServing } from './restrictedAccess.js';
import { shieldFactsFor } from './shieldFacts.js';
import { loadSharp } from './sharpLoader.js';

const placeholder = (reason: string): MediaGetResult => ({ status: 'placeholder', reason });

export function mediaHandlers(host: HostServices): Handlers<keyof typeof mediaMethods> {
  return {
    'media.forItems': async ({ contentIds }, caller) => {
      await checkMediaAccess(host, caller, 'media.forItems', contentIds);
      const files = await mediaOfItems(host.workspace, contentIds);
      const shields = await shieldFactsFor(host, caller, contentIds);
      return contentIds.map((contentId): ItemMedia => ({
        contentId,
        media: files.filter((file) => file.contentId === contentId),
        shield: shields.get(contentId)!,
      }));
    },
    'media.get': async (input, caller) => {
      await checkMediaAccess(host, caller, 'media.get', [input.contentId]);
      return getDerivative(host, caller, input);
    },
    'media.prepare': async ({ contentIds }) => {
      const job = host.jobs.start('media.prepare', 'Prepare media', (ctx) =>
        prepareMedia(host.workspace, contentIds, ctx),
      );
      return { jobId: job.id };
    },
  };
}

/**
 * One derivative as base64, made on demand when not cached. Restricted media (restrictedAccess.ts) get only the
 * shielded rendition until the owner approves; a file that cannot be decoded gets a placeholder naming the problem
 * (and is recorded so), never an error.
 */
async function getDerivative(
  host: HostServices,
  caller: Caller,
  request: {
    contentId: string;
    position: number;
    rendition: 'thumb' | 'display' | 'keyframe' | 'video';
    frame?: number;
  },
): Promise<MediaGetResult> {
  const { contentId, position, rendition } = request;
  const file = await mediaFile(host.workspace, contentId, position);
  if (!file) return placeholder(`Item ${contentId} has no media at position ${position}.`);
  if (file.status === 'purged')
    return placeholder('The bytes of this media were purged (retention); its hashes and labels stay.');
  const frame = request.frame ?? 0;
  if (rendition === 'keyframe' && (file.kind !== 'video' || frame >= file.frames))
    return placeholder(
      file.kind === 'video'
        ? `This video has ${file.frames} keyframes (0–${file.frames - 1}).`
        : 'A picture has no keyframes.',
    );
  if (rendition === 'video' && file.kind !== 'video') return placeholder('A picture has no video rendition.');
  const serving = await restrictedServing(host, caller, { contentId, position, rendition });
  if (serving === 'purged')
    return placeholder('The bytes of this media were purged (retention); its hashes and labels stay.');
  const shielded = serving === 'shielded';
  let derivative: string;
  try {
    derivative = await ensureDerivative(host.workspace.dir, file, shielded ? 'shielded' : rendition, frame);
  } catch (error) {
    if (!(error instanceof MediaDecodeError)) throw error;
    const source = (await sourcePaths(host.workspace, [file.sha256])).get(file.sha256) ?? file.sha256;
    const message = `${source}: ${error.message}`;
    await setMediaStatus(host.workspace, file.sha256, 'error', message);
    return placeholder(message);
  }
  const bytes = await fs.promises.readFile(derivative);
  const mime = shielded ? 'image/jpeg' : RENDITION_MIME[rendition];
  let width = file.width;
  let height = file.height;
  if (mime.startsWith('image/')) {
    const metadata = await (await loadSharp())(bytes).metadata();
    width = metadata.width ?? width;
    height = metadata.height ?? height;
  }
  return { status: 'ok', mime, dataBase64: bytes.toString('base64'), width, height, shielded };
}
