/**
 * The spike drill's near-duplicate clustering on a window of 20,000 posts, 10,000 of them one campaign's
 * variants (the size at which the all-pairs bucket check took 19.9 s): it must stay linear in the window.
 */
import { Random } from '../shared/random.js';
import { campaignText, contentText, LANGUAGES, type Language } from '../sample-data/texts.js';
import { clusterNearDuplicates } from '../shared/nearDuplicates.js';

export function nearDuplicateBenchmark(log: (line: string) => void): void {
  const rng = new Random(11);
  const languages = Object.keys(LANGUAGES) as Language[];
  const texts: string[] = [];
  for (let i = 0; i < 10_000; i++) texts.push(campaignText(rng));
  for (let i = 0; i < 10_000; i++)
    texts.push(contentText(i % 7 === 0 ? 'spam' : 'none', languages[i % languages.length]!, rng));
  const times: number[] = [];
  let largest = 0;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const clusters = clusterNearDuplicates(texts, 0.5, 3);
    times.push(performance.now() - started);
    largest = clusters[0]?.members.length ?? 0;
  }
  times.sort((a, b) => a - b);
  log(`\n## Spike drill clustering: 20,000 posts, a 10,000-post campaign`);
  log(
    `near-duplicate clusters in ${times[1]!.toFixed(0)} ms (median of 3; target ≤ 1 s); largest cluster ${largest.toLocaleString('en-US')} posts`,
  );
}
