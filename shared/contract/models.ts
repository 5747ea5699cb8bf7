/** Model packages: listing, trying, scoring, comparing versions, saving revisions. */
import { z } from 'zod/v3';
import type { Decision } from '../routing.js';
import { empty, isoTime, job, method, nonEmpty } from './base.js';

export type { Decision };

export interface ModelInfo {
  name: string;
  version: string;
  kind: 'distilled_text' | 'late_fusion';
  description: string;
  categories: string[];
  critical: string[];
  thresholds: Record<string, { remove: number; escalate: number }>;
  preprocessing: string;
  inputs: string[];
  hash: string;
  dir: string;
  source: 'project' | 'workspace';
  runtime: { provider: string; note: string } | null;
  error?: string;
}

export interface TryResult {
  model: string;
  version: string;
  provider: string;
  scores: Record<string, number>;
  decisions: Record<string, Decision>;
  decision: Decision;
  category: string | null;
  latencyMs: number;
  /** The account features the model read (late fusion), and whether they were computed as of an upload or typed. */
  account?: { values: Record<string, number>; source: 'computed' | 'given' };
}

/** A late-fusion run's image embeddings made from items' media (docs/media.md). */
export interface ImageEmbeddingCounts {
  encoder: string;
  version: string;
  provider: string;
  /** Items scored with an embedding of their media (read from Sift's store, or computed in this run). */
  items: number;
  /** Files encoded in this run (the others' embeddings were in the store already). */
  computed: number;
  /** Files that could not be encoded (unreadable, corrupt, a video without keyframes yet); their items had none. */
  failed: number;
  /** The first of those failures, each naming the file. */
  errors: string[];
}

export interface ScoreOutcome {
  runId: string;
  model: string;
  version: string;
  hash: string;
  provider: string;
  note: string;
  items: number;
  rows: number;
  replaced: number;
  elapsedMs: number;
  itemsPerSecond: number;
  /** Present when the model names an image encoder and the workspace has media. */
  imageEmbeddings?: ImageEmbeddingCounts;
}

export interface VersionComparison {
  a: { model: string; version: string };
  b: { model: string; version: string };
  categories: {
    category: string;
    items: number;
    flips: number;
    divergence: number;
    removeA: number;
    removeB: number;
    escalateA: number;
    escalateB: number;
  }[];
  flips: {
    contentId: string;
    category: string;
    scoreA: number;
    scoreB: number;
    decisionA: Decision;
    decisionB: Decision;
    text: string | null;
  }[];
}

export const remoteSchema = z
  .object({
    url: nonEmpty('remote.url'),
    model: z.string().optional(),
    version: z.string().optional(),
    token: z.string().optional(),
    caFile: z.string().optional(),
    timeoutMs: z.number().int().min(10).max(600_000).optional(),
    retries: z.number().int().min(0).max(10).optional(),
    binary: z.enum(['auto', 'always', 'never']).optional(),
  })
  .strict();

const modelVersion = z.object({ model: nonEmpty('model'), version: nonEmpty('version') }).strict();

const compareInput = z
  .object({ a: modelVersion, b: modelVersion, limit: z.number().int().min(1).max(5000).optional() })
  .strict();

export const modelMethods = {
  'models.list': method<ModelInfo[]>()(empty),
  'models.add': method<ModelInfo>()(z.object({ path: nonEmpty('path') }).strict()),
  'models.try': method<TryResult>()(
    z
      .object({
        model: nonEmpty('model'),
        text: z.string().max(2_000_000, 'text is longer than 2,000,000 characters'),
        imageEmb: z.array(z.number()).max(4096).optional(),
        account: z.record(z.string(), z.number().finite()).optional(),
        /** Compute the account features as scoring does: for an upload by this user at this time. */
        asOf: z
          .object({ userId: nonEmpty('asOf.userId'), at: isoTime })
          .strict()
          .optional(),
        remote: remoteSchema.optional(),
      })
      .strict()
      .refine((input) => !(input.account && input.asOf), {
        message: 'give account features or asOf, not both',
        path: ['asOf'],
      }),
  ),
  'models.score': job<ScoreOutcome>()(
    z
      .object({
        model: nonEmpty('model'),
        sql: nonEmpty('sql'),
        remote: remoteSchema.optional(),
        batchSize: z.number().int().min(1).max(8192).optional(),
      })
      .strict(),
  ),
  /** A job (progress, cancel): a million items take a while. */
  'models.compare': job<VersionComparison>()(compareInput),
  /** When a model version was deployed, as a user knows it (null clears it: the first use in the logs counts again). */
  'models.setDeployment': method<{ model: string; version: string; deployedAt: string }[]>()(
    z.object({ model: nonEmpty('model'), version: nonEmpty('version'), deployedAt: isoTime.nullable() }).strict(),
  ),
  'models.versions':
    method<{ model: string; version: string; items: number; firstScoredAt: string; lastScoredAt: string }[]>()(empty),
  'models.saveRevision': method<ModelInfo>()(
    z
      .object({
        model: nonEmpty('model'),
        thresholds: z
          .record(
            z.string(),
            z.object({ remove: z.number().min(0).max(1), escalate: z.number().min(0).max(1) }).strict(),
          )
          .optional(),
        calibration: z
          .object({
            method: z.enum(['platt', 'isotonic']),
            params: z.record(
              z.string(),
              z.union([
                z.object({ a: z.number().finite(), b: z.number().finite() }),
                z.object({ x: z.array(z.number().finite()), y: z.array(z.number().finite()) }),
              ]),
            ),
          })
          .strict()
          .optional(),
      })
      .strict(),
  ),
} as const;
