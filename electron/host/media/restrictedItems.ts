/**
 * Which registered media are restricted now (shared/restrictedMedia.ts's rule over the current labels), read in one
 * store query. Restriction follows the bytes: every item carrying a file (same SHA-256) that a restricted item
 * carries is restricted too, whether or not it was labeled itself.
 */
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { currentLabelsSql } from '../../../shared/canonical.js';
import type { LabelEvent } from '../../../shared/labeling.js';
import { type CriticalMark, isRestrictingLabel, restrictedItemsSql } from '../../../shared/restrictedMedia.js';
import type { Workspace } from '../workspace/workspace.js';

/** One registered media file (media_files row) that is restricted. */
export interface RestrictedFile {
  contentId: string;
  position: number;
  sha256: string;
  status: string;
  registeredAt: Date;
  /** The earliest restricting label among the items carrying these bytes. */
  restrictedSince: Date;
}

/**
 * The items a label the store does not hold yet restricts (the store follows the label journal within seconds). An
 * undo among them is not applied: until the store has it, the item stays restricted — the rule fails closed.
 */
export function restrictedByUnsynced(events: readonly LabelEvent[], marks: readonly CriticalMark[]): string[] {
  return events
    .filter(
      (event) =>
        (event.kind === 'label' || event.kind === 'adjudicate') &&
        event.content_id !== null &&
        event.category !== null &&
        event.value !== null &&
        isRestrictingLabel(
          { category: event.category, value: event.value, leaf: event.leaf, policyVersion: event.policy_version },
          marks,
        ),
    )
    .map((event) => event.content_id!);
}

/**
 * The restricted media files, all of them or those of `contentIds` only (media.get asks about one item: the label
 * events read are then only those of the items sharing its bytes, plus undos, which may name no item). `unsynced`:
 * items restricted by labels not in the store yet (restrictedByUnsynced).
 */
export async function restrictedFiles(
  workspace: Workspace,
  marks: readonly CriticalMark[],
  contentIds?: readonly string[],
  unsynced: readonly string[] = [],
): Promise<RestrictedFile[]> {
  if (marks.length === 0 || contentIds?.length === 0) return [];
  const events = contentIds
    ? `(SELECT * FROM label_events WHERE kind = 'undo' OR content_id::VARCHAR IN (
         SELECT content_id::VARCHAR FROM media_files
         WHERE sha256 IN (SELECT sha256 FROM media_files WHERE list_contains($ids, content_id::VARCHAR))))`
    : 'label_events';
  return workspace.withStore(async (conn) => {
    const rows = (
      await conn.runAndReadAll(
        `WITH cur AS (${currentLabelsSql(events)}),
         items AS (${restrictedItemsSql('cur', marks)}
                   UNION ALL SELECT unnest($unsynced) AS content_id, current_timestamp::TIMESTAMP AS restricted_since),
         bytes AS (SELECT m.sha256, min(i.restricted_since) AS since
                   FROM media_files m JOIN items i ON i.content_id = m.content_id::VARCHAR GROUP BY 1)
         SELECT m.content_id::VARCHAR, m.position, m.sha256, m.status, epoch_ms(m.registered_at::TIMESTAMP), epoch_ms(b.since)
         FROM media_files m JOIN bytes b USING (sha256)
         ${contentIds ? 'WHERE list_contains($ids, m.content_id::VARCHAR)' : ''}
         ORDER BY 1, 2`,
        {
          unsynced: listValue([...unsynced]),
          ...(contentIds ? { ids: listValue([...contentIds]) } : {}),
        },
        { unsynced: LIST(VARCHAR), ...(contentIds ? { ids: LIST(VARCHAR) } : {}) },
      )
    ).getRowsJson();
    return rows.map(([contentId, position, sha256, status, registeredAt, since]) => ({
      contentId: String(contentId),
      position: Number(position),
      sha256: String(sha256),
      status: String(status),
      registeredAt: new Date(Number(registeredAt)),
      restrictedSince: new Date(Number(since)),
    }));
  });
}
