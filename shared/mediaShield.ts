/**
 * The one rule of which items' media are sensitive, and when a reviewer may see media without the shield (issue 26,
 * item 3). Every view shows media blurred and grey until the reviewer holds the reveal key or clicks
 * (renderer/media/Shield.tsx); a reviewer may turn that off (her `blurOff` preference, shared/wellness.ts) only for
 * items that are not sensitive. An item is sensitive when it is labeled (any annotator's current positive label), or
 * scored at or above its category's escalate threshold (shared/routing.ts), in a category or leaf the policy marks
 * sensitive. The host computes these facts (electron/host/media/shield.ts) and hands them out with the media list
 * (media.forItems), so the UI never decides sensitivity itself.
 */
import { CRITICAL_DEFAULT_THRESHOLDS, DEFAULT_CRITICAL, DEFAULT_THRESHOLDS, type Thresholds } from './routing.js';
import type { Taxonomy, TaxonomyCategory, TaxonomyLeaf } from './taxonomy.js';

/** Always sensitive, whatever the policy file says: csam, and any critical-severity leaf (the restricted tier). */
export const ALWAYS_SENSITIVE = ['csam'] as const;
/** Sensitive unless the policy says `sensitive: false`: every leaf of a category named nsfw, and graphic_violence. */
export const SENSITIVE_BY_DEFAULT_CATEGORY = 'nsfw';
export const SENSITIVE_BY_DEFAULT_NAMES = ['graphic_violence'] as const;

/** What the host tells the UI about one item's media. */
export interface ShieldFacts {
  /** Shielded for everyone: the reviewer's blur-off preference does not apply. */
  sensitive: boolean;
  /** Why, in words (e.g. "labeled nsfw / csam", "scored graphic_violence 0.81 ≥ escalate 0.5"); null when not. */
  because: string | null;
}

/** The facts for an item nothing is known about yet: sensitive until the host says otherwise. */
export const UNKNOWN_SHIELD_FACTS: ShieldFacts = { sensitive: true, because: 'not known yet' };

function leafIsAlwaysSensitive(leaf: TaxonomyLeaf): boolean {
  return (ALWAYS_SENSITIVE as readonly string[]).includes(leaf.name) || leaf.severity === 'critical';
}

function leafIsSensitive(category: TaxonomyCategory, leaf: TaxonomyLeaf): boolean {
  if (leafIsAlwaysSensitive(leaf)) return true;
  return (
    leaf.sensitive ??
    category.sensitive ??
    (category.name === SENSITIVE_BY_DEFAULT_CATEGORY ||
      (SENSITIVE_BY_DEFAULT_NAMES as readonly string[]).includes(leaf.name))
  );
}

/**
 * The policy's sensitive names: leaves, and categories. A category is sensitive when marked so or, unmarked, when
 * any of its leaves is (a category-level label or score does not say which leaf, so the shield assumes the worst);
 * a leafless category follows its own flag, or the defaults by its name.
 */
export function sensitiveNames(taxonomy: Taxonomy): Set<string> {
  const names = new Set<string>();
  for (const category of taxonomy.categories) {
    const leaves = category.leaves.filter((leaf) => leafIsSensitive(category, leaf));
    for (const leaf of leaves) names.add(leaf.name);
    const always = category.leaves.some(leafIsAlwaysSensitive);
    const byName =
      (ALWAYS_SENSITIVE as readonly string[]).includes(category.name) ||
      category.severity === 'critical' ||
      ((category.sensitive ?? true) &&
        (category.name === SENSITIVE_BY_DEFAULT_CATEGORY ||
          (SENSITIVE_BY_DEFAULT_NAMES as readonly string[]).includes(category.name)));
    if (always || byName || (category.sensitive ?? leaves.length > 0)) names.add(category.name);
  }
  return names;
}

/** What the host knows of an item to judge it. */
export interface ItemEvidence {
  /** Current positive labels (any annotator's): the category and the leaf chosen, if any. */
  labels: { category: string; leaf: string | null }[];
  /** Latest model scores by category or leaf name (absent: not scored). */
  scores: Record<string, number>;
}

/**
 * Whether an item's media are sensitive, and why. `thresholds`: each category's thresholds from the deployed (or
 * latest) models; a name with none gets shared/routing.ts's defaults (the critical ones for csam; a leaf's score uses
 * its category's threshold when the leaf has none of its own).
 */
export function shieldFacts(
  taxonomy: Taxonomy,
  evidence: ItemEvidence,
  thresholds: Record<string, Thresholds> = {},
): ShieldFacts {
  const sensitive = sensitiveNames(taxonomy);
  for (const label of evidence.labels) {
    if (label.leaf !== null && sensitive.has(label.leaf))
      return { sensitive: true, because: `labeled ${label.category} / ${label.leaf}` };
    if (sensitive.has(label.category) && (label.leaf === null || !knownLeaf(taxonomy, label.leaf)))
      return { sensitive: true, because: `labeled ${label.category}` };
  }
  for (const [name, score] of Object.entries(evidence.scores)) {
    if (!sensitive.has(name) || !Number.isFinite(score)) continue;
    const fallback = DEFAULT_CRITICAL.includes(name) ? CRITICAL_DEFAULT_THRESHOLDS : DEFAULT_THRESHOLDS;
    const escalate = (thresholds[name] ?? thresholds[categoryOf(taxonomy, name) ?? ''] ?? fallback).escalate;
    if (score >= escalate)
      return { sensitive: true, because: `scored ${name} ${score.toFixed(2)} ≥ escalate ${escalate}` };
  }
  return { sensitive: false, because: null };
}

function knownLeaf(taxonomy: Taxonomy, leaf: string): boolean {
  return taxonomy.categories.some((category) => category.leaves.some((l) => l.name === leaf));
}

function categoryOf(taxonomy: Taxonomy, leaf: string): string | undefined {
  return taxonomy.categories.find((category) => category.leaves.some((l) => l.name === leaf))?.name;
}

/**
 * Whether the reviewer's blur-off preference applies to this item: only when it is not sensitive. Returns the
 * refusal in words when it does not (the settings UI and the host say the same thing).
 */
export function blurOffRefusal(facts: ShieldFacts): string | null {
  return facts.sensitive
    ? `this item's media stay shielded (${facts.because ?? 'sensitive'}): blur can be turned off only for items that are not sensitive`
    : null;
}

/** Whether the media are shown shielded: always for a sensitive item, otherwise unless the reviewer turned blur off. */
export function isShielded(facts: ShieldFacts, blurOff: boolean): boolean {
  return blurOffRefusal(facts) !== null || !blurOff;
}
