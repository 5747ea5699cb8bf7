/** The media part of the contract (shared/contract/media.ts): an item's media, one derivative, preparing them all. */
import type { mediaMethods } from '../../../shared/contract/media.js';
import type { ItemMedia } from '../../../shared/media.js';
import type { Handlers, HostServices } from '../services.js';
import { checkMediaAccess } from './mediaAccess.js';
import { mediaOfItems } from './mediaStore.js';
import { shieldFactsFor } from './shieldFacts.js';

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
    'media.get': async ({ contentId }, caller) => {
      await checkMediaAccess(host, caller, 'media.get', [contentId]);
      return { status: 'placeholder', reason: 'Media derivatives are not implemented yet.' };
    },
    'media.prepare': async ({ contentIds }) => {
      const job = host.jobs.start('media.prepare', 'Prepare media', async () => {
        const files = await mediaOfItems(host.workspace, contentIds);
        // Derivatives land in the next step (docs/media.md); until then nothing is prepared.
        return { files: files.length, prepared: 0, cached: 0, failed: 0, errors: [] };
      });
      return { jobId: job.id };
    },
  };
}
