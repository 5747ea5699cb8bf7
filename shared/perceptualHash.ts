/**
 * 64-bit perceptual hash (pHash, the DCT variant of Zauner's "Implementation and Benchmarking of Perceptual Image
 * Hash Functions"): the image, already reduced to a 32×32 greyscale raster, is taken to the frequency domain and
 * each of the 8×8 lowest non-constant frequencies gives one bit — above the median of the 64 or not. Resizing,
 * recompression, a light crop or a small watermark move few of those coefficients across the median, so copies
 * stay within a few bits of each other while unrelated images differ in about half.
 *
 * Pure and deterministic: the same raster gives the same hex on every machine. The caller (mediacore) reduces the
 * image with sharp (`resize(32, 32, { fit: 'fill' }).greyscale().raw()`).
 */

export const HASH_RASTER_SIZE = 32;
/** Frequencies 1..8 on both axes: the constant term (0) says only how bright the image is, so it is left out. */
const HASH_FREQUENCIES = 8;
export const PERCEPTUAL_HASH_BITS = HASH_FREQUENCIES * HASH_FREQUENCIES;
const HEX_HASH = /^[0-9a-f]{16}$/;
/**
 * A coefficient must clear the median by more than this to count as above it, so a flat image (every coefficient
 * zero up to rounding noise) hashes to all zeros instead of to whatever the noise says.
 */
const ABOVE_MEDIAN_EPSILON = 1e-6;

// cos(π(2x+1)k / 2N) for k = 1..8 and x = 0..31, computed once: the DCT-II basis without its constant factor,
// which is the same for every k ≥ 1 and so cannot change which coefficients lie above the median.
const BASIS = Array.from({ length: HASH_FREQUENCIES }, (_, index) => {
  const k = index + 1;
  return Float64Array.from({ length: HASH_RASTER_SIZE }, (_unused, x) =>
    Math.cos((Math.PI * (2 * x + 1) * k) / (2 * HASH_RASTER_SIZE)),
  );
});

/** The low-frequency DCT-II coefficients [u][v] for u, v in 1..8, row-major. */
function lowFrequencies(raster: Uint8Array): Float64Array {
  const size = HASH_RASTER_SIZE;
  // Along each row first (horizontal frequency v), then down each of the 8 resulting columns (vertical u).
  const rows = new Float64Array(size * HASH_FREQUENCIES);
  for (let y = 0; y < size; y++) {
    for (let v = 0; v < HASH_FREQUENCIES; v++) {
      const basis = BASIS[v]!;
      let sum = 0;
      for (let x = 0; x < size; x++) sum += raster[y * size + x]! * basis[x]!;
      rows[y * HASH_FREQUENCIES + v] = sum;
    }
  }
  const coefficients = new Float64Array(PERCEPTUAL_HASH_BITS);
  for (let u = 0; u < HASH_FREQUENCIES; u++) {
    const basis = BASIS[u]!;
    for (let v = 0; v < HASH_FREQUENCIES; v++) {
      let sum = 0;
      for (let y = 0; y < size; y++) sum += rows[y * HASH_FREQUENCIES + v]! * basis[y]!;
      coefficients[u * HASH_FREQUENCIES + v] = sum;
    }
  }
  return coefficients;
}

/**
 * The pHash of a 32×32 greyscale raster (row-major, one byte per pixel) as 16 lower-case hex characters; bit 63
 * (the first hex digit's high bit) is frequency (1,1), then along the row to (1,8), then (2,1)… to (8,8).
 */
export function perceptualHash(raster: Uint8Array): string {
  const expected = HASH_RASTER_SIZE * HASH_RASTER_SIZE;
  if (raster.length !== expected) {
    throw new RangeError(
      `perceptualHash needs a ${HASH_RASTER_SIZE}×${HASH_RASTER_SIZE} greyscale raster (${expected} bytes), got ${raster.length} bytes`,
    );
  }
  const coefficients = lowFrequencies(raster);
  const sorted = Float64Array.from(coefficients).sort();
  const median = (sorted[PERCEPTUAL_HASH_BITS / 2 - 1]! + sorted[PERCEPTUAL_HASH_BITS / 2]!) / 2;
  let hex = '';
  for (let nibble = 0; nibble < PERCEPTUAL_HASH_BITS / 4; nibble++) {
    let digit = 0;
    for (let bit = 0; bit < 4; bit++) {
      digit = (digit << 1) | (coefficients[nibble * 4 + bit]! > median + ABOVE_MEDIAN_EPSILON ? 1 : 0);
    }
    hex += digit.toString(16);
  }
  return hex;
}

export function isPerceptualHash(value: string): boolean {
  return HEX_HASH.test(value);
}

/** A hash as its high and low 32 bits (unsigned), the form the clustering compares quickly. */
export function hashWords(hash: string): [high: number, low: number] {
  if (!HEX_HASH.test(hash)) throw new RangeError(`not a perceptual hash (16 lower-case hex characters): "${hash}"`);
  return [Number.parseInt(hash.slice(0, 8), 16), Number.parseInt(hash.slice(8), 16)];
}

/** Set bits of a 32-bit integer (SWAR popcount). */
export function bitCount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Number of bits in which two hashes differ (0..64). */
export function hammingDistance(a: string, b: string): number {
  const [aHigh, aLow] = hashWords(a);
  const [bHigh, bLow] = hashWords(b);
  return bitCount32((aHigh ^ bHigh) >>> 0) + bitCount32((aLow ^ bLow) >>> 0);
}
