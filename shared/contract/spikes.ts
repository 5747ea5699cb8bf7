/** The spike timeline and its drill-down. */
import { z } from 'zod/v3';
import { isoTime, job, method } from './base.js';

export type SpikeSource = 'reports' | 'actions';
export type SpikeDimension = 'reason' | 'category' | 'action' | 'surface' | 'language' | 'total';
export type SpikeBucket = '15min' | 'hour' | 'day';

export interface SpikeWindowInfo {
  series: string;
  start: string;
  end: string;
  z: number;
  count: number;
  expected: number;
}

export interface SpikeOverview {
  source: SpikeSource;
  by: SpikeDimension;
  bucket: SpikeBucket;
  /** Bucket start times, ISO 8601 UTC. */
  buckets: string[];
  /**
   * Per series: counts per bucket, the baseline each bucket is compared with, the spread that scales the z-score
   * (the history's robust scale, at least a Poisson floor), and z = (count − baseline) / spread.
   */
  series: {
    name: string;
    total: number;
    counts: number[];
    baseline: (number | null)[];
    spread: (number | null)[];
    z: (number | null)[];
  }[];
  /**
   * How the baseline was taken (shared/spikeStats), for the explanation shown with the chart: the median of the
   * same slot `week` buckets back once `minSeasons` unmarked ones exist, else `season` buckets back (a day), else
   * of the `trailing` buckets before; at most `seasons` values; marked buckets never count. A bucket is marked at
   * z ≥ threshold with at least `minCount` items.
   */
  baselineRule: {
    trailing: number;
    season: number;
    week: number;
    seasons: number;
    minSeasons: number;
    threshold: number;
    minCount: number;
  };
  windows: SpikeWindowInfo[];
  /** Model version changes, drawn as markers on the timeline. */
  markers: { at: string; model: string; version: string; previous: string }[];
}

/** A near-duplicate cluster of the drilled window: how many items, from how many accounts (how many new), when. */
export interface SpikeDrillCluster {
  size: number;
  authors: number;
  /** Accounts created in the week before the window. */
  newAccounts: number;
  firstAt: string;
  lastAt: string;
  /** Distinct texts, at most three. */
  samples: string[];
  /** At most 200. */
  contentIds: string[];
}

export interface SpikeDrill {
  items: number;
  baselineItems: number;
  terms: { term: string; focusCount: number; baselineCount: number; z: number }[];
  /** Near-duplicate texts (MinHash), three or more items each. */
  clusters: SpikeDrillCluster[];
  /** The same picture — an image or any video keyframe — in three or more items (perceptual hashes). */
  mediaClusters: Omit<SpikeDrillCluster, 'samples'>[];
  reporters: { reporterId: string; reports: number }[];
  targets: { userId: string; reports: number; items: number; accountCreatedAt: string | null }[];
}

const spikeSource = z.enum(['reports', 'actions']);
const spikeDimension = z.enum(['reason', 'category', 'action', 'surface', 'language', 'total']);

const drillInput = z
  .object({
    source: spikeSource.optional(),
    by: spikeDimension.optional(),
    series: z.string(),
    start: isoTime,
    end: isoTime,
  })
  .strict();

export const spikeMethods = {
  'spike.overview': method<SpikeOverview>()(
    z
      .object({
        source: spikeSource.optional(),
        by: spikeDimension.optional(),
        bucket: z.enum(['15min', 'hour', 'day']).optional(),
        threshold: z.number().min(0.5).max(50).optional(),
        minCount: z.number().int().min(0).max(1_000_000).optional(),
      })
      .strict(),
  ),
  /** A job (progress, cancel). */
  'spike.drill': job<SpikeDrill>()(drillInput),
} as const;
