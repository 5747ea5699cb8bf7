/**
 * Which registered media are restricted now (shared/restrictedMedia.ts's rule over the store's current labels), read
 * in one store query. Restriction follows the bytes: every item carrying a file (same SHA-256) that a restricted item
 * carries is restricted too, whether or not it was labeled itself.
 */
import { currentLabelsSql } from '../../../shared/canonical.js';
import { type CriticalMark, restrictedItemsSql } from '../../../shared/restrictedMedia.js';
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
 * The restricted media files, all of them or those of `contentIds` only (media.get asks about one item: the label
 * events read are then only those of the items sharing its bytes, plus undos, which may name no item).
 */
export async function restrictedFiles(
  workspace: Workspace,
  marks: readonly CriticalMark[],
  contentIds?: readonly string[],
): Promise<RestrictedFile[]> {
  if (marks.length === 0 || contentIds?.length === 0) return [];
  const ids = contentIds ? `(${contentIds.map(() => '?').join(', ')})` : '';
  const sharing = contentIds
    ? `SELECT content_id::VARCHAR FROM media_files WHERE sha256 IN (SELECT sha256 FROM media_files WHERE content_id::VARCHAR IN ${ids})`
    : '';
  const events = contentIds
    ? `(SELECT * FROM label_events WHERE kind = 'undo' OR content_id::VARCHAR IN (${sharing}))`
    : 'label_events';
  return workspace.withStore(async (conn) => {
    const rows = (
      await conn.runAndReadAll(
        `WITH cur AS (${currentLabelsSql(events)}),
         items AS (${restrictedItemsSql('cur', marks)}),
         bytes AS (SELECT m.sha256, min(i.restricted_since) AS since
                   FROM media_files m JOIN items i ON i.content_id = m.content_id::VARCHAR GROUP BY 1)
         SELECT m.content_id::VARCHAR, m.position, m.sha256, m.status, epoch_ms(m.registered_at::TIMESTAMP), epoch_ms(b.since)
         FROM media_files m JOIN bytes b USING (sha256)
         ${contentIds ? `WHERE m.content_id::VARCHAR IN ${ids}` : ''}
         ORDER BY 1, 2`,
        contentIds ? [...contentIds, ...contentIds] : [],
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
