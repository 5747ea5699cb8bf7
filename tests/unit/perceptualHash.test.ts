import { describe, expect, it } from 'vitest';
import {
  bitCount32,
  HASH_RASTER_SIZE,
  hammingDistance,
  hashWords,
  isPerceptualHash,
  perceptualHash,
} from '../../shared/perceptualHash';

const raster = (pixel: (x: number, y: number) => number): Uint8Array => {
  const out = new Uint8Array(HASH_RASTER_SIZE * HASH_RASTER_SIZE);
  for (let y = 0; y < HASH_RASTER_SIZE; y++) {
    for (let x = 0; x < HASH_RASTER_SIZE; x++) out[y * HASH_RASTER_SIZE + x] = pixel(x, y);
  }
  return out;
};
const texture = raster((x, y) => (x * 7 + y * 13 + ((x * y) % 17) * 5) % 256);
const disc = raster((x, y) => ((x - 16) ** 2 + (y - 10) ** 2 < 100 ? 230 : 30));

describe('perceptualHash', () => {
  it('matches the DCT-II reference bit for bit', () => {
    // Expected hashes from scipy 1.17: c = dct(dct(p, type=2, axis=1), type=2, axis=0); the 64 coefficients
    // c[1:9, 1:9] row-major, bit = c > median(those 64), most significant bit first, written as hex.
    expect(perceptualHash(texture)).toBe('29822b6fc04ddb5e');
    expect(perceptualHash(disc)).toBe('2dd0f030cbc3b2cf');
  });

  it('hashes a flat image to zeros, whatever its brightness', () => {
    expect(perceptualHash(raster(() => 0))).toBe('0000000000000000');
    expect(perceptualHash(raster(() => 187))).toBe('0000000000000000');
  });

  it('barely moves under brightness, contrast and noise, and differs a lot between unrelated images', () => {
    const brighter = raster((x, y) => Math.min(255, Math.round(disc[y * 32 + x]! * 0.9 + 20)));
    const noisy = raster((x, y) => Math.max(0, Math.min(255, disc[y * 32 + x]! + (((x * 31 + y * 17) % 11) - 5))));
    expect(hammingDistance(perceptualHash(disc), perceptualHash(brighter))).toBe(0);
    expect(hammingDistance(perceptualHash(disc), perceptualHash(noisy))).toBeLessThanOrEqual(4);
    expect(hammingDistance(perceptualHash(disc), perceptualHash(texture))).toBeGreaterThan(16);
  });

  it('refuses a raster of the wrong size by saying what it needs', () => {
    expect(() => perceptualHash(new Uint8Array(64 * 64))).toThrow(/32×32 greyscale raster \(1024 bytes\), got 4096/);
  });
});

describe('hammingDistance', () => {
  it('counts differing bits across both halves', () => {
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
    expect(hammingDistance('29822b6fc04ddb5e', '29822b6fc04ddb5e')).toBe(0);
    expect(hammingDistance('f0f0000000000000', '0ff0000000000000')).toBe(8);
  });

  it('refuses anything but 16 lower-case hex characters', () => {
    expect(isPerceptualHash('29822b6fc04ddb5e')).toBe(true);
    expect(isPerceptualHash('29822B6FC04DDB5E')).toBe(false);
    expect(() => hashWords('abc')).toThrow(/16 lower-case hex/);
    expect(() => hammingDistance('0000000000000000', 'zzzzzzzzzzzzzzzz')).toThrow(/zzzz/);
  });

  it('counts bits of unsigned 32-bit words', () => {
    expect(bitCount32(0xffffffff)).toBe(32);
    expect(bitCount32(0x80000000)).toBe(1);
    expect(bitCount32(0)).toBe(0);
    expect(bitCount32(0x12345678)).toBe(13);
  });
});
