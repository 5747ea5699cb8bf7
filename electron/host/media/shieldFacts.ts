/**
 * The shield facts of items for a viewer (shared/media.ts MediaShieldFacts): sensitivity by wellness's rule
 * (shield.ts, shared/mediaShield.ts) — sensitive media stay shielded and the viewer's blur-off preference does not
 * apply to them. Restricted media (restricted*.ts) fill `restricted`.
 */
import type { Caller } from '../../../shared/callerAccess.js';
import type { MediaShieldFacts } from '../../../shared/media.js';
import { blurOffRefusal, UNKNOWN_SHIELD_FACTS } from '../../../shared/mediaShield.js';
import type { HostServices } from '../services.js';
import { restrictedNow } from './restrictedAccess.js';
import { sensitivityOf } from './shield.js';

export async function shieldFactsFor(
  host: HostServices,
  _caller: Caller,
  contentIds: readonly string[],
): Promise<Map<string, MediaShieldFacts>> {
  const sensitivity = await sensitivityOf(host, contentIds);
  // Restricted: any of the item's files is (restrictedNow); what cannot be read counts as restricted.
  const restricted = await restrictedNow(host, contentIds).then(
    (files) => new Set(files.map((file) => file.contentId)),
    () => new Set(contentIds),
  );
  return new Map(
    contentIds.map((id) => {
      const facts = sensitivity.get(id) ?? UNKNOWN_SHIELD_FACTS;
      return [
        id,
        {
          sensitive: facts.sensitive,
          because: facts.because,
          mayUnblur: blurOffRefusal(facts) === null,
          restricted: restricted.has(id),
        },
      ];
    }),
  );
}
