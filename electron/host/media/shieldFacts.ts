/**
 * The shield facts of items for a viewer (shared/media.ts MediaShieldFacts): sensitive by wellness's rule
 * (shield.ts, shared/mediaShield.ts) — and then the blur may not be turned off — and restricted by restricted
 * media's (restrictedAccess.ts: only the shielded rendition is served until the owner approves).
 */
import type { Caller } from '../../../shared/callerAccess.js';
import type { MediaShieldFacts } from '../../../shared/media.js';
import type { HostServices } from '../services.js';
import { standings } from './restrictedAccess.js';
import { sensitivityOf } from './shield.js';

export async function shieldFactsFor(
  host: HostServices,
  caller: Caller,
  contentIds: readonly string[],
): Promise<Map<string, MediaShieldFacts>> {
  const [sensitivity, restricted] = await Promise.all([
    sensitivityOf(host, contentIds),
    standings(host, caller, contentIds).catch(() => contentIds.map((contentId) => ({ contentId, restricted: true }))),
  ]);
  const isRestricted = new Map(restricted.map((standing) => [standing.contentId, standing.restricted]));
  return new Map(
    contentIds.map((id) => {
      const sensitive = sensitivity.get(id)?.sensitive ?? true;
      return [id, { sensitive, mayUnblur: !sensitive, restricted: isRestricted.get(id) ?? true }];
    }),
  );
}
