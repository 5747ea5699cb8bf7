/**
 * The shield facts of items (shared/mediaShield.ts's rule applied to what the workspace knows): the latest policy,
 * every annotator's current positive labels (the store's label_events) and every model's scores (model_scores)
 * against the lowest escalate threshold the registered models declare for the category. media.forItems hands these
 * out with the media list; wellness.exposure.record counts a reveal only when the item is sensitive.
 */
import { CURRENT_LABELS_SQL } from '../../../shared/canonical.js';
import { shieldFacts, type ShieldFacts } from '../../../shared/mediaShield.js';
import type { Thresholds } from '../../../shared/routing.js';
import type { HostServices } from '../services.js';

/** Per content id, whether its media are sensitive and why. Never throws: what cannot be read counts as sensitive. */
export async function sensitivityOf(
  host: HostServices,
  contentIds: readonly string[],
): Promise<Map<string, ShieldFacts>> {
  const ids = [...new Set(contentIds)];
  const out = new Map<string, ShieldFacts>();
  if (ids.length === 0) return out;
  let taxonomy;
  try {
    taxonomy = (await host.labeling()).taxonomy().taxonomy;
  } catch (error) {
    const because = `the policy could not be read (${error instanceof Error ? error.message : String(error)})`;
    for (const id of ids) out.set(id, { sensitive: true, because });
    return out;
  }
  const [labels, scores, thresholds] = await Promise.all([
    currentPositiveLabels(host, ids),
    latestScores(host, ids),
    escalateThresholds(host),
  ]);
  for (const id of ids)
    out.set(id, shieldFacts(taxonomy, { labels: labels.get(id) ?? [], scores: scores.get(id) ?? {} }, thresholds));
  return out;
}

async function currentPositiveLabels(
  host: HostServices,
  ids: string[],
): Promise<Map<string, { category: string; leaf: string | null }[]>> {
  const rows = await host.workspace.withStore(async (conn) =>
    (
      await conn.runAndReadAll(
        `SELECT content_id, category, leaf FROM (${CURRENT_LABELS_SQL})
         WHERE value = '1' AND content_id IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`,
        { ids: JSON.stringify(ids) },
      )
    ).getRowsJson(),
  );
  const out = new Map<string, { category: string; leaf: string | null }[]>();
  for (const [id, category, leaf] of rows) {
    const list = out.get(String(id)) ?? [];
    list.push({ category: String(category), leaf: leaf === null ? null : String(leaf) });
    out.set(String(id), list);
  }
  return out;
}

/** Every model's highest score per category for the items (conservative: any model's alarm shields). */
async function latestScores(host: HostServices, ids: string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  let rows: unknown[][];
  try {
    rows = await host.workspace.withConnection(async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT content_id::VARCHAR, category::VARCHAR, max(score)::DOUBLE FROM model_scores
           WHERE content_id::VARCHAR IN (SELECT unnest(from_json($ids, '["VARCHAR"]'))) GROUP BY ALL`,
          { ids: JSON.stringify(ids) },
        )
      ).getRowsJson(),
    );
  } catch {
    return out; // no model_scores table (nothing scored yet), or one without these columns
  }
  for (const [id, category, score] of rows) {
    const scores = out.get(String(id)) ?? {};
    scores[String(category)] = Number(score);
    out.set(String(id), scores);
  }
  return out;
}

/** Per category, the lowest escalate threshold any registered model declares (routing's defaults otherwise). */
async function escalateThresholds(host: HostServices): Promise<Record<string, Thresholds>> {
  const out: Record<string, Thresholds> = {};
  const models = await host.models.list().catch(() => []);
  for (const model of models)
    for (const [category, t] of Object.entries(model.thresholds))
      if (!out[category] || t.escalate < out[category].escalate) out[category] = t;
  return out;
}
