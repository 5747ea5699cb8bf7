/**
 * Bench row 2 of issue 26: near-duplicate media clusters of 100,000 images, hashes precomputed (target ≤ 1 s).
 * The hashes are balanced 64-bit hashes as pHash makes them (32 bits above the median): 70% distinct pictures,
 * the rest reposted in families of 2–12 copies a few bits apart, and one campaign of 2,000 copies of one image.
 * Against the all-pairs comparison, measured on 5,000 of the hashes in the same run and scaled by n².
 */
import { clusterMediaItems } from '../shared/mediaClusters.js';
import { bitCount32, hashWords } from '../shared/perceptualHash.js';
import { Random } from '../shared/random.js';

const IMAGES = 100_000;
const ALL_PAIRS_SAMPLE = 5_000;

function balancedHash(rng: Random): number[] {
  const bits: number[] = Array.from({ length: 64 }, (_, i) => (i < 32 ? 1 : 0));
  for (let i = 63; i > 0; i--) {
    const j = rng.int(0, i);
    [bits[i], bits[j]] = [bits[j]!, bits[i]!];
  }
  return bits;
}

/** A copy: a few bits moved across the median (one up, one down, so it stays balanced). */
function copyOf(bits: number[], moves: number, rng: Random): number[] {
  const copy = [...bits];
  for (let m = 0; m < moves; m++) {
    const [one, zero] = [copy.indexOf(1, rng.int(0, 63)), copy.indexOf(0, rng.int(0, 63))];
    if (one >= 0 && zero >= 0) [copy[one], copy[zero]] = [0, 1];
  }
  return copy;
}

const hex = (bits: number[]) =>
  Array.from({ length: 16 }, (_, d) =>
    (bits[d * 4]! * 8 + bits[d * 4 + 1]! * 4 + bits[d * 4 + 2]! * 2 + bits[d * 4 + 3]!).toString(16),
  ).join('');

export function mediaHashSet(count: number, seed = 26): string[] {
  const rng = new Random(seed);
  const hashes: string[] = [];
  const campaign = balancedHash(rng);
  for (let i = 0; i < 2_000 && hashes.length < count; i++) hashes.push(hex(copyOf(campaign, rng.int(0, 2), rng)));
  while (hashes.length < count) {
    const picture = balancedHash(rng);
    const copies = rng.chance(0.3 / 7) ? rng.int(2, 12) : 1;
    for (let c = 0; c < copies && hashes.length < count; c++)
      hashes.push(hex(c === 0 ? picture : copyOf(picture, rng.int(0, 2), rng)));
  }
  return hashes;
}

function allPairs(hashes: string[], threshold: number): number {
  const words = hashes.map(hashWords);
  let joined = 0;
  for (let i = 0; i < words.length; i++) {
    const [h, l] = words[i]!;
    for (let j = i + 1; j < words.length; j++)
      if (bitCount32((h ^ words[j]![0]) >>> 0) + bitCount32((l ^ words[j]![1]) >>> 0) <= threshold) joined++;
  }
  return joined;
}

export function mediaClustersBenchmark(log: (line: string) => void): void {
  const hashes = mediaHashSet(IMAGES);
  const items = hashes.map((hash) => [hash]);
  const times: number[] = [];
  let clusters = 0;
  let largest = 0;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const found = clusterMediaItems(items);
    times.push(performance.now() - started);
    [clusters, largest] = [found.length, found[0]?.members.length ?? 0];
  }
  times.sort((a, b) => a - b);
  const sample = hashes.filter((_, i) => i % (IMAGES / ALL_PAIRS_SAMPLE) === 0);
  const started = performance.now();
  allPairs(sample, 10);
  const allPairsMs = (performance.now() - started) * (IMAGES / ALL_PAIRS_SAMPLE) ** 2;
  log(`\n## Near-duplicate media: clusters of ${IMAGES.toLocaleString('en-US')} perceptual hashes`);
  log(
    `media clusters in ${times[1]!.toFixed(0)} ms (median of 3; target ≤ 1 s: ${(times[1]! / 1000).toFixed(2)}× the budget); ` +
      `${clusters.toLocaleString('en-US')} clusters of 2+, largest ${largest.toLocaleString('en-US')}; ` +
      `all-pairs comparison ≈ ${(allPairsMs / 1000).toFixed(1)} s (measured on ${ALL_PAIRS_SAMPLE.toLocaleString('en-US')}, scaled by n²) = ${(allPairsMs / times[1]!).toFixed(0)}× slower`,
  );
}
