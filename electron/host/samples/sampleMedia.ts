/**
 * The sample's media (sample-data/sampleMedia.ts wrote them): the paths in content's `media` column, relative to the
 * sample folder, registered through mediacore's registration like an import's (docs/media.md) — the sample folder
 * is the folder they may come from, as an imported file's own folder is.
 */
import { commitMedia, discardStaged, type MediaReference, stageMedia } from '../media/registration.js';
import type { Workspace } from '../workspace/workspace.js';

/** Each item with media, in the content table's order (its row number names it if a file is refused). */
export async function sampleMediaReferences(workspace: Workspace): Promise<MediaReference[]> {
  return workspace.withConnection(async (conn) => {
    const column = await conn.runAndReadAll(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'content' AND column_name = 'media'",
    );
    if (column.currentRowCount === 0) return [];
    const reader = await conn.runAndReadAll(
      `SELECT content_id, media, row FROM (SELECT content_id, media, row_number() OVER () AS row FROM content)
       WHERE media IS NOT NULL ORDER BY row`,
    );
    return reader.getRowsJson().map(([contentId, media, row]) => ({
      contentId: String(contentId),
      row: Number(row),
      paths: [String(media)],
    }));
  });
}

/**
 * Registers the sample's media files; answers how many rows. Each distinct path is checked and copied once (the
 * campaign's 105 exact reposts share one file), then every item showing it gets its own registry row: the same
 * registration an import makes, with `sift sample` kept quick.
 */
export async function registerSampleMedia(workspace: Workspace, sampleDir: string): Promise<number> {
  const refs = await sampleMediaReferences(workspace);
  if (refs.length === 0) return 0;
  const first = new Map<string, MediaReference>();
  for (const ref of refs) if (!first.has(ref.paths[0]!)) first.set(ref.paths[0]!, ref);
  const staged = await stageMedia(workspace, [...first.values()], sampleDir);
  const rowOf = new Map(staged.rows.map((row) => [row.contentId, row]));
  const rows = refs.map((ref) => ({ ...rowOf.get(first.get(ref.paths[0]!)!.contentId)!, contentId: ref.contentId }));
  const all = { ...staged, contentIds: refs.map((ref) => ref.contentId), rows };
  try {
    await commitMedia(workspace, all);
  } catch (error) {
    discardStaged(all);
    throw error;
  }
  return rows.length;
}
