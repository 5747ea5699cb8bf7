/**
 * The shield facts of items for a viewer (shared/media.ts MediaShieldFacts). Wellness (shared/mediaShield.ts) and
 * restricted media fill in the rule; until then every item's media is shown shielded by default and may be revealed.
 */
import type { Caller } from '../../../shared/callerAccess.js';
import type { MediaShieldFacts } from '../../../shared/media.js';
import type { HostServices } from '../services.js';

export async function shieldFactsFor(
  _host: HostServices,
  _caller: Caller,
  contentIds: readonly string[],
): Promise<Map<string, MediaShieldFacts>> {
  return new Map(contentIds.map((id) => [id, { sensitive: false, mayUnblur: true, restricted: false }]));
}
