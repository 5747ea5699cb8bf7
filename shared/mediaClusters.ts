/**
 * Near-duplicate media: perceptual hashes (shared/perceptualHash.ts) within MEDIA_CLUSTER_THRESHOLD bits of each
 * other are one picture reposted, and clusters are taken transitively, as the text clusters are. An item joins a
 * cluster through any of its hashes: each of its images, or any keyframe of a video.
 *
 * Fast through multi-index hashing (Norouzi, Punjani & Fleet 2012): the 64 bits are four 16-bit blocks, and two
 * hashes within the threshold have some block within a small radius of each other, so each hash probes a few
 * neighbouring keys of a table per block instead of comparing with every other hash. docs/media.md has the
 * threshold's measurement.
 */
import { bitCount32, hashWords } from './perceptualHash.js';

/**
 * Measured on the generated near-duplicate set (tests/unit/mediaDuplicatesFixture.ts; the curve is in
 * docs/media.md): at 10 bits pairwise recall was 0.98–1.00 with no distinct pictures joined, at 12 one set already
 * joined two distinct pictures. Hashes are balanced (32 bits above the median), so distances are even: 10 admits
 * the same pairs as 11.
 */
export const MEDIA_CLUSTER_THRESHOLD = 10;
/** A flat picture (a black keyframe, a blank image) hashes to all zeros: it says nothing, so it joins nothing. */
export const FLAT_HASH = '0000000000000000';

/** Four 16-bit blocks: about log2(n) bits a block for n ≈ 100,000, where multi-index hashing probes least. */
const BLOCKS = 4;

export interface MediaCluster {
  /** Indexes into the input, ascending. */
  members: number[];
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(size: number) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
  }
  find(i: number): number {
    const parent = this.parent;
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  }
  union(a: number, b: number): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA < rootB) this.parent[rootB] = rootA;
    else if (rootB < rootA) this.parent[rootA] = rootB;
  }
}

/** Every mask of `width` bits with at most `radius` of them set. */
function masksWithin(radius: number, width: number): Uint16Array {
  const masks: number[] = [];
  for (let mask = 0; mask < 1 << width; mask++) if (bitCount32(mask) <= radius) masks.push(mask);
  return Uint16Array.from(masks);
}

/**
 * Radius to probe in each of `blocks` blocks. With T = m·r + a (0 ≤ a < m), two hashes within T differ by at most
 * r bits in one of the first a + 1 blocks or by at most r − 1 in one of the others (else the blocks' distances
 * would sum past T).
 */
function blockRadii(threshold: number, blocks: number): number[] {
  const [r, a] = [Math.floor(threshold / blocks), threshold % blocks];
  return Array.from({ length: blocks }, (_, block) => (block <= a ? r : r - 1));
}

/** Bits [start, start + width) of each 64-bit hash (bit 0 the most significant of `high`). */
function blockKeys(high: Uint32Array, low: Uint32Array, start: number, width: number): Uint16Array {
  const keys = new Uint16Array(high.length);
  const mask = (1 << width) - 1;
  const end = start + width;
  for (let i = 0; i < high.length; i++) {
    const [h, l] = [high[i]!, low[i]!];
    keys[i] =
      end <= 32
        ? (h >>> (32 - end)) & mask
        : start >= 32
          ? (l >>> (64 - end)) & mask
          : ((h << (end - 32)) | (l >>> (64 - end))) & mask;
  }
  return keys;
}

