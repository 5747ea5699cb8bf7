/**
 * Account features, defined once. Every path that feeds a model — training (`npm run models:build`), batch scoring
 * (the `content_features` view, joined by scoring when a query lacks the columns) and the single-item "try it" box —
 * builds its SQL from `accountFeatureExpressions`, so the three cannot drift apart (training/serving skew).
 *
 * Each feature is computed as of the moment of upload, from the canonical tables: nothing at or after the item's
 * `created_at` counts (a point-in-time join).
 */

/** Sift's view of the account features of every content item, on every data-engine connection. */
export const FEATURE_VIEW = 'content_features' as const;

/** Moderation actions that count as a violation by the account they target. */
export const VIOLATION_ACTIONS = ['remove', 'hide', 'warn', 'suspend'] as const;

export const ACCOUNT_FEATURES = [
  { name: 'account_age_days', description: "days between the author's account creation and the upload" },
  {
    name: 'prior_violations_30d',
    description: `moderation actions (${VIOLATION_ACTIONS.join(', ')}) against the author in the 30 days before the upload`,
  },
  { name: 'posting_rate', description: 'items the author posted in the 24 hours before the upload' },
] as const;

export type AccountFeature = (typeof ACCOUNT_FEATURES)[number]['name'];

export interface FeatureSources {
  /** Whether the workspace has `moderation_actions`; without it no violation is known (0). */
  moderationActions: boolean;
}

const violationList = VIOLATION_ACTIONS.map((action) => `'${action}'`).join(', ');

/**
 * The feature expressions for an upload by `author` at `at` (SQL expressions: columns of an outer row, or
 * parameters). Ids are compared as text, so an import that typed them as integers in one table joins the same.
 * An author missing from `users` has no account age (NULL), which scoring reports rather than guesses.
 */
export function accountFeatureExpressions(
  author: string,
  at: string,
  sources: FeatureSources,
): Record<AccountFeature, string> {
  return {
    // greatest() skips a NULL, so an unknown author is kept NULL explicitly; a sign-up after the upload is age 0.
    account_age_days: `(SELECT CASE WHEN min(u.created_at) IS NOT NULL THEN greatest(0, date_diff('second', min(u.created_at), ${at}) / 86400.0) END FROM users u WHERE u.user_id::VARCHAR = ${author}::VARCHAR)`,
    prior_violations_30d: sources.moderationActions
      ? `(SELECT count(*) FROM moderation_actions m WHERE m.target_user_id::VARCHAR = ${author}::VARCHAR AND lower(m.action) IN (${violationList}) AND m.created_at >= ${at} - INTERVAL 30 DAY AND m.created_at < ${at})`
      : '0::BIGINT',
    posting_rate: `(SELECT count(*) FROM content p WHERE p.user_id::VARCHAR = ${author}::VARCHAR AND p.created_at >= ${at} - INTERVAL 24 HOUR AND p.created_at < ${at})`,
  };
}

function select(expressions: Record<AccountFeature, string>): string {
  return ACCOUNT_FEATURES.map(({ name }) => `${expressions[name]} AS ${name}`).join(',\n       ');
}

/** The batch form: one row per content item (the body of the `content_features` view). */
export function contentFeaturesSql(sources: FeatureSources): string {
  return `SELECT c.content_id, c.user_id, c.created_at,
       ${select(accountFeatureExpressions('c.user_id', 'c.created_at', sources))}
FROM content c`;
}

/** The single-item form: the features of a (possibly hypothetical) upload by `$user_id` at `$at`. */
export function pointFeaturesSql(sources: FeatureSources): string {
  return `SELECT ${select(accountFeatureExpressions('$user_id', '$at::TIMESTAMP', sources))}`;
}

/** How a model reads an account feature: raw, or log(1 + x) of its non-negative part (counts and ages are skewed). */
export type AccountTransform = 'identity' | 'log1p';

/** The one transform, used by training and by the runtime on every scoring path. */
export function transformAccountFeature(transform: AccountTransform, value: number): number {
  return transform === 'log1p' ? Math.log1p(Math.max(0, value)) : value;
}
