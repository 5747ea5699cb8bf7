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
    const buckets = new Map<string, number[]>();
    signatures.forEach((signature, index) => {
      const key = Array.from(signature.subarray(band * rows, (band + 1) * rows)).join(',');
      const bucket = buckets.get(key);
      if (bucket) bucket.push(index);
      else buckets.set(key, [index]);
    });
    for (const bucket of buckets.values()) {
      // Candidates from a band are joined only when their real similarity clears the threshold.
      for (let x = 0; x < bucket.length; x++) {
        for (let y = x + 1; y < bucket.length; y++) {
          const [i, j] = [bucket[x]!, bucket[y]!];
          if (find(i) !== find(j) && jaccard(sets[i]!, sets[j]!) >= threshold) parent[find(j)] = find(i);
        }
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
  return [...groups.values()].filter((members) => members.length >= minSize).sort((a, b) => b.length - a.length || a[0]! - b[0]!).map((members) => ({ members }));
}