/** Joins every two distinct hashes (as high and low words) within `threshold` bits: the multi-index search. */
function joinWithin(high: Uint32Array, low: Uint32Array, threshold: number, blocks = BLOCKS): UnionFind {
  const count = high.length;
  const sets = new UnionFind(count);
  const radii = blockRadii(threshold, blocks);
  const members = new Int32Array(count);
  // The hashes' words in bucket order, so a bucket's members are read from consecutive memory.
  const bucketHigh = new Uint32Array(count);
  const bucketLow = new Uint32Array(count);
  for (let block = 0, start = 0; block < blocks; block++) {
    const width = Math.floor(64 / blocks) + (block < 64 % blocks ? 1 : 0);
    const keys = blockKeys(high, low, start, width);
    start += width;
    const radius = radii[block]!;
    if (radius < 0) continue;
    const probes = masksWithin(radius, width);
    const keyCount = 1 << width;
    // A counting sort by this block's key: bucket k is members[starts[k] .. starts[k + 1]).
    const starts = new Int32Array(keyCount + 1);
    for (let i = 0; i < count; i++) starts[keys[i]! + 1]!++;
    for (let k = 0; k < keyCount; k++) starts[k + 1]! += starts[k]!;
    const filled = starts.slice(0, keyCount);
    for (let i = 0; i < count; i++) {
      const at = filled[keys[i]!]!++;
      members[at] = i;
      bucketHigh[at] = high[i]!;
      bucketLow[at] = low[i]!;
    }
    // Per occupied key, not per hash: the keys within the radius are probed once for a whole bucket, and each pair
    // of buckets once (the other key not below this one).
    for (let key = 0; key < keyCount; key++) {
      const from = starts[key]!;
      const to = starts[key + 1]!;
      if (from === to) continue;
      for (let p = 0; p < probes.length; p++) {
        const other = key ^ probes[p]!;
        if (other < key) continue;
        const otherEnd = starts[other + 1]!;
        for (let a = from; a < to; a++) {
          const h = bucketHigh[a]!;
          const l = bucketLow[a]!;
          for (let b = other === key ? a + 1 : starts[other]!; b < otherEnd; b++) {
            if (bitCount32(h ^ bucketHigh[b]!) + bitCount32(l ^ bucketLow[b]!) <= threshold)
              sets.union(members[a]!, members[b]!);
          }
        }
      }
    }
  }
  return sets;
}

/**
 * Clusters of near-duplicate items. `hashesPerItem[i]` are item i's perceptual hashes (none: it joins nothing);
 * two items are in one cluster when a chain of hashes within `threshold` links them. Clusters of at least
 * `minSize` items, largest first, then by their first member.
 */
export function clusterMediaItems(
  hashesPerItem: readonly (readonly string[])[],
  threshold = MEDIA_CLUSTER_THRESHOLD,
  minSize = 2,
): MediaCluster[] {
  // Identical hashes are one point of the search: a campaign's 10,000 copies of one file cost one probe.
  const distinct = new Map<string, number>();
  const itemsOfHash: number[][] = [];
  hashesPerItem.forEach((hashes, item) => {
    for (const hash of hashes) {
      if (hash === FLAT_HASH) continue;
      let index = distinct.get(hash);
      if (index === undefined) {
        distinct.set(hash, (index = itemsOfHash.length));
        itemsOfHash.push([]);
      }
      itemsOfHash[index]!.push(item);
    }
  });
  const high = new Uint32Array(distinct.size);
  const low = new Uint32Array(distinct.size);
  for (const [hash, index] of distinct) [high[index], low[index]] = hashWords(hash);
  const hashSets = joinWithin(high, low, threshold);
  // Items sharing a hash, or holding hashes of one cluster, are one cluster.
  const items = new UnionFind(hashesPerItem.length);
  const firstItemOfRoot = new Map<number, number>();
  itemsOfHash.forEach((holders, index) => {
    const root = hashSets.find(index);
    const first = firstItemOfRoot.get(root);
    if (first === undefined) firstItemOfRoot.set(root, holders[0]!);
    for (const item of holders) items.union(first ?? holders[0]!, item);
  });
  return groupsOf(items, hashesPerItem.length, minSize);
}

function groupsOf(sets: UnionFind, count: number, minSize: number): MediaCluster[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const root = sets.find(i);
    const members = groups.get(root);
    if (members) members.push(i);
    else groups.set(root, [i]);
  }
  return [...groups.values()]
    .filter((members) => members.length >= minSize)
    .sort((a, b) => b.length - a.length || a[0]! - b[0]!)
    .map((members) => ({ members }));
}

/**
 * One grouping from several (text clusters and media clusters of the same items): items linked by any of them are
 * one group, so a rule kept per group (one per batch, one split) holds for both kinds of duplicate at once.
 */
export function unionOfClusters(
  count: number,
  clusterings: readonly (readonly { members: readonly number[] }[])[],
  minSize = 2,
): MediaCluster[] {
  const sets = new UnionFind(count);
  for (const clusters of clusterings)
    for (const { members } of clusters) for (const member of members) sets.union(members[0]!, member);
  return groupsOf(sets, count, minSize);
}
