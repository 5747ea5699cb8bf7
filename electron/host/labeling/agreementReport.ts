/**
 * Agreement per category over the current labels of some sessions (or all): how many items and annotators,
 * Krippendorff's alpha (every item with two or more labels), Fleiss' kappa (the items with the most common number of
 * labels, as it needs an equal count), Cohen's kappa for each pair of annotators on the items both labeled, and the
 * reason wherever a value is undefined. A category below POLICY_AGREEMENT_FLOOR is flagged.
 */
import type { AgreementReport } from '../../../shared/contract.js';
import {
  type Agreement,
  cohenKappa,
  fleissKappa,
  krippendorffAlphaNominal,
  ONE_RATER_REASON,
  POLICY_AGREEMENT_FLOOR,
} from '../../../shared/agreement.js';
import { CURRENT_LABELS_SQL } from '../../../shared/canonical.js';
import { SiftError } from '../../../shared/errors.js';
import type { Workspace } from '../workspace/workspace.js';

export async function agreementReport(
  workspace: Workspace,
  sessions: string[],
  leafCategoryNames: string[] = [],
): Promise<AgreementReport> {
  const leafCategories = new Set(leafCategoryNames);
  const allRows = await workspace.withStore(async (conn) => {
    const filter =
      sessions.length > 0 ? `WHERE session_id IN (SELECT unnest(from_json($sessions, '["VARCHAR"]')))` : '';
    return (
      await conn.runAndReadAll(
        `SELECT category, content_id, annotator_id, value, leaf, kind FROM (${CURRENT_LABELS_SQL}) ${filter} ORDER BY category, content_id, annotator_id`,
        sessions.length > 0 ? { sessions: JSON.stringify(sessions) } : {},
      )
    ).getRowsJson() as [string, string, string, string, string | null, string][];
  });
  // Agreement is between annotators' own labels: an adjudicator's decision is not another rating, but the yardstick
  // each annotator is measured against.
  const adjudicated = new Map<string, string>(); // category \u0000 item → decided value
  const leafAdjudicated = new Map<string, string>();
  const labels: [string, string, string, string][] = [];
  for (const [category, contentId, annotator, value, leaf, kind] of allRows) {
    if (kind === 'adjudicate') {
      adjudicated.set(`${category}\u0000${contentId}`, value);
      leafAdjudicated.set(`${category}\u0000${contentId}`, value === '1' ? (leaf ?? '(no leaf)') : '0');
      continue;
    }
    labels.push([category, contentId, annotator, value]);
    // The second taxonomy level: which leaf (0 when the category does not apply), for categories that have leaves.
    if (leaf !== null || leafCategories.has(category))
      labels.push([`${category} › leaf`, contentId, annotator, value === '1' ? (leaf ?? '(no leaf)') : '0']);
  }
  if (sessions.length > 0 && labels.length === 0)
    throw new SiftError({ code: 'NOT_FOUND', message: `session: no labels in ${sessions.join(', ')}.` });
  const byCategory = new Map<string, Map<string, Map<string, string>>>(); // category → item → annotator → value
  for (const [category, contentId, annotator, value] of labels) {
    let items = byCategory.get(category);
    if (!items) byCategory.set(category, (items = new Map()));
    let raters = items.get(contentId);
    if (!raters) items.set(contentId, (raters = new Map()));
    raters.set(annotator, value);
  }
  const categories = [...byCategory.entries()].map(([category, items]) => {
    const annotators = new Set<string>();
    for (const raters of items.values()) for (const annotator of raters.keys()) annotators.add(annotator);
    const values = [...new Set([...items.values()].flatMap((raters) => [...raters.values()]))].sort();
    const units = [...items.values()].map((raters) => {
      const unit: Record<string, number> = {};
      for (const value of raters.values()) unit[value] = (unit[value] ?? 0) + 1;
      return unit;
    });
    // Fleiss' kappa needs one rater count: the most common one among items with at least two labels.
    const sizes = new Map<number, number>();
    for (const raters of items.values())
      if (raters.size >= 2) sizes.set(raters.size, (sizes.get(raters.size) ?? 0) + 1);
    const fleissRaters = [...sizes.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? null;
    const fleissItems = [...items.values()].filter((raters) => raters.size === fleissRaters);
    // With one rater there is nothing to agree with: say that, not what the formulas trip on.
    const oneRater: Agreement | null = annotators.size < 2 ? { value: null, reason: ONE_RATER_REASON } : null;
    const fleiss =
      oneRater ??
      (fleissRaters === null
        ? { value: null, reason: 'no item has two labels' }
        : fleissKappa(
            fleissItems.map((raters) => values.map((value) => [...raters.values()].filter((v) => v === value).length)),
          ));
    const alpha = oneRater ?? krippendorffAlphaNominal(units);
    const names = [...annotators].sort();
    const pairs: AgreementReport['categories'][number]['cohen'] = [];
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const a: string[] = [];
        const b: string[] = [];
        for (const raters of items.values()) {
          if (raters.has(names[i]!) && raters.has(names[j]!)) {
            a.push(raters.get(names[i]!)!);
            b.push(raters.get(names[j]!)!);
          }
        }
        if (a.length === 0) continue; // pairs that never met say nothing
        const kappa = cohenKappa(a, b);
        pairs.push({
          a: names[i]!,
          b: names[j]!,
          items: a.length,
          kappa: kappa.value,
          ...(kappa.reason ? { reason: kappa.reason } : {}),
        });
      }
    }
    // Each annotator against the adjudicated decision, on the items that have one.
    const decided = category.endsWith(' › leaf') ? leafAdjudicated : adjudicated;
    // ' \u203a ' is ' › ', escaped so the CLI bundle stays ASCII.
    const decidedKey = (contentId: string) => `${category.replace(/ \u203a leaf$/, '')}\u0000${contentId}`;
    const vsAdjudicated = names
      .map((annotator) => {
        let n = 0;
        let same = 0;
        for (const [contentId, raters] of items) {
          const decision = decided.get(decidedKey(contentId));
          if (decision === undefined || !raters.has(annotator)) continue;
          n++;
          if (raters.get(annotator) === decision) same++;
        }
        return { annotator, items: n, agreement: n ? same / n : null };
      })
      .filter((entry) => entry.items > 0);
    return {
      category,
      level: category.endsWith(' › leaf') ? ('leaf' as const) : ('category' as const),
      vsAdjudicated,
      items: items.size,
      raters: annotators.size,
      pairableItems: [...items.values()].filter((raters) => raters.size >= 2).length,
      krippendorffAlpha: alpha.value,
      ...(alpha.reason ? { krippendorffReason: alpha.reason } : {}),
      fleissKappa: fleiss.value,
      fleissRaters,
      fleissItems: fleissItems.length,
      ...(fleiss.reason ? { fleissReason: fleiss.reason } : {}),
      cohen: pairs,
      belowFloor: alpha.value !== null && alpha.value < POLICY_AGREEMENT_FLOOR,
    };
  });
  return { sessions, floor: POLICY_AGREEMENT_FLOOR, categories };
}
