/**
 * Near-duplicate clustering with MinHash over character shingles and LSH banding. Coordinated campaigns repost
 * one message with small edits (emoji, numbers, a tracking code); digits are normalised away and texts whose
 * shingle sets overlap (Jaccard) above a threshold end up in one cluster.
 */

const SHINGLE = 5;
const PERMUTATIONS = 64;
// 32 bands × 2 rows: a pair at Jaccard 0.5 shares some band with probability 1 − (1 − 0.5²)³² ≈ 0.9999; every
// candidate is then checked against its real Jaccard similarity, so loose bands cost time, never accuracy.
const BANDS = 32;
/** Clusters checked per LSH bucket: linear time in the window, and distinct texts rarely share a bucket at all. */
const REPRESENTATIVES_PER_BUCKET = 8;

/** FNV-1a, 32-bit. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function normalizeForDuplicates(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/https?:\/\//g, '')
    .replace(/\d+/g, '0')
    .replace(/[^\p{L}\p{N}./]+/gu, ' ')
    .trim();
}

export function shingles(text: string): Set<number> {
  const normalized = normalizeForDuplicates(text);
  const result = new Set<number>();
  if (normalized.length <= SHINGLE) {
    if (normalized) result.add(fnv1a(normalized));
    return result;
  }
  for (let i = 0; i + SHINGLE <= normalized.length; i++) result.add(fnv1a(normalized.slice(i, i + SHINGLE)));
  return result;
}

// Fixed odd multipliers and offsets: the same signatures on every run and machine.
const SEEDS = Array.from({ length: PERMUTATIONS }, (_, i) => ({ a: (fnv1a(`a${i}`) | 1) >>> 0, b: fnv1a(`b${i}`) }));

export function minhash(set: Set<number>): Uint32Array {
  const signature = new Uint32Array(PERMUTATIONS).fill(0xffffffff);
  for (const value of set) {
    for (let p = 0; p < PERMUTATIONS; p++) {
      const hashed = (Math.imul(value ^ SEEDS[p]!.b, SEEDS[p]!.a) ^ (value >>> 7)) >>> 0;
      if (hashed < signature[p]!) signature[p] = hashed;
    }
  }
  return signature;
}

export function jaccard(a: Set<number>, b: Set<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const value of a) if (b.has(value)) common++;
  return common / (a.size + b.size - common);
}

/** Share of MinHash positions two signatures agree on: an unbiased estimate of their sets' Jaccard similarity. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let p = 0; p < a.length; p++) if (a[p] === b[p]) same++;
  return same / a.length;
}

/**
 * How far below the threshold an estimate may fall and still be checked exactly. With 64 permutations the
 * estimate's standard deviation is at most 0.0625, so a pair really at the threshold is skipped in well under 1%.
 */
const PREFILTER_SLACK = 0.2;

export interface Cluster {
  /** Indexes into the input, in input order. */
  members: number[];
}

/** Clusters texts whose shingle Jaccard similarity is at least `threshold` (transitively). */
export function clusterNearDuplicates(texts: string[], threshold = 0.5, minSize = 2): Cluster[] {
  const sets = texts.map(shingles);
  const signatures = sets.map(minhash);
  const parent = texts.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const rows = PERMUTATIONS / BANDS;
  for (let band = 0; band < BANDS; band++) {
    const buckets = new Map<number, number[]>();
    signatures.forEach((signature, index) => {
      // A 32-bit hash of the band's rows: a collision only adds candidates, and candidates are verified.
      let key = 0;
      for (let r = band * rows; r < (band + 1) * rows; r++)
        key = (Math.imul(key ^ signature[r]!, 0x9e3779b1) + 0x7f4a7c15) >>> 0;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(index);
      else buckets.set(key, [index]);
    });
    for (const bucket of buckets.values()) {
      // Each member is checked against a few representatives of the clusters already met in this bucket, never
      // against every other member: a 10,000-post campaign shares buckets, and all pairs would be 50M checks.
      const representatives: number[] = [];
      for (const index of bucket) {
        let joined = false;
        for (const representative of representatives) {
          if (find(representative) === find(index)) {
            joined = true;
            break;
          }
          // The signatures estimate the similarity cheaply; only a plausible pair pays for the exact Jaccard.
          if (
            signatureSimilarity(signatures[representative]!, signatures[index]!) >= threshold - PREFILTER_SLACK &&
            jaccard(sets[representative]!, sets[index]!) >= threshold
          ) {
            parent[find(index)] = find(representative);
            joined = true;
            break;
          }
        }
        if (!joined && representatives.length < REPRESENTATIVES_PER_BUCKET) representatives.push(index);
      }
    }
  }
  const groups = new Map<number, number[]>();
  texts.forEach((_, index) => {
    const root = find(index);
    const members = groups.get(root);
    if (members) members.push(index);
    else groups.set(root, [index]);
  });
  return [...groups.values()]
    .filter((members) => members.length >= minSize)
    .sort((a, b) => b.length - a.length || a[0]! - b[0]!)
    .map((members) => ({ members }));
}
