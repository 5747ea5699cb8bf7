/**
 * The wellness rules (shared/mediaShield.ts, shared/wellness.ts): which items are sensitive, when blur may be turned
 * off, what the taxonomy's `sensitive` flag means, the settings' validation and how exposure is counted.
 */
import { describe, expect, it } from 'vitest';
import { blurOffRefusal, isShielded, sensitiveNames, shieldFacts } from '../../shared/mediaShield';
import { parseTaxonomy, type Taxonomy, TAXONOMY_V1 } from '../../shared/taxonomy';
import {
  breakDue,
  countedInterval,
  DEFAULT_WELLNESS_SETTINGS,
  exposureText,
  MAX_REVEAL_MS,
  msByDay,
  storedSettings,
  unionMs,
  wellnessSettingsChangeSchema,
  wellnessSettingsSchema,
} from '../../shared/wellness';

const none = { labels: [], scores: {} };

/** v1 with each category's and leaf's flag set as given (undefined: the field absent). */
function withFlags(flags: Record<string, boolean | undefined>): Taxonomy {
  const text = JSON.stringify({
    ...TAXONOMY_V1,
    categories: TAXONOMY_V1.categories.map((category) => ({
      ...category,
      ...(flags[category.name] === undefined ? {} : { sensitive: flags[category.name] }),
      leaves: category.leaves.map((leaf) => ({
        ...leaf,
        ...(flags[leaf.name] === undefined ? {} : { sensitive: flags[leaf.name] }),
      })),
    })),
  });
  return parseTaxonomy(text, 'taxonomy-v1.json');
}

describe('which items are sensitive', () => {
  it('by default: nsfw, its leaves (csam, ncii, graphic_violence); nothing else', () => {
    expect([...sensitiveNames(TAXONOMY_V1)].sort()).toEqual(['csam', 'graphic_violence', 'ncii', 'nsfw']);
  });

  it('labeled or scored at the escalate threshold in a sensitive name; not below it, not in another category', () => {
    expect(shieldFacts(TAXONOMY_V1, none)).toEqual({ sensitive: false, because: null });
    expect(shieldFacts(TAXONOMY_V1, { labels: [{ category: 'nsfw', leaf: 'ncii' }], scores: {} })).toEqual({
      sensitive: true,
      because: 'labeled nsfw / ncii',
    });
    expect(shieldFacts(TAXONOMY_V1, { labels: [{ category: 'nsfw', leaf: null }], scores: {} }).sensitive).toBe(true);
    expect(shieldFacts(TAXONOMY_V1, { labels: [{ category: 'spam', leaf: 'commercial_spam' }], scores: {} })).toEqual({
      sensitive: false,
      because: null,
    });
    // The default escalate threshold is 0.5; a model's own threshold replaces it.
    expect(shieldFacts(TAXONOMY_V1, { labels: [], scores: { nsfw: 0.49 } }).sensitive).toBe(false);
    expect(shieldFacts(TAXONOMY_V1, { labels: [], scores: { nsfw: 0.5 } })).toEqual({
      sensitive: true,
      because: 'scored nsfw 0.50 ≥ escalate 0.5',
    });
    expect(
      shieldFacts(TAXONOMY_V1, { labels: [], scores: { nsfw: 0.35 } }, { nsfw: { remove: 0.9, escalate: 0.3 } })
        .sensitive,
    ).toBe(true);
    // A leaf's score takes its category's threshold when it has none; csam, the critical defaults (escalate 0.2).
    expect(
      shieldFacts(TAXONOMY_V1, { labels: [], scores: { ncii: 0.35 } }, { nsfw: { remove: 0.9, escalate: 0.3 } })
        .sensitive,
    ).toBe(true);
    expect(shieldFacts(TAXONOMY_V1, { labels: [], scores: { csam: 0.25 } }).sensitive).toBe(true);
    expect(shieldFacts(TAXONOMY_V1, { labels: [], scores: { hate_speech: 0.99, spam: 1 } }).sensitive).toBe(false);
  });

  it("follows the policy's flag: a category or leaf marked sensitive, or marked not — but csam always", () => {
    const marked = withFlags({ spam: true, ncii: false, misinformation: true });
    const names = sensitiveNames(marked);
    expect(names.has('spam') && names.has('commercial_spam') && names.has('misinformation')).toBe(true);
    expect(names.has('ncii')).toBe(false);
    expect(shieldFacts(marked, { labels: [{ category: 'nsfw', leaf: 'ncii' }], scores: {} }).sensitive).toBe(false);
    // The whole nsfw category marked not sensitive: its leaves follow, csam does not.
    const careless = withFlags({ nsfw: false, csam: false, graphic_violence: false });
    expect([...sensitiveNames(careless)].sort()).toEqual(['csam', 'nsfw']);
    expect(shieldFacts(careless, { labels: [{ category: 'nsfw', leaf: 'csam' }], scores: {} })).toEqual({
      sensitive: true,
      because: 'labeled nsfw / csam',
    });
    expect(
      shieldFacts(careless, { labels: [{ category: 'nsfw', leaf: 'graphic_violence' }], scores: {} }).sensitive,
    ).toBe(false);
  });

  it('refuses a flag that is not a boolean, naming the field', () => {
    const text = JSON.stringify({
      ...TAXONOMY_V1,
      categories: [{ ...TAXONOMY_V1.categories[0], sensitive: 'yes' }, ...TAXONOMY_V1.categories.slice(1)],
    });
    expect(() => parseTaxonomy(text, 'taxonomy-v2.json')).toThrow(/taxonomy-v2\.json: .*categories\.0\.sensitive/);
  });

  it('lets blur be turned off only for items that are not sensitive', () => {
    const sensitive = shieldFacts(TAXONOMY_V1, { labels: [{ category: 'nsfw', leaf: 'csam' }], scores: {} });
    expect(blurOffRefusal(sensitive)).toMatch(/stay shielded \(labeled nsfw \/ csam\)/);
    expect(isShielded(sensitive, true)).toBe(true);
    expect(isShielded(sensitive, false)).toBe(true);
    const plain = shieldFacts(TAXONOMY_V1, none);
    expect(blurOffRefusal(plain)).toBeNull();
    expect(isShielded(plain, true)).toBe(false);
    expect(isShielded(plain, false)).toBe(true);
  });
});

