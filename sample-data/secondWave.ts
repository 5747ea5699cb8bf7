/**
 * A second wave of the sample's link-spam campaign, for tests that need one (the bundled sample stays as it is):
 * the same accounts post the same near-identical comments a day later, and the reports follow as they did in the
 * first wave (3–8 per post, 3–80 minutes later, 92% spam). Rows come in the column order of the sample's
 * `content` and `reports` tables, with ids that cannot clash with the sample's.
 */
import { Random } from '../shared/random.js';
import { CAMPAIGN_END, CAMPAIGN_START } from './generate.js';
import { campaignText } from './texts.js';

const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface SecondWaveOptions {
  /** The campaign's accounts (incidents.json lists them). */
  accounts: string[];
  /** Posts in the wave; the first wave had 150. */
  posts: number;
  /** When the wave starts and ends, ms since the epoch; by default the first wave's hours a day later. */
  start?: number;
  end?: number;
  seed?: number;
}

export interface SecondWave {
  start: number;
  end: number;
  /** content_id, user_id, surface, content_type, language, text, created_at, has_image, image_emb, views_24h, media */
  content: (string | number | boolean | null)[][];
  /** report_id, content_id, reporter_id, reason, created_at */
  reports: string[][];
}

export function secondWave(options: SecondWaveOptions): SecondWave {
  const rng = new Random(options.seed ?? 20240311);
  const start = options.start ?? CAMPAIGN_START + DAY;
  const end = options.end ?? CAMPAIGN_END + DAY;
  const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  const content: SecondWave['content'] = [];
  const reports: SecondWave['reports'] = [];
  for (let post = 0; post < options.posts; post++) {
    const created = start + rng.next() * (end - start);
    const contentId = `wave2_c${String(post + 1).padStart(5, '0')}`;
    content.push([
      contentId,
      rng.pick(options.accounts),
      rng.chance(0.8) ? 'comment' : 'post',
      'text',
      'en',
      campaignText(rng),
      iso(created),
      false,
      null,
      Math.round(rng.logNormal(6, 0.8)),
      null, // no media: these rows go straight into a workspace, where no file of theirs is registered
    ]);
    for (let report = rng.int(3, 8); report > 0; report--) {
      reports.push([
        `wave2_r${String(reports.length + 1).padStart(6, '0')}`,
        contentId,
        `wave2_reporter${rng.int(1, 400)}`,
        rng.chance(0.92) ? 'spam' : 'other',
        iso(created + rng.int(3, 80) * MINUTE),
      ]);
    }
  }
  return { start, end, content, reports };
}
