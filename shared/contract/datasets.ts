/** Labeled datasets exported as immutable, versioned folders. */
import { z } from 'zod/v3';
import { policyVersionName } from '../taxonomy.js';
import { job, method, nonEmpty } from './base.js';

export interface DatasetManifest {
  name: string;
  version: number;
  parentVersion: number | null;
  createdAt: string;
  tool: { name: string; version: string };
  policyVersion: string;
  labelSchema: { version: number; columns: string[]; categories: string[]; values: string };
  /** The account features in the rows: as of each item's upload (Sift's content_features), never later information. */
  features: { view: string; asOf: 'upload'; columns: { name: string; description: string }[]; available: boolean };
  annotators: string[];
  sessions: { id: string; name: string; strategy: string; pool: string; model: string; modelVersion: string }[];
  adjudicationRule: string;
  contestedItemsLeftOut: number;
  /** Items whose labels were made under another policy version and never carried over to this one: left out. */
  notCarriedOver: { count: number; contentIds: string[] };
  sourceQueries: string[];
  modelVersions: string[];
  splits: { method: 'time'; cut: string; validationEnd: string; nearDuplicatesMoved: number };
  rows: Record<string, number>;
  files: { path: string; split: string; format: 'parquet' | 'jsonl'; rows: number; bytes: number; sha256: string }[];
  /** The items' media, when any exported item has some (absent otherwise): see DatasetMedia. */
  media?: DatasetMedia;
  /** Where the version was written (in an export's answer; not stored in the manifest). */
  dir?: string;
}

/** One media file of a version: `media/<sha256>.<ext>`, one copy per distinct file whatever the items sharing it. */
export interface DatasetMediaFile {
  path: string;
  sha256: string;
  bytes: number;
  kind: 'image' | 'video';
  format: string;
}

/**
 * The media of a version. The rows gain `image` and/or `video` (paths relative to the version, a list per row when
 * an item has several of that kind), `media_sha256` (every file of the item, in order, bytes or not) and `image_emb`
 * (the item's image embedding, where there is one). Restricted items' media and purged or undecodable files carry
 * their hash (and embedding) but never bytes: they are counted in `withheld`.
 */
export interface DatasetMedia {
  columns: { name: 'image' | 'video'; list: boolean }[];
  files: DatasetMediaFile[];
  withheld: { restricted: number; purged: number; error: number };
  /** The image encoder of the `image_emb` Sift computed (null: only the content's own image_emb, or none). */
  embeddingEncoder: { name: string; version: string } | null;
}

export interface DatasetVerification {
  dir: string;
  ok: boolean;
  /** One line per file that differs from the manifest, is missing, or is there unlisted; and for a manifest or card that differs from what was written. */
  problems: string[];
  files: number;
  /**
   * What could be checked: `record`, the files against the manifest and the manifest and card against the SHA-256s
   * the workspace recorded when it wrote the version; `files`, only the files against the manifest (no workspace
   * that wrote it was at hand; `note` says so).
   */
  scope: 'record' | 'files';
  note?: string;
}

/** A published version holding the bytes of some media asked about (datasets.holdingMedia). */
export interface VersionHoldingMedia {
  dir: string;
  name: string;
  version: number;
  createdAt: string;
  /** The media asked about whose bytes it holds (SHA-256s). */
  sha256s: string[];
  /** Whether its folder is still there as written (its manifest the one recorded). */
  onDisk: boolean;
}

export interface DatasetDiff {
  from: string;
  to: string;
  added: number;
  removed: number;
  relabeled: number;
  moved: number;
  perSplit: Record<string, { added: number; removed: number; relabeled: number }>;
  perCategory: Record<string, { relabeled: number; toPositive: number; toNegative: number }>;
}

/** A dataset's name becomes a folder (<out>/<name>/vN/), so it is one plain folder name: no separator, no dot first. */
export const DATASET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const datasetName = z
  .string({ message: 'name must be a string' })
  .regex(DATASET_NAME_PATTERN, 'name: letters, digits, _ . - (up to 100), starting with a letter or digit');

const exportInput = z
  .object({
    name: datasetName,
    /** The folder datasets go in; the version lands in <out>/<name>/v<N>/. Default: the workspace's exports/datasets. */
    out: z.string().min(1).optional(),
    sessions: z.array(nonEmpty('sessions')).max(1000).default([]),
    cutDate: z.string().optional(),
    valDays: z.number().int().min(0).max(3650).optional(),
    formats: z
      .array(z.enum(['parquet', 'jsonl']))
      .min(1)
      .default(['parquet']),
    /** The policy version the dataset holds (the workspace's latest by default). */
    policyVersion: policyVersionName().optional(),
    /** Leave out (and list) items labeled only under other policy versions, instead of refusing. */
    leaveOutOtherPolicies: z.boolean().optional(),
  })
  .strict();

export const datasetMethods = {
  /** A job (progress, cancel). */
  'datasets.export': job<DatasetManifest>()(exportInput),
  /** The versions of a dataset in the workspace's datasets folder, oldest first. */
  'datasets.list': method<DatasetManifest[]>()(z.object({ name: datasetName }).strict()),
  'datasets.verify': method<DatasetVerification>()(z.object({ dir: nonEmpty('dir') }).strict()),
  /** Items added, removed, relabeled (per category) and moved between two versions, per split. */
  'datasets.diff': method<DatasetDiff>()(z.object({ from: nonEmpty('from'), to: nonEmpty('to') }).strict()),
  /**
   * The versions this workspace published (and did not delete) holding the bytes of these items' media or of these
   * files: what to list when an item becomes restricted (docs/media.md).
   */
  'datasets.holdingMedia': method<VersionHoldingMedia[]>()(
    z
      .object({
        contentIds: z.array(nonEmpty('contentIds')).max(10_000).default([]),
        sha256s: z
          .array(z.string().regex(/^[0-9a-f]{64}$/, 'sha256s: each a SHA-256 (64 lower-case hex)'))
          .max(10_000)
          .default([]),
      })
      .strict(),
  ),
  /** Deletes a version this workspace published, whole (never rewritten): e.g. one holding restricted media. */
  'datasets.delete': method<{ dir: string; deleted: boolean }>()(z.object({ dir: nonEmpty('dir') }).strict()),
} as const;
