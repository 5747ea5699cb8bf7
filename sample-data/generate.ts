/**
 * Deterministic generator for the synthetic platform sample: the canonical tables of DESIGN.md with a
 * realistic shape, plus one injected incident whose ground truth goes to incidents.json.
 *
 *   npm run sample-data -- --rows N --seed S --out DIR
 *
 * Shape: several languages and surfaces; violations well under 10%; account ages and prior violations;
 * reports mostly (60–70%) non-actionable; scores from two model versions; human labels for a reviewed subset.
 * Incident: a coordinated link-spam campaign starts two hours after model version 2024.03.0 replaces
 * 2024.02.1 — the new version under-scores link spam, nothing removes it automatically, and reports spike.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Random } from '../shared/random.js';
import { drawAppeals, type Removal } from './sampleAppeals.js';
import { type MediaMode, SampleMedia } from './sampleMedia.js';
import { SampleWriter, type TableSink, timestampText } from './tableWriter.js';
import { CAMPAIGN_DOMAIN, LANGUAGES, type Language, type TrueCategory, campaignText, contentText } from './texts.js';

export const SAMPLE_START = Date.UTC(2024, 2, 1); // 2024-03-01T00:00:00Z
export const SAMPLE_DAYS = 14;
export const MODEL_NAME = 'text-distil';
export const OLD_VERSION = '2024.02.1';
export const NEW_VERSION = '2024.03.0';
export const VERSION_CHANGE = Date.UTC(2024, 2, 10, 12); // 2024-03-10 12:00Z
export const CAMPAIGN_START = Date.UTC(2024, 2, 10, 14);
export const CAMPAIGN_END = Date.UTC(2024, 2, 10, 18);
export const SCORED_CATEGORIES = ['hate_speech', 'nsfw', 'spam', 'misinformation', 'csam'] as const;
const TOP_CATEGORIES = ['hate_speech', 'nsfw', 'spam', 'misinformation'] as const;
const AUTO_REMOVE = 0.9;
const AUTO_ESCALATE = 0.7;

export interface Incident {
  kind: string;
  start: string;
  end: string;
  description: string;
  [detail: string]: unknown;
}

export interface GeneratorOptions {
  rows: number;
  seed: number;
  out: string;
  /** 'files' (default), 'paths' (the column without the files), 'none' (an empty column: benchmarks' big samples). */
  media?: MediaMode;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const TRUE_CATEGORY_WEIGHTS: Record<TrueCategory, number> = {
  none: 925,
  spam: 30,
  hate_speech: 20,
  nsfw: 13,
  misinformation: 12,
};
const REPORT_REASON: Record<TrueCategory, Record<string, number>> = {
  none: { spam: 30, harassment: 25, hate: 10, nudity: 8, misinformation: 12, violence: 5, other: 10 },
  spam: { spam: 85, other: 15 },
  hate_speech: { hate: 60, harassment: 35, other: 5 },
  nsfw: { nudity: 85, other: 15 },
  misinformation: { misinformation: 80, other: 20 },
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const ts = timestampText;

const COLUMNS: Record<string, { columns: Record<string, string>; orderBy: string }> = {
  users: {
    columns: {
      user_id: 'VARCHAR',
      username: 'VARCHAR',
      created_at: 'TIMESTAMP',
      is_staff: 'BOOLEAN',
      prior_violations_30d: 'INTEGER',
    },
    orderBy: 'user_id',
  },
  content: {
    columns: {
      content_id: 'VARCHAR',
      user_id: 'VARCHAR',
      surface: 'VARCHAR',
      content_type: 'VARCHAR',
      language: 'VARCHAR',
      text: 'VARCHAR',
      created_at: 'TIMESTAMP',
      has_image: 'BOOLEAN',
      image_emb: 'FLOAT[]',
      views_24h: 'INTEGER',
      media: 'VARCHAR', // a path relative to the sample folder (sampleMedia.ts), as an export writes it
    },
    orderBy: 'created_at, content_id',
  },
  reports: {
    columns: {
      report_id: 'VARCHAR',
      content_id: 'VARCHAR',
      reporter_id: 'VARCHAR',
      reason: 'VARCHAR',
      created_at: 'TIMESTAMP',
    },
    orderBy: 'created_at, report_id',
  },
  moderation_actions: {
    columns: {
      action_id: 'VARCHAR',
      content_id: 'VARCHAR',
      target_user_id: 'VARCHAR',
      actor_id: 'VARCHAR',
      actor_type: 'VARCHAR',
      action: 'VARCHAR',
      category: 'VARCHAR',
      model_version: 'VARCHAR',
      created_at: 'TIMESTAMP',
    },
    orderBy: 'created_at, action_id',
  },
  model_scores: {
    columns: {
      content_id: 'VARCHAR',
      model: 'VARCHAR',
      model_version: 'VARCHAR',
      category: 'VARCHAR',
      score: 'DOUBLE',
      scored_at: 'TIMESTAMP',
    },
    orderBy: 'scored_at, content_id, category',
  },
  appeals: {
    columns: {
      appeal_id: 'VARCHAR',
      content_id: 'VARCHAR',
      action_id: 'VARCHAR',
      created_at: 'TIMESTAMP',
      decided_at: 'TIMESTAMP',
      outcome: 'VARCHAR',
    },
    orderBy: 'created_at, appeal_id',
  },
  label_events: {
    columns: {
      event_id: 'VARCHAR',
      session_id: 'VARCHAR',
      content_id: 'VARCHAR',
      annotator_id: 'VARCHAR',
      category: 'VARCHAR',
      value: 'VARCHAR',
      policy_version: 'VARCHAR',
      kind: 'VARCHAR',
      created_at: 'TIMESTAMP',
    },
    orderBy: 'created_at, event_id',
  },
};
export const SAMPLE_TABLES = Object.keys(COLUMNS);

interface User {
  id: string;
  createdAt: number;
  priorViolations: number;
}

export async function generatePlatformSample(
  options: GeneratorOptions,
): Promise<{ counts: Record<string, number>; incidents: Incident[] }> {
  const rng = new Random(options.seed);
  const media = new SampleMedia(options.seed, options.media);
  const writer = new SampleWriter();
  const sinks = Object.fromEntries(
    SAMPLE_TABLES.map((table) => [table, writer.table(table, COLUMNS[table]!.columns, COLUMNS[table]!.orderBy)]),
  ) as Record<string, TableSink>;
  const end = SAMPLE_START + SAMPLE_DAYS * 24 * HOUR;

  // Users: account ages are log-normal (most a year or more, a tail of new accounts); few have prior strikes.
  const userCount = Math.max(200, Math.round(options.rows / 6));
  const users: User[] = [];
  for (let i = 0; i < userCount; i++) {
    const ageDays = Math.min(3650, rng.logNormal(5.5, 1.2));
    const priorViolations = rng.chance(0.9) ? 0 : rng.int(1, rng.chance(0.8) ? 2 : 9);
    const user = { id: `u${pad(i + 1, 7)}`, createdAt: SAMPLE_START - ageDays * 24 * HOUR, priorViolations };
    users.push(user);
    sinks.users!.push([
      user.id,
      `${rng.pick(['sun', 'blue', 'dark', 'tiny', 'mega', 'neo', 'lil', 'real'])}_${rng.pick(['fox', 'wave', 'rider', 'chef', 'cat', 'byte', 'moon'])}${rng.int(1, 9999)}`,
      ts(user.createdAt),
      rng.chance(0.005),
      priorViolations,
    ]);
  }
  // Campaign accounts: created in the two days before the campaign, no history.
  const campaignAccounts: User[] = [];
  const campaignAccountCount = Math.max(12, Math.round(options.rows / 1500));
  for (let i = 0; i < campaignAccountCount; i++) {
    const user = {
      id: `u${pad(userCount + i + 1, 7)}`,
      createdAt: CAMPAIGN_START - rng.int(2, 48) * HOUR,
      priorViolations: 0,
    };
    campaignAccounts.push(user);
    sinks.users!.push([user.id, `promo_growth${rng.int(100, 999)}`, ts(user.createdAt), false, 0]);
  }
  const reporters = users.slice(0, Math.max(50, Math.round(userCount * 0.6)));
  const moderators = Array.from({ length: 12 }, (_, i) => `mod_${pad(i + 1, 2)}`);
  const annotators = Array.from({ length: 8 }, (_, i) => `ann_${pad(i + 1, 2)}`);

  let reportSeq = 0;
  let actionSeq = 0;
  let labelSeq = 0;
  const counts = { campaignPosts: 0 };
  const campaignPosts = Math.max(60, Math.round(options.rows / 200));
  const totalItems = options.rows;
  const organicItems = totalItems - campaignPosts;
  const removalsByUser = new Map<string, number>();
  // Ground truth, counted as the rows are made (not from the tables), for the report tests.
  const groundTruth = {
    reports_by_reason: {} as Record<string, number>,
    reports_by_reporter: {} as Record<string, number>,
    actions_by_type: {} as Record<string, number>,
    actions_by_hour: {} as Record<string, number>,
    moderators: {} as Record<string, { handled: number; total_minutes: number }>,
    users_with_actions: {} as Record<string, { actions: number; first_action_hours: number }>,
    appeals: { appeals: 0, decided: 0, overturned: 0, appealed_items: 0, removed_items: 0 },
  };
  /** Every removal of a content item, for the appeals drawn after everything else. */
  const removals: Removal[] = [];
  const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  const second = (ms: number) => Math.round(ms / 1000) * 1000;

  const emitItem = (index: number, user: User, created: number, truth: TrueCategory, isCampaign: boolean) => {
    const contentId = `c${pad(index + 1, 8)}`;
    const language: Language = isCampaign ? 'en' : rng.weighted(LANGUAGES);
    const surface = isCampaign
      ? rng.weighted({ comment: 80, post: 20 })
      : rng.weighted({ post: 45, comment: 35, dm: 12, story: 8 });
    const contentType = isCampaign ? 'text' : rng.weighted({ text: 70, image: 25, video: 5 });
    const text = isCampaign ? campaignText(rng) : contentText(truth, language, rng);
    const hasImage = contentType === 'image';
    const embedding = hasImage
      ? `[${Array.from({ length: 8 }, () => (rng.normal() * 0.5).toFixed(4)).join(',')}]`
      : null;
    const views = Math.round(isCampaign ? rng.logNormal(6, 0.8) : rng.logNormal(4, 1.6));
    sinks.content!.push([
      contentId,
      user.id,
      surface,
      contentType,
      language,
      text,
      ts(created),
      hasImage,
      embedding,
      views,
      media.plan({ contentId, contentType, truth, isCampaign }),
    ]);

    // Model scores from the version live at creation time. 2024.03.0 regressed on link spam.
    const version = created < VERSION_CHANGE ? OLD_VERSION : NEW_VERSION;
    const scores: Record<string, number> = {};
    for (const category of SCORED_CATEGORIES) {
      let score: number;
      if (category === truth)
        score = version === NEW_VERSION && category === 'spam' && isCampaign ? rng.beta(2, 9) : rng.beta(7, 2);
      else if (category === 'csam') score = rng.beta(1, 400);
      else score = rng.chance(0.03) ? rng.beta(2, 6) : rng.beta(1, 30);
      scores[category] = score;
      sinks.model_scores!.push([
        contentId,
        MODEL_NAME,
        version,
        category,
        Number(score.toFixed(6)),
        ts(created + 1000),
      ]);
    }
    const [topCategory, topScore] = Object.entries(scores).sort((a, b) => b[1] - a[1])[0]!;
    let removed = false;
    let firstReport = Infinity;
    const act = (
      when: number,
      actor: string,
      actorType: string,
      action: string,
      category: string | null,
      modelVersion: string | null,
    ) => {
      const actionId = `a${pad(++actionSeq, 9)}`;
      sinks.moderation_actions!.push([
        actionId,
        contentId,
        user.id,
        actor,
        actorType,
        action,
        category,
        modelVersion,
        ts(when),
      ]);
      bump(groundTruth.actions_by_type, `${actorType}:${action}`);
      const target = (groundTruth.users_with_actions[user.id] ??= { actions: 0, first_action_hours: Infinity });
      target.actions++;
      target.first_action_hours = Math.min(target.first_action_hours, (second(when) - second(user.createdAt)) / HOUR);
      bump(groundTruth.actions_by_hour, String(new Date(second(when)).getUTCHours()));
      if (actorType === 'human') {
        const stats = (groundTruth.moderators[actor] ??= { handled: 0, total_minutes: 0 });
        stats.handled++;
        stats.total_minutes += (second(when) - second(firstReport)) / 60_000;
      }
      if (action === 'remove') {
        removed = true;
        removals.push({ actionId, contentId, when, truth });
        const n = (removalsByUser.get(user.id) ?? 0) + 1;
        removalsByUser.set(user.id, n);
        if (n === 3) {
          sinks.moderation_actions!.push([
            `a${pad(++actionSeq, 9)}`,
            null,
            user.id,
            'system',
            'system',
            'suspend',
            category,
            null,
            ts(when + MINUTE),
          ]);
          bump(groundTruth.actions_by_type, 'system:suspend');
          groundTruth.users_with_actions[user.id]!.actions++;
          bump(groundTruth.actions_by_hour, String(new Date(second(when + MINUTE)).getUTCHours()));
        }
      }
    };
    if (topScore >= AUTO_REMOVE) act(created + 2000, `model:${version}`, 'model', 'remove', topCategory, version);
    else if (topScore >= AUTO_ESCALATE)
      act(created + 2000, `model:${version}`, 'model', 'escalate', topCategory, version);

    // Reports: benign content is reported now and then (most reports are not actionable); violations often.
    const reportCount = isCampaign
      ? rng.int(3, 8)
      : truth === 'none'
        ? rng.chance(0.135)
          ? rng.int(1, 2)
          : 0
        : removed
          ? rng.chance(0.15)
            ? 1
            : 0
          : rng.chance(0.6)
            ? rng.int(1, 3)
            : 0;
    for (let r = 0; r < reportCount; r++) {
      const delay = isCampaign ? rng.int(3, 80) * MINUTE : rng.logNormal(4.5, 1.2) * MINUTE;
      const when = created + delay;
      if (when >= end) continue; // the export ends; later reports are not in it
      firstReport = Math.min(firstReport, when);
      const reason = isCampaign ? (rng.chance(0.92) ? 'spam' : 'other') : rng.weighted(REPORT_REASON[truth]);
      const reporter = rng.pick(reporters).id;
      sinks.reports!.push([`r${pad(++reportSeq, 9)}`, contentId, reporter, reason, ts(when)]);
      bump(groundTruth.reports_by_reason, reason);
      bump(groundTruth.reports_by_reporter, reporter);
    }
    // Human review of reported content that no model removed.
    if (firstReport < end && !removed && rng.chance(0.85)) {
      const when = Math.min(firstReport + rng.logNormal(3.5, 1) * MINUTE, end - 1000);
      const moderator = rng.pick(moderators);
      if (truth === 'none')
        act(
          when,
          moderator,
          'human',
          rng.chance(0.95) ? 'pass' : 'remove',
          rng.chance(0.95) ? null : topCategory,
          null,
        );
      else act(when, moderator, 'human', rng.weighted({ remove: 85, warn: 7, escalate: 5, hide: 3 }), truth, null);
    }
    // Human labels for a reviewed subset: reported items and a random slice, two or three annotators each.
    if ((reportCount > 0 && rng.chance(0.15)) || rng.chance(0.03)) {
      const raters = rng.chance(0.7) ? 2 : 3;
      const chosen = new Set<string>();
      while (chosen.size < raters) chosen.add(rng.pick(annotators));
      for (const annotator of chosen) {
        const when = Math.min(created + rng.int(1, 48) * HOUR, end - 1000);
        const session = `sess_${new Date(when).toISOString().slice(0, 10)}_${annotator}`;
        for (const category of TOP_CATEGORIES) {
          const truly = truth === category;
          const says = truly ? rng.chance(0.9) : rng.chance(0.025);
          sinks.label_events!.push([
            `le${pad(++labelSeq, 9)}`,
            session,
            contentId,
            annotator,
            category,
            says ? '1' : '0',
            'v1',
            'label',
            ts(when),
          ]);
        }
      }
    }
  };

  // Organic items: diurnal arrival (evenings busier), sorted by time so ids follow creation order.
  const organicTimes: number[] = [];
  while (organicTimes.length < organicItems) {
    const t = SAMPLE_START + rng.next() * (end - SAMPLE_START);
    const hour = new Date(t).getUTCHours();
    if (rng.next() < 0.45 + 0.55 * Math.sin(((hour - 6) / 24) * Math.PI) ** 2) organicTimes.push(t);
  }
  const campaignTimes = Array.from(
    { length: campaignPosts },
    () => CAMPAIGN_START + rng.next() * (CAMPAIGN_END - CAMPAIGN_START),
  );
  const timeline = [
    ...organicTimes.map((t) => ({ t, campaign: false })),
    ...campaignTimes.map((t) => ({ t, campaign: true })),
  ].sort((a, b) => a.t - b.t);
  timeline.forEach((item, index) => {
    if (item.campaign) {
      counts.campaignPosts++;
      emitItem(index, rng.pick(campaignAccounts), item.t, 'spam', true);
    } else {
      const user = rng.pick(users);
      const truth = rng.weighted(TRUE_CATEGORY_WEIGHTS);
      emitItem(index, user, Math.max(item.t, user.createdAt + MINUTE), truth, false);
    }
  });

  drawAppeals(options.seed, removals, end, sinks.appeals!, groundTruth.appeals);

  const incidents: Incident[] = [
    {
      kind: 'model_version_change',
      start: new Date(VERSION_CHANGE).toISOString(),
      end: new Date(VERSION_CHANGE).toISOString(),
      description: `${MODEL_NAME} ${NEW_VERSION} replaced ${OLD_VERSION}; the new version under-scores link spam.`,
      model: MODEL_NAME,
      from_version: OLD_VERSION,
      to_version: NEW_VERSION,
    },
    {
      kind: 'coordinated_link_spam',
      start: new Date(CAMPAIGN_START).toISOString(),
      end: new Date(CAMPAIGN_END).toISOString(),
      description: `${campaignAccountCount} new accounts posted ${counts.campaignPosts} near-identical "real followers" comments linking to ${CAMPAIGN_DOMAIN}; reports for spam spiked.`,
      domain: CAMPAIGN_DOMAIN,
      accounts: campaignAccounts.map((user) => user.id),
      posts: counts.campaignPosts,
      top_terms: ['followers', 'boostfans', 'real', '24h', 'limited', 'offer'],
    },
  ];

  const tableCounts = await writer.write(options.out);
  await media.write(options.out);
  fs.writeFileSync(path.join(options.out, 'incidents.json'), `${JSON.stringify(incidents, null, 2)}\n`);
  fs.writeFileSync(path.join(options.out, 'ground_truth.json'), `${JSON.stringify(groundTruth, null, 1)}\n`);
  fs.writeFileSync(
    path.join(options.out, 'manifest.json'),
    `${JSON.stringify({ generator: 'sift-platform-sample', version: 1, rows: options.rows, seed: options.seed, tables: tableCounts }, null, 2)}\n`,
  );
  return { counts: tableCounts, incidents };
}

function parseArgs(argv: string[]): GeneratorOptions {
  const options: GeneratorOptions = { rows: 30_000, seed: 20240301, out: path.resolve('sample-data/platform') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--rows' && value) options.rows = Number(value);
    else if (flag === '--seed' && value) options.seed = Number(value);
    else if (flag === '--out' && value) options.out = path.resolve(value);
    else throw new Error(`Unknown or incomplete argument: ${flag} (use --rows N --seed S --out DIR)`);
    i++;
  }
  if (!Number.isInteger(options.rows) || options.rows < 1000)
    throw new Error('--rows must be an integer of at least 1000');
  if (!Number.isInteger(options.seed)) throw new Error('--seed must be an integer');
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  generatePlatformSample(options)
    .then(({ counts }) => {
      console.log(
        `Wrote ${options.out} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${Object.entries(counts)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}`,
      );
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
