/**
 * The shield facts of items for a viewer (shared/media.ts MediaShieldFacts): sensitivity by wellness's rule
 * (shield.ts, shared/mediaShield.ts) — sensitive media stay shielded and the viewer's blur-off preference does not
 * apply to them — and restricted by restricted media's (restrictedAccess.ts: only the shielded rendition is served
 * until the owner approves; a failure to read that fails closed).
 */
import type { Caller } from '../../../shared/callerAccess.js';
import type { MediaShieldFacts } from '../../../shared/media.js';
import { blurOffRefusal, UNKNOWN_SHIELD_FACTS } from '../../../shared/mediaShield.js';
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
      const facts = sensitivity.get(id) ?? UNKNOWN_SHIELD_FACTS;
      return [
        id,
        {
          sensitive: facts.sensitive,
          because: facts.because,
          mayUnblur: blurOffRefusal(facts) === null,
          restricted: isRestricted.get(id) ?? true,
        },
      ];
    }),
  );
}
