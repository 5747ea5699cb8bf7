import { describe, expect, it } from 'vitest';
import { clusterNearDuplicates, jaccard, shingles } from '../../shared/nearDuplicates';
import { BASELINE_OPTIONS, type BaselineOptions, judgeBucket, judgeSeries, markWindows } from '../../shared/spikeStats';
import { logOddsTerms, termCounts, tokenize } from '../../shared/termContrast';

const TRAILING_ONLY = { period: 6, week: 0, seasons: 7, minSeasons: 3, minHistory: 6 };
const rule = (options: BaselineOptions, minCount = 5) => ({ options, threshold: 3, minCount });

describe('the robust baseline', () => {
  it('takes the median of the trailing buckets until the rhythm has enough seasons, checked by hand', () => {
    // Buckets 0..5 are not judged (minHistory 6). Bucket 6 has one same-slot value (bucket 0), so it uses the
    // trailing six [6,4,6,4,6,4]: median 5, MAD 1 → 1.4826; Poisson floor √5.375 + 0.75 = 3.0684 is wider;
    // widened by √(1 + π/12) for a median of six → spread 3.4468, z = 15 / 3.4468 = 4.352.
    const judged = judgeSeries({ counts: [4, 6, 4, 6, 4, 6, 20] }, rule(TRAILING_ONLY));
    expect(judged.expected.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(judged.expected[6]).toBe(5);
    const spread = (Math.sqrt(5.375) + 0.75) * Math.sqrt(1 + Math.PI / 12);
    expect(judged.spread[6]).toBeCloseTo(spread, 10);
    expect(judged.z[6]).toBeCloseTo(15 / spread, 10);
    expect(judged.method[6]).toBe('trailing');
    expect(judged.anomalous).toEqual([false, false, false, false, false, false, true]);
  });

  it('uses the robust scale of the history when it is wider than the Poisson floor', () => {
    // Trailing [30,10,30,10,30,10]: median 20, MAD 10 → 14.826 > √20.375 + 0.75.
    const judged = judgeSeries({ counts: [10, 30, 10, 30, 10, 30, 50] }, rule(TRAILING_ONLY));
    expect(judged.spread[6]).toBeCloseTo(14.826 * Math.sqrt(1 + Math.PI / 12), 10);
  });

  it('keeps marked buckets out of every later baseline, so a second wave is still found', () => {
    const counts = [4, 6, 4, 6, 4, 6, 40, 40, 5, 40];
    const judged = judgeSeries({ counts }, rule(TRAILING_ONLY));
    // Bucket 7 is judged without bucket 6, buckets 8 and 9 without both: the band is back at once.
    expect(judged.expected.slice(6)).toEqual([5, 5, 5, 5.5]);
    expect(judged.anomalous.slice(6)).toEqual([true, true, false, true]);
    expect(markWindows('spam', { counts }, judged).map((w) => [w.first, w.last, w.count, w.expected])).toEqual([
      [6, 7, 80, 10],
      [9, 9, 40, 5.5],
    ]);
  });

  it('takes a level held for more than half a period as the new normal', () => {
    // period 6: 5s, then a step to 30 for good. Buckets 6–8 are marked; at bucket 9 half the last six are marked
    // (not more), at bucket 10 four of six: judged against the last six as they were, median 30, and quiet.
    const counts = [5, 5, 5, 5, 5, 5, 30, 30, 30, 30, 30, 30, 30];
    const judged = judgeSeries({ counts }, rule(TRAILING_ONLY));
    expect(judged.anomalous.slice(6)).toEqual([true, true, true, true, false, false, false]);
    expect(judged.method[10]).toBe('level');
    expect(judged.expected[10]).toBe(30);
  });

  it('follows the daily rhythm once three earlier days have the slot', () => {
    // period 3: slot 1 is busy (4), slots 0 and 2 quiet (1). Bucket 10 sees slot 1 on three days → median 4.
    const counts = [1, 4, 1, 1, 4, 1, 1, 4, 1, 1, 4];
    const judged = judgeSeries({ counts }, rule({ period: 3, week: 0, seasons: 7, minSeasons: 3, minHistory: 3 }));
    expect(judged.method[7]).toBe('trailing'); // two earlier days only
    expect(judged.method[10]).toBe('day');
    expect(judged.expected[10]).toBe(4);
    expect(judged.anomalous.every((a) => !a)).toBe(true);
  });

  it('prefers the weekly rhythm once three earlier weeks have the slot', () => {
    const counts = Array.from({ length: 13 }, (_, i) => (i % 4 === 0 ? 20 : 2));
    const judged = judgeSeries({ counts }, rule({ period: 2, week: 4, seasons: 7, minSeasons: 3, minHistory: 2 }));
    expect(judged.method[12]).toBe('week');
    expect(judged.expected[12]).toBe(20);
    expect(judged.method[8]).toBe('day');
  });

  it('does not cry spike at a few items in a quiet series, and honours the minimum count', () => {
    const quiet = (last: number) => ({ counts: [...new Array<number>(24).fill(0), last] });
    const options = { period: 24, week: 0, seasons: 7, minSeasons: 3, minHistory: 24 };
    // Expected 0: floor √0.375 + 0.75, widened by √(1 + π/48) → 1.406; 4 items is z 2.84, 5 items z 3.56.
    expect(judgeSeries(quiet(4), rule(options)).anomalous[24]).toBe(false);
    expect(judgeSeries(quiet(5), rule(options)).z[24]).toBeCloseTo(
      5 / ((Math.sqrt(0.375) + 0.75) * Math.sqrt(1 + Math.PI / 48)),
      10,
    );
    expect(judgeSeries(quiet(5), rule(options)).anomalous[24]).toBe(true);
    expect(judgeSeries(quiet(5), rule(options, 6)).anomalous[24]).toBe(false);
  });

  it('floors the noise at the mean where a few small counts put the median below it', () => {
    // Trailing [0,0,0,0,3,3]: median 0 and MAD 0, but the rate is 1 → floor √1.375 + 0.75, z = 6 / 2.16 = 2.78.
    const judged = judgeSeries({ counts: [0, 0, 0, 0, 3, 3, 6] }, rule(TRAILING_ONLY));
    expect(judged.expected[6]).toBe(0);
    expect(judged.spread[6]).toBeCloseTo((Math.sqrt(1.375) + 0.75) * Math.sqrt(1 + Math.PI / 12), 10);
    expect(judged.anomalous[6]).toBe(false);
  });

  it('judges a value’s share of the total, with a binomial floor', () => {
    const totals = [...new Array<number>(6).fill(100), 100];
    const counts = [10, 10, 10, 10, 10, 10, 30];
    const judged = judgeSeries({ counts, totals }, rule(TRAILING_ONLY));
    expect(judged.value[6]).toBeCloseTo(0.3, 10);
    expect(judged.expected[6]).toBeCloseTo(0.1, 10);
    const spread = ((Math.sqrt(10 * 0.9 + 0.375) + 0.75) / 100) * Math.sqrt(1 + Math.PI / 12);
    expect(judged.spread[6]).toBeCloseTo(spread, 10);
    expect(judged.anomalous[6]).toBe(true);
    // Twice the items at the same share is no spike.
    expect(
      judgeSeries({ counts: [...counts.slice(0, 6), 20], totals: [...totals.slice(0, 6), 200] }, rule(TRAILING_ONLY))
        .anomalous[6],
    ).toBe(false);
    expect(markWindows('en', { counts, totals }, judged)[0]).toMatchObject({ count: 30, expected: 10 });
  });

  it('resumes from a bucket with the earlier marks given, and re-judges a bucket that grew', () => {
    const counts = [4, 6, 4, 6, 4, 6, 40, 40, 5, 7];
    const whole = judgeSeries({ counts }, rule(TRAILING_ONLY));
    const resumed = judgeSeries({ counts }, rule(TRAILING_ONLY), { marked: whole.anomalous.slice(0, 8), from: 8 });
    expect(resumed.z.slice(8)).toEqual(whole.z.slice(8));
    expect(resumed.anomalous).toEqual(whole.anomalous);
    // Bucket 9 grows from 7 to 30 items as late rows arrive: judged again, it is now anomalous.
    expect(judgeBucket({ counts }, whole.anomalous, 9, rule(TRAILING_ONLY)).anomalous).toBe(false);
    const grown = [...counts.slice(0, 9), 30];
    expect(judgeBucket({ counts: grown }, whole.anomalous, 9, rule(TRAILING_ONLY))).toMatchObject({
      expected: 5.5, // the trailing six without the marked 6 and 7: [5, 6, 4, 6, 4, 6]
      anomalous: true,
    });
  });

  it('has a rule per bucket size: a day of rhythm, a week where it exists', () => {
    expect(BASELINE_OPTIONS.hour).toMatchObject({ period: 24, week: 168 });
    expect(BASELINE_OPTIONS['15min']).toMatchObject({ period: 96, week: 672 });
    expect(BASELINE_OPTIONS.day).toMatchObject({ period: 7, week: 0 });
  });
});

describe('near-duplicate clustering', () => {
  const campaign = [
    '🔥 GET 10k real followers in 24h → boostfans.example/join?ref=616 limited offer!!',
    'GET 10,000 real followers in 24h → boostfans.example/go?ref=216 limited offer',
    '💯 Get 10K real followers in 24h → boostfans.example/start?ref=526 only today!!',
    'Get 10k real followers in 24h → boostfans.example/join?ref=111 limited offer 🔥',
  ];
  const organic = [
    'my dog learned a new trick today',
    'anyone watching the derby tonight?',
    'the traffic in Lisbon today was wild',
    'happy birthday to my sister, love you',
  ];

  it('ignores digits and punctuation when comparing', () => {
    expect(jaccard(shingles('ref=616 go now'), shingles('ref=111 go now'))).toBe(1);
  });

  it('puts a campaign’s reposts in one cluster and leaves organic posts out', () => {
    const texts = [
      organic[0]!,
      campaign[0]!,
      organic[1]!,
      campaign[1]!,
      campaign[2]!,
      organic[2]!,
      campaign[3]!,
      organic[3]!,
    ];
    const clusters = clusterNearDuplicates(texts, 0.5, 2);
    expect(clusters).toEqual([{ members: [1, 3, 4, 6] }]);
  });
});

describe('log-odds term contrast', () => {
  it('tokenises on letters and digits, dropping stopwords and one-letter tokens', () => {
    expect(tokenize('GET 10k real followers in 24h → boostfans.example/join')).toEqual([
      'get',
      '10k',
      'real',
      'followers',
      '24h',
      'boostfans',
      'example',
      'join',
    ]);
  });

  it('matches a hand computation', () => {
    // focus: spam ×8, cat ×2 (n=10); baseline: spam ×2, cat ×18 (n=20); prior strength 30.
    // α_spam = 30·10/30 = 10 → δ = ln(18/(10+30−8−10)) − ln(12/(20+30−2−10)) = ln(18/22) − ln(12/38) = 0.95214;
    // σ² = 1/18 + 1/12 → z = 0.95214/√0.138889 = 2.5548.
    const scores = logOddsTerms(
      new Map([
        ['spam', 8],
        ['cat', 2],
      ]),
      new Map([
        ['spam', 2],
        ['cat', 18],
      ]),
      30,
      1,
    );
    const spam = scores.find((s) => s.term === 'spam')!;
    expect(spam.logOdds).toBeCloseTo(Math.log(18 / 22) - Math.log(12 / 38), 10);
    expect(spam.z).toBeCloseTo((Math.log(18 / 22) - Math.log(12 / 38)) / Math.sqrt(1 / 18 + 1 / 12), 10);
    expect(scores[0]!.term).toBe('spam');
  });

  it('ranks the words of a campaign above everyday words', () => {
    const focus = termCounts([
      'get real followers boostfans',
      'real followers boostfans offer',
      'the game tonight',
      'real followers offer now',
    ]);
    const baseline = termCounts([
      'the game tonight was wild',
      'my dog and the game',
      'tonight we eat pizza',
      'followers of the game',
    ]);
    const ranked = logOddsTerms(focus, baseline, 500, 1).map((s) => s.term);
    // real (3 vs 0) first; boostfans (2 vs 0) outranks followers (3 vs 1): a word the baseline never uses says more.
    expect(ranked[0]).toBe('real');
    expect(ranked.indexOf('boostfans')).toBeLessThan(ranked.indexOf('followers'));
    // Words the baseline uses more sink to the bottom.
    expect(ranked.slice(-2).sort()).toEqual(['game', 'tonight']);
  });
});
