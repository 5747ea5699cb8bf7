/**
 * The one reduction from a picture to its perceptual hash (shared/perceptualHash.ts): sharp shrinks the decoded
 * image (the first frame of a GIF; transparency flattened on mid grey) to a 32×32 greyscale raster, squashed to a
 * square so a resized copy gives the same raster whatever its aspect. Preparing media and the tests that measure
 * the clustering threshold both hash through here, so the threshold holds for what is stored.
 */
import sharp from 'sharp';
import { HASH_RASTER_SIZE, perceptualHash } from '../../../shared/perceptualHash.js';

/** The 32×32 greyscale raster the hash is taken of. */
export async function hashRaster(image: Buffer | string): Promise<Uint8Array> {
  const { data, info } = await sharp(image)
    .flatten({ background: '#808080' })
    .greyscale()
    .resize(HASH_RASTER_SIZE, HASH_RASTER_SIZE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || data.length !== HASH_RASTER_SIZE * HASH_RASTER_SIZE)
    throw new Error(
      `hashRaster: sharp returned ${info.width}×${info.height}×${info.channels}, not a 32×32 grey raster`,
    );
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** The perceptual hash of an image file or its bytes (16 lower-case hex characters). */
export async function perceptualHashOfImage(image: Buffer | string): Promise<string> {
  return perceptualHash(await hashRaster(image));
}
