/**
 * What a robustness run reads: the labelled positives per category with their text (labels as the evaluation reads
 * them: the vote rule over current_labels, or the user's labels query), and a sample of content for timing. One READ
 * ONLY transaction, interrupted on cancel.
 */
import { SiftError } from '../../../shared/errors.js';
import { labelCtes } from '../evaluation/pairsQuery.js';
import type { JobContext } from '../jobs.js';
import { readOnly, relationKind } from '../query/readOnlyQuery.js';
import { isInterrupt, messageOf } from '../workspace/duckdbErrors.js';
import type { Workspace } from '../workspace/workspace.js';

export interface Positives {
  /** Distinct items (an item positive in two categories is scored once). */
  texts: string[];
  /** Per category, the indexes into `texts` of its positives. */
  byCategory: Map<string, number[]>;
  /** Texts for the latency sample. */
  latencyTexts: string[];
}

/**
 * Up to `limit` positives of each of `categories`, picked by a hash of content_id (the same pick every run), and
 * `latencySample` texts of content picked the same way. Positives whose content has no text are left out.
 */
export async function readPositives(
  workspace: Workspace,
  input: { labels?: string; limit: number; latencySample: number },
  categories: readonly string[],
  ctx: JobContext,
): Promise<Positives> {
  return workspace.withConnection(async (conn) => {
    const onAbort = () => conn.interrupt();
    ctx.signal.addEventListener('abort', onAbort);
    try {
      return await readOnly(conn, async () => {
        if (!(await relationKind(conn, 'content')))
          throw new SiftError({
            code: 'NOT_FOUND',
            message:
              "content: robustness re-scores the positives' text, which needs the canonical table content (content_id, text); import and map it.",
          });
        const rows = (
          await conn.runAndReadAll(
            `WITH ${await labelCtes(conn, input.labels)},
              positives AS (SELECT DISTINCT content_id::VARCHAR AS content_id, category::VARCHAR AS category FROM labels WHERE label::INTEGER = 1),
              texts AS (SELECT content_id::VARCHAR AS content_id, any_value(text)::VARCHAR AS text FROM content
                        WHERE content_id::VARCHAR IN (SELECT content_id FROM positives) AND text IS NOT NULL GROUP BY 1)
            SELECT p.category, p.content_id, t.text FROM positives p JOIN texts t USING (content_id)
            QUALIFY row_number() OVER (PARTITION BY p.category ORDER BY hash(p.content_id), p.content_id) <= ${input.limit}
            ORDER BY p.category, hash(p.content_id), p.content_id`,
          )
        ).getRowsJson();
        const latencyTexts = input.latencySample
          ? (
              await conn.runAndReadAll(
                `SELECT text::VARCHAR FROM content WHERE text IS NOT NULL ORDER BY hash(content_id::VARCHAR), content_id::VARCHAR LIMIT ${input.latencySample}`,
              )
            )
              .getRowsJson()
              .map((row) => String(row[0]))
          : [];
        const index = new Map<string, number>();
        const texts: string[] = [];
        const byCategory = new Map<string, number[]>(categories.map((category) => [category, []]));
        for (const [category, contentId, text] of rows) {
          const members = byCategory.get(String(category));
          if (!members) continue; // a category this model does not score
          const id = String(contentId);
          let k = index.get(id);
          if (k === undefined) {
            k = texts.push(String(text)) - 1;
            index.set(id, k);
          }
          members.push(k);
        }
        return { texts, byCategory, latencyTexts };
      });
    } catch (error) {
      if (ctx.signal.aborted || isInterrupt(error))
        throw new SiftError({ code: 'CANCELLED', message: 'Robustness run cancelled.' });
      if (error instanceof SiftError) throw error;
      throw new SiftError({
        code: 'SQL_ERROR',
        message: `${input.labels ? 'The labels query' : 'Reading the labelled positives'} failed: ${messageOf(error)}`,
      });
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  });
}
