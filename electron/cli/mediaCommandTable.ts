/** The tables of the media commands (`sift media prepare|clusters|audit|purge`), in the order `sift --help` lists them. */
import { command, json, workspace } from './commandSpec.js';

export const MEDIA_COMMANDS = {
  'media prepare': command({
    name: 'media prepare',
    summary: 'make the thumbnails, display renditions, video keyframes and perceptual hashes of the imported media',
    flags: {
      workspace,
      item: { type: 'string', value: 'ID', multiple: true, description: "only this item's media (repeatable)" },
      json,
    },
    notes:
      'Files already prepared are found in the cache and skipped; a corrupt, truncated or oversized file gets a placeholder and an error naming it, and the rest go on. Progress on stderr; Ctrl+C cancels between files. --json prints {"files", "prepared", "cached", "failed", "errors"}.',
  }),
  'media clusters': command({
    name: 'media clusters',
    summary: 'items whose images or video keyframes are one picture reposted (near-duplicate media), 2+ per cluster',
    flags: { workspace, json },
    notes:
      'Perceptual hashes (64-bit pHash) within 10 bits of each other, transitively; a video joins through any of its keyframes. --json prints [{"cluster": 1, "content_ids": [...]}, ...]. The hashes are made when media is prepared (docs/media.md).',
  }),
  'media audit': command({
    name: 'media audit',
    summary: 'every reveal of restricted media (a critical-severity label): who, when, which item, latest first',
    flags: {
      workspace,
      limit: { type: 'string', value: 'N', description: 'at most N reveals (default: 1000)' },
      json,
    },
    notes:
      'Restricted media reach a screen only shielded until the workspace owner approves a reveal of the item for the reviewer; each reveal is recorded (docs/media.md). --json prints [{"at": ..., "reviewer": ..., "content_id": ..., "position": ..., "rendition": ...}, ...].',
  }),
  'media purge': command({
    name: 'media purge',
    summary: "purge the bytes of restricted media past the workspace's retention (hashes and labels are kept)",
    flags: { workspace, json },
  }),
};
