/**
 * The rules of monitors, once, for the host, the CLI and the Monitor view: what each source can be broken out by,
 * the check interval's text form (`5s`, `1m`, `1h`), how a webhook URL is shown (its host only: the URL is a
 * secret), and the defaults a monitor takes.
 */

export const MONITOR_SOURCES = ['reports', 'actions', 'content'] as const;
export type MonitorSource = (typeof MONITOR_SOURCES)[number];

/** The series a source can be broken out by (`total`: one series, every row). */
export const MONITOR_DIMENSIONS = {
  reports: ['reason', 'surface', 'language', 'total'],
  actions: ['category', 'action', 'surface', 'language', 'total'],
  content: ['language', 'content_type', 'surface', 'total'],
} as const satisfies Record<MonitorSource, readonly string[]>;
export type MonitorDimension = (typeof MONITOR_DIMENSIONS)[MonitorSource][number];

export const MONITOR_BUCKETS = ['15min', 'hour', 'day'] as const;
export type MonitorBucket = (typeof MONITOR_BUCKETS)[number];
export const BUCKET_MS: Record<MonitorBucket, number> = { '15min': 15 * 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * What a series' value is in each bucket: `count` (rows), `share` (the value's rows over the bucket's rows of every
 * value: a language going from 2% to 15% of the input), `auto_rate` (actions only: the share of the series' actions
 * taken by the model, `actor_type = 'model'`).
 */
export const MONITOR_MEASURES = ['count', 'share', 'auto_rate'] as const;
export type MonitorMeasure = (typeof MONITOR_MEASURES)[number];

/** Which way a bucket must move to be anomalous; a drop in the model's auto-action rate is `down`. */
export const MONITOR_DIRECTIONS = ['up', 'down', 'both'] as const;
export type MonitorDirection = (typeof MONITOR_DIRECTIONS)[number];

export const MONITOR_DEFAULTS = {
  threshold: 3,
  minCount: 5,
  every: '5m',
  direction: 'up' as MonitorDirection,
  measure: 'count' as MonitorMeasure,
};

/** The fewest and most milliseconds a check interval may be. */
export const EVERY_LIMITS_MS = { min: 1_000, max: 7 * 86_400_000 };

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5s`, `1m`, `1h`, `1d` (or a combination like `1h30m`) in milliseconds; null when the text is not one. */
export function parseEvery(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhd])/g))
    total += Number(amount) * UNIT_MS[unit!]!;
  return Math.round(total);
}

/** Why an interval's text is refused, or null. */
export function everyProblem(text: string): string | null {
  const ms = parseEvery(text);
  if (ms === null) return `"${text}" is not a duration: write it as 5s, 1m, 1h or 1d.`;
  if (ms < EVERY_LIMITS_MS.min || ms > EVERY_LIMITS_MS.max) return `"${text}" must be between 1s and 7d.`;
  return null;
}

/** Milliseconds back to the shortest text form (`90000` → `1m30s`). */
export function formatEvery(ms: number): string {
  let rest = ms;
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_MS).reverse()) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text || `${ms / 1000}s`;
}

/** Why a webhook URL is refused (not http(s), credentials in it), or null. The message never repeats the URL. */
export function webhookProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'a webhook is a URL such as https://hooks.slack.com/services/…';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return 'a webhook URL starts with https:// or http://';
  return null;
}

/** A webhook as it may be shown: the scheme and host only (`https://hooks.example.com/…`). The rest is a secret. */
export function shownWebhook(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '(not a URL)';
  }
}

/** Why this dimension does not fit the source (or the measure), or null. */
export function dimensionProblem(source: MonitorSource, by: string, measure: MonitorMeasure): string | null {
  const allowed: readonly string[] = MONITOR_DIMENSIONS[source];
  if (!allowed.includes(by)) return `${source} can be broken out by ${allowed.join(', ')}, not by ${by}.`;
  if (measure === 'auto_rate' && source !== 'actions')
    return `the model's auto-action rate is a measure of actions (--source actions), not of ${source}.`;
  if (measure === 'share' && by === 'total') return `a share needs a breakdown (--by), not total.`;
  return null;
}

/** The longest playbook a monitor keeps, in characters (the contract refuses longer; the CLI reads no further). */
export const PLAYBOOK_MAX_CHARS = 20_000;
