/**
 * A dataset's splits: by time (train before the cut, validation, test after), with each near-duplicate group moved
 * wholly to where its earliest member goes, so no copy straddles two splits. A group is the union of the text
 * clusters and the media clusters: a reposted image with a new caption is a copy too.
 */
import { SiftError } from '../../../shared/errors.js';
import { clusterMediaItems, unionOfClusters } from '../../../shared/mediaClusters.js';
import { clusterNearDuplicates } from '../../../shared/nearDuplicates.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];
const DAY_MS = 86_400_000;
/**
 * Texts this similar (shingle Jaccard) are one text for splitting: a repost with a changed number or emoji. Stricter
 * than the spike view's campaign threshold (0.5), which also groups texts that share a template.
 */
const SPLIT_DUPLICATE_THRESHOLD = 0.8;

/** Time splits: before the cut, the validation window, after it. Without a cut: the 70th and 85th percentiles of time. */
export function splitBoundaries(
  times: number[],
  cutDate: string | undefined,
  valDays: number | undefined,
): { cut: number; validationEnd: number } {
  if (cutDate) {
    const cut = Date.parse(cutDate);
    if (Number.isNaN(cut))
      throw new SiftError({ code: 'BAD_REQUEST', message: `cutDate: "${cutDate}" is not a date.` });
    return { cut, validationEnd: cut + (valDays ?? 7) * DAY_MS };
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { cut: at(0.7), validationEnd: at(0.85) };
}

/**
 * Moves every member of a near-duplicate group (by text, or by media: `media[i]` are item i's perceptual hashes)
 * into the split of its earliest member, in place; returns how many items moved.
 */
export function keepNearDuplicatesTogether(
  texts: string[],
  times: number[],
  split: Split[],
  media: readonly (readonly string[])[] = [],
): number {
  let moved = 0;
  const groups = unionOfClusters(texts.length, [
    clusterNearDuplicates(texts, SPLIT_DUPLICATE_THRESHOLD),
    clusterMediaItems(media),
  ]);
  for (const cluster of groups) {
    const earliest = cluster.members.reduce((best, index) => (times[index]! < times[best]! ? index : best));
    for (const index of cluster.members) {
      if (split[index] !== split[earliest]) moved++;
      split[index] = split[earliest]!;
    }
  }
  return moved;
}
