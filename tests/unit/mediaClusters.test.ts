import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterMediaItems, FLAT_HASH, MEDIA_CLUSTER_THRESHOLD, unionOfClusters } from '../../shared/mediaClusters';
import { hammingDistance } from '../../shared/perceptualHash';
import { Random } from '../../shared/random';
import { COPY_KINDS, type HashedCopy, hashedNearDuplicateSet } from './mediaDuplicatesFixture';

/** Pairwise recall and precision of a clustering against the families the copies came from. */
function pairwise(copies: HashedCopy[], threshold: number) {
  const clusterOf = new Int32Array(copies.length).fill(-1);
  clusterMediaItems(
    copies.map((copy) => [copy.phash]),
    threshold,
  ).forEach((cluster, id) => cluster.members.forEach((member) => (clusterOf[member] = id)));
  let [truePairs, joinedPairs, joinedTrue] = [0, 0, 0];
  for (let i = 0; i < copies.length; i++) {
    for (let j = i + 1; j < copies.length; j++) {
      const same = copies[i]!.family === copies[j]!.family;
      const joined = clusterOf[i] !== -1 && clusterOf[i] === clusterOf[j];
      truePairs += same ? 1 : 0;
      joinedPairs += joined ? 1 : 0;
      joinedTrue += same && joined ? 1 : 0;
    }
  }
  return { recall: joinedTrue / truePairs, precision: joinedPairs === 0 ? 1 : joinedTrue / joinedPairs };
}

describe('near-duplicate media on a generated set of real image files', () => {
  let dir: string;
  let copies: HashedCopy[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-media-dups-'));
    copies = await hashedNearDuplicateSet(dir, 80);
  }, 180_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('joins resized, recompressed, cropped and watermarked copies and keeps distinct pictures apart', () => {
    expect(copies).toHaveLength(80 * COPY_KINDS.length);
    const { recall, precision } = pairwise(copies, MEDIA_CLUSTER_THRESHOLD);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(precision).toBeGreaterThanOrEqual(0.99);
  });

  it('finds every kind of copy near its original, and no two distinct pictures that close', () => {
    const originals = copies.filter((copy) => copy.kind === 'original');
    for (const kind of COPY_KINDS) {
      const near = copies
        .filter((copy) => copy.kind === kind)
        .filter((copy) => hammingDistance(copy.phash, originals[copy.family]!.phash) <= MEDIA_CLUSTER_THRESHOLD);
      expect(near.length, kind).toBeGreaterThanOrEqual(0.85 * originals.length);
    }
    let closestDistinct = 64;
    for (let i = 0; i < originals.length; i++)
      for (let j = i + 1; j < originals.length; j++)
        closestDistinct = Math.min(closestDistinct, hammingDistance(originals[i]!.phash, originals[j]!.phash));
    expect(closestDistinct).toBeGreaterThan(MEDIA_CLUSTER_THRESHOLD);
  });
});

describe('clusterMediaItems', () => {
  const flip = (hash: string, bits: number[]) => {
    const digits = [...hash].map((digit) => Number.parseInt(digit, 16));
    for (const bit of bits) digits[bit >> 2]! ^= 8 >> (bit & 3);
    return digits.map((digit) => digit.toString(16)).join('');
  };
  const base = '29822b6fc04ddb5e';

  it('joins within the threshold, transitively, and not one bit further', () => {
    const near = flip(base, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // 10 bits from base
    const chained = flip(near, [20, 21, 22, 23, 24, 25]); // 6 from near, 16 from base
    const far = flip(base, [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]); // 11 from base, farther from the rest
    expect(clusterMediaItems([[base], [near], [chained], [far]]).map((c) => c.members)).toEqual([[0, 1, 2]]);
  });

  it('lets an item join through any of its hashes (a video through any keyframe)', () => {
    const other = flip(base, [10, 20, 30, 40, 50, 60, 1, 11, 21, 31, 41, 51, 61, 3, 13, 23, 33, 43, 53, 63]);
    const items = [[base], [FLAT_HASH, other, flip(base, [63])], [flip(other, [2])], ['ffffffff00000000']];
    expect(clusterMediaItems(items).map((c) => c.members)).toEqual([[0, 1, 2]]);
  });

  it('never joins on a flat picture, and leaves items without media alone', () => {
    expect(clusterMediaItems([[FLAT_HASH], [FLAT_HASH], [], []])).toEqual([]);
  });

  it('finds exactly the pairs a brute-force comparison finds, at every threshold', () => {
    const rng = new Random(3);
    const hashes: string[] = [];
    for (let i = 0; i < 250; i++) {
      const root = Array.from({ length: 16 }, () => rng.int(0, 15).toString(16)).join('');
      hashes.push(root);
      for (let copy = rng.int(0, 3); copy > 0; copy--)
        hashes.push(
          flip(
            root,
            Array.from({ length: rng.int(1, 14) }, () => rng.int(0, 63)),
          ),
        );
    }
    const distance: number[][] = hashes.map((a) => hashes.map((b) => hammingDistance(a, b)));
    for (const threshold of [0, 3, 6, 10, 13]) {
      const parent = hashes.map((_, i) => i);
      const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
      for (let i = 0; i < hashes.length; i++)
        for (let j = i + 1; j < hashes.length; j++) if (distance[i]![j]! <= threshold) parent[find(j)] = find(i);
      const expected = unionOfClusters(hashes.length, [hashes.map((_, i) => ({ members: [find(i), i] }))]);
      expect(
        clusterMediaItems(
          hashes.map((hash) => [hash]),
          threshold,
        ),
        `threshold ${threshold}`,
      ).toEqual(expected);
    }
  });

  it('unites text and media clusters into one grouping', () => {
    const text = [{ members: [0, 1] }, { members: [4, 5] }];
    const media = [{ members: [1, 2] }, { members: [6, 7] }];
    expect(unionOfClusters(8, [text, media]).map((c) => c.members)).toEqual([
      [0, 1, 2],
      [4, 5],
      [6, 7],
    ]);
  });
});
