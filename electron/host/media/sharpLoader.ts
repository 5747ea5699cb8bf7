/**
 * sharp (libvips), loaded on first use: a CLI start that shows no media never loads its native library. Kept out of
 * the CLI bundle (bin/cliBundle.mjs externals), as native packages are.
 */
import type Sharp from 'sharp';

let loaded: Promise<typeof Sharp> | undefined;

export function loadSharp(): Promise<typeof Sharp> {
  loaded ??= import('sharp').then((module) => module.default);
  return loaded;
}
