/**
 * The obfuscation transforms a robustness run applies to labelled positives' text (issue 25, docs/release-gates.md
 * "Obfuscation robustness"): the tricks adversarial users reach for to slip past a text model. Each is a pure,
 * deterministic function of the text alone — the same input gives the same output on every machine, no randomness —
 * so a robustness figure is reproducible and a test can state exact outputs. Where a transform varies what it inserts,
 * it cycles through a fixed list in the order of the text.
 *
 * "A word" below is a run of letters and digits (`[\p{L}\p{N}]+`), "a character" a Unicode code point. Non-ASCII
 * characters are written as escapes: the CLI bundle stays ASCII (cli.test.ts).
 */

export type TransformName = 'leetspeak' | 'homoglyphs' | 'zero_width' | 'spacing' | 'repeated_letters' | 'emoji';

export interface ObfuscationTransform {
  name: TransformName;
  /** A short heading for tables. */
  title: string;
  /** The rule, exactly (the docs and the UI show it). */
  rule: string;
  apply: (text: string) => string;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Replaces each word through `rewrite`, which also gets the word's index in the text. */
function eachWord(text: string, rewrite: (word: string[], index: number) => string): string {
  let index = 0;
  return text.replace(WORD, (word) => rewrite(Array.from(word), index++));
}

/** Replaces each character of `table`'s keys (single ASCII letters) by its value; one native pass over the text. */
function characterMap(table: Readonly<Record<string, string>>): (text: string) => string {
  const pattern = new RegExp(`[${Object.keys(table).join('')}]`, 'g');
  return (text) => text.replace(pattern, (character) => table[character]!);
}

const LEET: Readonly<Record<string, string>> = {
  a: '4',
  A: '4',
  e: '3',
  E: '3',
  i: '1',
  I: '1',
  o: '0',
  O: '0',
  s: '5',
  S: '5',
  t: '7',
  T: '7',
};

/** Latin letters and the Cyrillic look-alikes NFKC does not fold back (so a model's normaliser does not undo them). */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  a: '\u0430',
  c: '\u0441',
  e: '\u0435',
  i: '\u0456',
  j: '\u0458',
  o: '\u043e',
  p: '\u0440',
  s: '\u0455',
  x: '\u0445',
  y: '\u0443',
  A: '\u0410',
  B: '\u0412',
  C: '\u0421',
  E: '\u0415',
  H: '\u041d',
  I: '\u0406',
  K: '\u041a',
  M: '\u041c',
  O: '\u041e',
  P: '\u0420',
  T: '\u0422',
  X: '\u0425',
};

/** Zero width space, non-joiner, joiner, word joiner. */
export const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060'] as const;
/** What `spacing` puts between a word's characters, by the word's index. */
export const SPACERS = ['.', ' ', '-', '*'] as const;
/** Fire, hundred points, tears of joy, backhand index pointing right, sparkles. */
export const EMOJI = ['\u{1f525}', '\u{1f4af}', '\u{1f602}', '\u{1f449}', '\u2728'] as const;

/** Between every two adjacent characters of every word, the next of `inserts` in turn (counted over the text). */
function interleave(text: string, inserts: readonly string[], minLength: number, every: number): string {
  let next = 0;
  return eachWord(text, (word) => {
    if (word.length < minLength) return word.join('');
    let out = word[0]!;
    for (let k = 1; k < word.length; k++) {
      if (k % every === 0) out += inserts[next++ % inserts.length]!;
      out += word[k]!;
    }
    return out;
  });
}

export const TRANSFORMS: readonly ObfuscationTransform[] = [
  {
    name: 'leetspeak',
    title: 'Leetspeak',
    rule: 'a->4, e->3, i->1, o->0, s->5, t->7 (either case); every other character kept.',
    apply: characterMap(LEET),
  },
  {
    name: 'homoglyphs',
    title: 'Homoglyphs',
    rule: 'Latin letters replaced by their Cyrillic look-alikes (a c e i j o p s x y, A B C E H I K M O P T X), which Unicode NFKC does not fold back.',
    apply: characterMap(HOMOGLYPHS),
  },
  {
    name: 'zero_width',
    title: 'Zero-width',
    rule: 'Between every two adjacent characters of a word, a zero-width character: U+200B, U+200C, U+200D, U+2060 in turn over the text.',
    apply: (text) => interleave(text, ZERO_WIDTH, 2, 1),
  },
  {
    name: 'spacing',
    title: 'Spaces & punctuation',
    rule: 'Each word of 3 or more characters spelled out with a separator between its characters: ".", " ", "-", "*" by the word\'s position in the text (1st word ".", 2nd " ", and so on).',
    apply: (text) =>
      eachWord(text, (word, index) => (word.length < 3 ? word.join('') : word.join(SPACERS[index % SPACERS.length]))),
  },
  {
    name: 'repeated_letters',
    title: 'Repeated letters',
    rule: 'Every vowel (a e i o u, either case) written three times.',
    apply: (text) => text.replace(/[aeiouAEIOU]/g, (vowel) => vowel.repeat(3)),
  },
  {
    name: 'emoji',
    title: 'Emoji',
    rule: `In each word of 4 or more characters, an emoji after every second character (not at its end): ${EMOJI.join(' ')} (U+1F525, U+1F4AF, U+1F602, U+1F449, U+2728) in turn over the text.`,
    apply: (text) => interleave(text, EMOJI, 4, 2),
  },
];

export const TRANSFORM_NAMES = TRANSFORMS.map((transform) => transform.name);

export function transformNamed(name: string): ObfuscationTransform | undefined {
  return TRANSFORMS.find((transform) => transform.name === name);
}
