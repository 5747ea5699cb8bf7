/**
 * Restricted media (issue 26, item 8): the media of an item that any current label — by anyone, adjudication
 * included — puts in a critical-severity leaf of the label's policy version (csam in DESIGN.md's policy). Such bytes
 * are never served revealed without the owner's approval of that item for that reviewer, every reveal is recorded,
 * a workspace setting purges them after N days, and a dataset version carries their hash and embedding, never the
 * bytes. The severity is read from the taxonomy, never from a leaf's name: a team whose policy marks another leaf
 * critical gets the same treatment for it.
 *
 * The one rule lives here; the host (electron/host/media/restricted*.ts) and the datasets export apply it with
 * `restrictedItemsSql` over the current labels.
 */
import type { DatasetManifest } from './contract/datasets.js';
import type { Taxonomy } from './taxonomy.js';

/** A (policy version, category, leaf) whose label restricts an item's media. `leaf` null: a leafless category. */
export interface CriticalMark {
  policyVersion: string;
  category: string;
  leaf: string | null;
}

/** Every critical-severity leaf (and leafless critical category) of these policy versions. */
export function criticalMarks(taxonomies: readonly Taxonomy[]): CriticalMark[] {
  return taxonomies.flatMap((taxonomy) =>
    taxonomy.categories.flatMap((category) =>
      category.leaves.length === 0
        ? category.severity === 'critical'
          ? [{ policyVersion: taxonomy.version, category: category.name, leaf: null }]
          : []
        : category.leaves
            .filter((leaf) => leaf.severity === 'critical')
            .map((leaf): CriticalMark => ({
              policyVersion: taxonomy.version,
              category: category.name,
              leaf: leaf.name,
            })),
    ),
  );
}

/** A current label as the store keeps it (label_events' columns): value '1' applies the category. */
export interface LabelFacts {
  category: string;
  value: string;
  leaf: string | null;
  policyVersion: string | null;
}

/**
 * Whether this label restricts its item: it applies a critical mark of its own policy version. A label with no
 * version recorded (an older log) is judged against every version: a restriction is never lost for want of one.
 */
export function isRestrictingLabel(label: LabelFacts, marks: readonly CriticalMark[]): boolean {
  if (label.value !== '1') return false;
  return marks.some(
    (mark) =>
      (label.policyVersion === null || mark.policyVersion === label.policyVersion) &&
      mark.category === label.category &&
      (mark.leaf === null || mark.leaf === label.leaf),
  );
}

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * SQL over a relation of current labels (`current_labels` in the data engine, or `currentLabelsSql()` over the
 * store's label_events) answering each restricted item once: `content_id` and `restricted_since` (the earliest of
 * its restricting labels). The same rule as isRestrictingLabel; the marks are inlined as literals (they are
 * validated policy names and versions).
 */
export function restrictedItemsSql(currentLabels: string, marks: readonly CriticalMark[]): string {
  if (marks.length === 0) return 'SELECT NULL::VARCHAR AS content_id, NULL::TIMESTAMP AS restricted_since WHERE false';
  const rows = marks
    .map(
      (mark) =>
        `(${literal(mark.policyVersion)}, ${literal(mark.category)}, ${mark.leaf === null ? 'NULL::VARCHAR' : literal(mark.leaf)})`,
    )
    .join(', ');
  return `SELECT l.content_id::VARCHAR AS content_id, min(l.created_at) AS restricted_since
    FROM ${currentLabels} l JOIN (VALUES ${rows}) m(policy_version, category, leaf)
      ON (l.policy_version IS NULL OR l.policy_version = m.policy_version) AND l.category = m.category
     AND (m.leaf IS NULL OR l.leaf = m.leaf)
    WHERE l.value = '1'
    GROUP BY 1`;
}

/**
 * Whom an approval and a reveal are for: an annotator's token is that annotator; the owner (the desktop user, the
 * CLI, the owner token) is `owner` — the owner approves her own reveals too, so each is a deliberate, recorded act.
 */
export const OWNER_REVIEWER = 'owner';
export const reviewerOf = (caller: { role: 'owner' } | { role: 'annotator'; annotator: string }): string =>
  caller.role === 'annotator' ? caller.annotator : OWNER_REVIEWER;

/** The renditions that show restricted bytes as they are (anything but the server-side shielded one). */
export const SHIELDED_RENDITION_REASON =
  'restricted media (a critical-severity label): shown shielded until the workspace owner approves a reveal of this item for you';

/** The longest retention a workspace may set, in days (ten years). */
export const MAX_RETENTION_DAYS = 3650;

const DAY_MS = 86_400_000;

/**
 * When restricted bytes are due to be purged: `days` after the later of when Sift took the bytes and when the item
 * became restricted (a label imported with an old date does not purge bytes the moment they arrive). Null: keep.
 */
export function purgeDueAt(registeredAt: Date, restrictedSince: Date, days: number | null): Date | null {
  if (days === null) return null;
  return new Date(Math.max(registeredAt.getTime(), restrictedSince.getTime()) + days * DAY_MS);
}

/**
 * The datasets.export input for the next version of the dataset `manifest` describes (its name, folder, sessions,
 * cut, validation days, formats and policy): written from today's labels, it carries restricted items' hashes and
 * embeddings but never their bytes. Offered, with the old version's deletion, when a label made media it holds
 * restricted; the old version is never rewritten. `versionDir`: the old version's folder (`<out>/<name>/v<N>`).
 */
export function restrictedReexport(manifest: DatasetManifest, versionDir: string) {
  const cut = Date.parse(manifest.splits.cut);
  const validationEnd = Date.parse(manifest.splits.validationEnd);
  const formats = [...new Set(manifest.files.map((file) => file.format))].filter(
    (format) => format === 'parquet' || format === 'jsonl',
  );
  return {
    name: manifest.name,
    out: parentOf(parentOf(versionDir)),
    sessions: manifest.sessions.map((session) => session.id),
    cutDate: manifest.splits.cut,
    valDays: Math.max(0, Math.round((validationEnd - cut) / DAY_MS)),
    formats: formats.length > 0 ? formats : ['parquet' as const],
    policyVersion: manifest.policyVersion,
    leaveOutOtherPolicies: manifest.notCarriedOver.count > 0,
  };
}

/** A folder's parent, for either separator (shared/ runs in the renderer too: no node:path). */
function parentOf(dir: string): string {
  const trimmed = dir.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut <= 0 ? trimmed.slice(0, cut + 1) || trimmed : trimmed.slice(0, cut);
}
