/** The tables of the media commands (`sift media clusters`), in the order `sift --help` lists them. */
import { command, json, workspace } from './commandSpec.js';

export const MEDIA_COMMANDS = {
  'media clusters': command({
    name: 'media clusters',
    summary: 'items whose images or video keyframes are one picture reposted (near-duplicate media), 2+ per cluster',
    flags: { workspace, json },
    notes:
      'Perceptual hashes (64-bit pHash) within 10 bits of each other, transitively; a video joins through any of its keyframes. --json prints [{"cluster": 1, "content_ids": [...]}, ...]. The hashes are made when media is prepared (docs/media.md).',
  }),
};
