import { describe, expect, it } from 'vitest';
import { clusterNearDuplicates, jaccard, shingles } from '../../shared/nearDuplicates';
import { baselineAndZ, markWindows } from '../../shared/spikeStats';
import { logOddsTerms, termCounts, tokenize } from '../../shared/termContrast';

describe('baseline and z-score', () => {
  it('uses a trailing window, checked by hand', () => {
    // Buckets 0..5 have no baseline (minHistory 6). Bucket 6: history [4,6,4,6,4,6] → mean 5, sample std
    // √(6·1/5) = 1.0954, Poisson floor √5 = 2.2361 → spread 2.2361, z = (20 − 5)/2.2361 = 6.7082.
    const counts = [4, 6, 4, 6, 4, 6, 20];
    const stats = baselineAndZ(counts, { trailing: 6, season: 0, minSeasons: 2, minHistory: 6 });
    expect(stats.baseline.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(stats.baseline[6]).toBe(5);
    expect(stats.spread[6]).toBeCloseTo(Math.sqrt(5), 10);
    expect(stats.z[6]).toBeCloseTo(15 / Math.sqrt(5), 10);
    expect(stats.method[6]).toBe('trailing');
  });

  it('uses the standard deviation when it is wider than the Poisson floor', () => {
    // History [0, 10, 0, 10]: mean 5, sample std √(4·25/3) = 5.7735 > √5 → z = (15 − 5)/5.7735 = 1.7321.
    const stats = baselineAndZ([0, 10, 0, 10, 15], { trailing: 4, season: 0, minSeasons: 2, minHistory: 4 });
    expect(stats.spread[4]).toBeCloseTo(Math.sqrt(100 / 3), 10);
    expect(stats.z[4]).toBeCloseTo(10 / Math.sqrt(100 / 3), 10);
  });

  it('switches to the same slot in earlier seasons once there are enough of them', () => {
    // Season 3: bucket 6 sees slots 3 and 0 → [1, 3] (2 seasons): mean 2, std √2 = 1.414 < √2? equal; spread √2.
    const counts = [3, 50, 50, 1, 50, 50, 9];
    const stats = baselineAndZ(counts, { trailing: 6, season: 3, minSeasons: 2, minHistory: 1 });
    expect(stats.method[6]).toBe('season');
    expect(stats.baseline[6]).toBe(2);
    expect(stats.z[6]).toBeCloseTo(7 / Math.sqrt(2), 10);
    expect(stats.method[4]).toBe('trailing'); // only one earlier season for slot 1
  });

  it('floors quiet series at one, so a single report is not a spike', () => {
    const stats = baselineAndZ([0, 0, 0, 0, 0, 0, 1], { trailing: 6, season: 0, minSeasons: 2, minHistory: 6 });
    expect(stats.z[6]).toBe(1);
  });

  it('merges consecutive marked buckets into windows with their peak z', () => {
    const counts = [5, 5, 5, 5, 5, 5, 30, 40, 5, 5, 5, 5, 5, 5, 25];
    const stats = baselineAndZ(counts, { trailing: 6, season: 0, minSeasons: 2, minHistory: 6 });
    const windows = markWindows('spam', counts, stats, 3);
    // Bucket 7's baseline includes bucket 6 (mean 55/6, sample std 10.2) and still clears 3; bucket 14's window is quiet again.
    expect(windows.map((w) => [w.first, w.last])).toEqual([
      [6, 7],
      [14, 14],
    ]);
    expect(windows[0]!.z).toBe(Math.max(stats.z[6]!, stats.z[7]!));
    expect(windows[0]!.count).toBe(70);
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
