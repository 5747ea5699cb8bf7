/**
 * Inter-annotator agreement, as DESIGN.md names the references: Fleiss' kappa (statsmodels `fleiss_kappa`, equal
 * rater counts per item), Krippendorff's alpha at the nominal level (the `krippendorff` package; any number of raters
 * per item, missing values allowed) and Cohen's kappa for a pair (scikit-learn `cohen_kappa_score`).
 * An undefined statistic is a value with a reason, never NaN: every rater chose the same single value, or no item
 * has two ratings.
 */

export type Agreement = { value: number; reason?: undefined } | { value: null; reason: string };

/** Why a category labeled by one person has no agreement figure. */
export const ONE_RATER_REASON = 'one rater: agreement needs two';

const undefinedBecause = (reason: string): Agreement => ({ value: null, reason });

/**
 * Fleiss' kappa from an items × categories table of rating counts; every item must have the same number of
 * ratings (at least two).
 */
export function fleissKappa(table: number[][]): Agreement {
  const items = table.length;
  if (items === 0) return undefinedBecause('no items');
  const raters = table[0]!.reduce((a, b) => a + b, 0);
  if (raters < 2) return undefinedBecause('each item needs at least two ratings');
  if (table.some((row) => row.reduce((a, b) => a + b, 0) !== raters))
    return undefinedBecause(
      "items have different numbers of ratings (Fleiss' kappa needs the same number for every item)",
    );
  const categories = table[0]!.length;
  const share = new Array<number>(categories).fill(0);
  let observed = 0;
  for (const row of table) {
    let squares = 0;
    row.forEach((count, j) => {
      share[j]! += count;
      squares += count * count;
    });
    observed += (squares - raters) / (raters * (raters - 1));
  }
  observed /= items;
  const expected = share.reduce((sum, total) => sum + (total / (items * raters)) ** 2, 0);
  if (expected >= 1)
    return undefinedBecause('every rating is the same single value, so agreement beyond chance is undefined');
  return { value: (observed - expected) / (1 - expected) };
}

/**
 * Krippendorff's alpha, nominal level, from each unit's value counts (units with fewer than two values are not
 * pairable and count for nothing), by the coincidence-matrix formula of Krippendorff (2011).
 */
export function krippendorffAlphaNominal(units: Map<string, number>[] | Record<string, number>[]): Agreement {
  const coincidences = new Map<string, number>(); // n_c: value → its total weight in pairable units
  let pairable = 0;
  let disagreeing = 0; // Σ_{c≠k} o_ck
  for (const unit of units) {
    const counts = unit instanceof Map ? [...unit.values()] : Object.values(unit);
    const entries = unit instanceof Map ? [...unit.entries()] : Object.entries(unit);
    const m = counts.reduce((a, b) => a + b, 0);
    if (m < 2) continue;
    pairable += m;
    for (const [value, count] of entries) coincidences.set(value, (coincidences.get(value) ?? 0) + count);
    // Σ_{c≠k} n_uc · n_uk / (m_u − 1) = (m_u² − Σ_c n_uc²) / (m_u − 1)
    const squares = counts.reduce((sum, count) => sum + count * count, 0);
    disagreeing += (m * m - squares) / (m - 1);
  }
  if (pairable === 0) return undefinedBecause('no item has two ratings');
  const totals = [...coincidences.values()];
  const expectedPairs = pairable * pairable - totals.reduce((sum, n) => sum + n * n, 0); // Σ_{c≠k} n_c · n_k
  if (expectedPairs === 0)
    return undefinedBecause('every rating is the same single value, so agreement beyond chance is undefined');
  return { value: 1 - ((pairable - 1) * disagreeing) / expectedPairs };
}

/** Cohen's kappa for two raters over the items both rated. */
export function cohenKappa(first: (string | number)[], second: (string | number)[]): Agreement {
  if (first.length !== second.length)
    throw new Error('cohenKappa: the two raters must rate the same items, in the same order');
  const n = first.length;
  if (n === 0) return undefinedBecause('the two annotators rated no item in common');
  const left = new Map<string, number>();
  const right = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const a = String(first[i]);
    const b = String(second[i]);
    left.set(a, (left.get(a) ?? 0) + 1);
    right.set(b, (right.get(b) ?? 0) + 1);
    if (a === b) agree++;
  }
  let expected = 0;
  for (const [value, count] of left) expected += (count / n) * ((right.get(value) ?? 0) / n);
  if (expected >= 1)
    return undefinedBecause(
      'both annotators gave every item the same single value, so agreement beyond chance is undefined',
    );
  return { value: (agree / n - expected) / (1 - expected) };
}

/** Below this, a category's labels disagree too often to train on: the policy text likely needs work. */
export const POLICY_AGREEMENT_FLOOR = 0.6;
