/** How the Evaluate view writes numbers, and its colours: A is the version evaluated, B the one compared with. */
import type { ItemKind } from '../../shared/contract';
import type { Rate } from '../../shared/slices';

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);
export const num = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined ? '—' : v.toFixed(digits);
/** A rate with its Wilson interval and the n it is a share of. */
export const rateText = (rate: Rate) =>
  rate.value === null
    ? '—'
    : `${pct(rate.value)} [${pct(rate.interval![0])}–${pct(rate.interval![1])}] n=${rate.n.toLocaleString('en-US')}`;
export const gapText = (gap: number | null) =>
  gap === null ? '' : `(${gap >= 0 ? '+' : ''}${(100 * gap).toFixed(1)})`;
export const COLORS = { a: '#3355cc', b: '#e07b39', pos: '#d62728', neg: '#7f8c8d' };

export const KIND_TITLES: Record<ItemKind, string> = {
  fp: 'false positives',
  fn: 'false negatives',
  tp: 'true positives',
  tn: 'true negatives',
  all: 'items',
};