describe('wellness settings', () => {
  it('validate each field with its name and range', () => {
    expect(wellnessSettingsSchema.parse(DEFAULT_WELLNESS_SETTINGS)).toEqual(DEFAULT_WELLNESS_SETTINGS);
    const problem = (change: unknown) => {
      const parsed = wellnessSettingsChangeSchema.safeParse(change);
      return parsed.success ? null : `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`;
    };
    expect(problem({ blurPx: 2 })).toBe('blurPx: blurPx is at least 4');
    expect(problem({ blurPx: 100 })).toBe('blurPx: blurPx is at most 64');
    expect(problem({ blurPx: 8.5 })).toBe('blurPx: blurPx is a whole number of pixels');
    expect(problem({ breakAfterMinutes: 0 })).toBe('breakAfterMinutes: breakAfterMinutes is at least 1');
    expect(problem({ grey: 'no' })).toMatch(/^grey: /);
    expect(problem({ colour: true })).toMatch(/colour/);
    expect(problem({ breakAfterMinutes: null, mutedVideo: false })).toBeNull();
  });

  it('read back field by field: a stored value out of range falls back to its default alone', () => {
    expect(storedSettings({ blurPx: 999, grey: false, breakAfterMinutes: 30 })).toEqual({
      ...DEFAULT_WELLNESS_SETTINGS,
      grey: false,
      breakAfterMinutes: 30,
    });
    expect(storedSettings('garbage')).toEqual(DEFAULT_WELLNESS_SETTINGS);
  });
});

describe('exposure accounting', () => {
  const now = Date.parse('2026-03-10T12:00:00.000Z');
  const at = (ms: number) => new Date(ms).toISOString();

  it('counts a reveal as reported, capped, clipped to the clock; refuses nonsense by reason', () => {
    expect(countedInterval({ contentId: 'a', startedAt: at(now - 4000), endedAt: at(now - 1000) }, now)).toEqual({
      start: now - 4000,
      end: now - 1000,
    });
    const stuck = countedInterval({ contentId: 'a', startedAt: at(now - 3_600_000), endedAt: at(now) }, now);
    expect(stuck).toEqual({ start: now - 3_600_000, end: now - 3_600_000 + MAX_REVEAL_MS });
    expect(countedInterval({ contentId: 'a', startedAt: at(now - 1000), endedAt: at(now + 30_000) }, now)).toEqual({
      start: now - 1000,
      end: now,
    });
    expect(countedInterval({ contentId: 'a', startedAt: at(now), endedAt: at(now + 3_600_000) }, now)).toBe(
      'ends in the future',
    );
    expect(countedInterval({ contentId: 'a', startedAt: at(now - 1000), endedAt: at(now - 2000) }, now)).toBe(
      'ends before it starts',
    );
    expect(countedInterval({ contentId: 'a', startedAt: at(now - 2 * 86_400_000), endedAt: at(now) }, now)).toBe(
      'started more than a day ago',
    );
  });

  it('splits at UTC midnight and counts overlap once', () => {
    const midnight = Date.parse('2026-03-11T00:00:00.000Z');
    expect(msByDay(midnight - 1500, midnight + 500)).toEqual([
      ['2026-03-10', 1500],
      ['2026-03-11', 500],
    ]);
    expect(
      unionMs([
        { start: 0, end: 1000 },
        { start: 500, end: 1500 },
        { start: 0, end: 1000 },
        { start: 3000, end: 3100 },
      ]),
    ).toBe(1600);
    expect(unionMs([])).toBe(0);
  });

  it('says when the break is due and reads exposure as people do', () => {
    expect(breakDue(DEFAULT_WELLNESS_SETTINGS, 10 * 3_600_000)).toBe(false);
    const reminded = { ...DEFAULT_WELLNESS_SETTINGS, breakAfterMinutes: 20 };
    expect(breakDue(reminded, 20 * 60_000 - 1)).toBe(false);
    expect(breakDue(reminded, 20 * 60_000)).toBe(true);
    expect(exposureText(4400)).toBe('4 s');
    expect(exposureText(125_000)).toBe('2 min 5 s');
    expect(exposureText(3_720_000)).toBe('1 h 02 min');
  });
});
