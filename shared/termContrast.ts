/**
 * Which words distinguish a spike window's content from the baseline's: the weighted log-odds ratio with an
 * informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"), reported as a z-score.
 */

const STOPWORDS = new Set(
  'a an and are as at be but by for from has have i if in is it its me my no not of on or our so that the this to was we were what when who will with you your rt de la el en que los las del por un una para con le les des et est pour pas il je ne se em um uma os para com não é ich und der die das ist nicht ein zu mit sie'.split(
    ' ',
  ),
);

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter(
    (token) => token.length >= 2 && !STOPWORDS.has(token),
  );
}

export function termCounts(texts: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const token of tokenize(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

export interface TermScore {
  term: string;
  focusCount: number;
  baselineCount: number;
  /** Log-odds ratio (focus vs baseline), with the prior. */
  logOdds: number;
  z: number;
}

/**
 * δ_w = log((y_w^f + α_w) / (n^f + α_0 − y_w^f − α_w)) − log((y_w^b + α_w) / (n^b + α_0 − y_w^b − α_w)),
 * σ²_w ≈ 1/(y_w^f + α_w) + 1/(y_w^b + α_w), z_w = δ_w / σ_w, with α_w = α_0 · (y_w^f + y_w^b) / (n^f + n^b).
 */
export function logOddsTerms(
  focus: Map<string, number>,
  baseline: Map<string, number>,
  priorStrength = 500,
  minCount = 2,
): TermScore[] {
  const nf = [...focus.values()].reduce((a, b) => a + b, 0);
  const nb = [...baseline.values()].reduce((a, b) => a + b, 0);
  if (nf === 0) return [];
  const scores: TermScore[] = [];
  for (const [term, yf] of focus) {
    if (yf < minCount) continue;
    const yb = baseline.get(term) ?? 0;
    const alpha = (priorStrength * (yf + yb)) / (nf + nb);
    const delta =
      Math.log((yf + alpha) / (nf + priorStrength - yf - alpha)) -
      Math.log((yb + alpha) / (nb + priorStrength - yb - alpha));
    const variance = 1 / (yf + alpha) + 1 / (yb + alpha);
    scores.push({ term, focusCount: yf, baselineCount: yb, logOdds: delta, z: delta / Math.sqrt(variance) });
  }
  return scores.sort((a, b) => b.z - a.z || (a.term < b.term ? -1 : 1));
}
