/**
 * Who may see which item's media: the owner every item's; an annotator's token only the items of her own batches
 * (shared/callerAccess.ts lets her call media.forItems and media.get; this is the per-item half of that rule).
 */
import type { Caller } from '../../../shared/callerAccess.js';
import { SiftError } from '../../../shared/errors.js';
import type { HostServices } from '../services.js';

export async function checkMediaAccess(
  host: HostServices,
  caller: Caller,
  method: string,
  contentIds: readonly string[],
): Promise<void> {
  if (caller.role === 'owner' || contentIds.length === 0) return;
  const labeling = await host.labeling();
  const outside = labeling.notHandedTo(caller.annotator, contentIds);
  if (outside.length > 0)
    throw new SiftError({
      code: 'FORBIDDEN',
      message: `${method}: item ${outside[0]} is not in a batch of ${caller.annotator}'s; an annotator's token sees the media of her own batches only.`,
    });
}
