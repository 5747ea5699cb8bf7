/** The obfuscation transforms (shared/obfuscation.ts): each one's exact output, worked out by hand from its rule. */
import { describe, expect, it } from 'vitest';
import { TRANSFORM_NAMES, TRANSFORMS, transformNamed } from '../../shared/obfuscation.js';

const TEXT = 'Free money at spam.example, click NOW!';
const apply = (name: string, text = TEXT) => transformNamed(name)!.apply(text);

describe('obfuscation transforms', () => {
  it('are the six the release gates list, in order', () => {
    expect(TRANSFORM_NAMES).toEqual(['leetspeak', 'homoglyphs', 'zero_width', 'spacing', 'repeated_letters', 'emoji']);
  });

  it('leetspeak: a e i o s t become 4 3 1 0 5 7', () => {
    expect(apply('leetspeak')).toBe('Fr33 m0n3y 47 5p4m.3x4mpl3, cl1ck N0W!');
  });

  it('homoglyphs: Latin letters become Cyrillic look-alikes, the rest stays', () => {
    // F r m n t l k N W have no look-alike in the table and stay Latin.
    expect(apply('homoglyphs')).toBe(
      'Fr\u0435\u0435 m\u043en\u0435\u0443 \u0430t \u0455\u0440\u0430m.\u0435\u0445\u0430m\u0440l\u0435, \u0441l\u0456\u0441k N\u041eW!',
    );
    expect(apply('homoglyphs').normalize('NFKC')).toBe(apply('homoglyphs'));
  });

  it('zero_width: one between each two characters of a word, cycling U+200B U+200C U+200D U+2060 over the text', () => {
    expect(apply('zero_width', 'Free at ok!')).toBe('F\u200br\u200ce\u200de a\u2060t o\u200bk!');
  });

  it('spacing: separators by word position . space - *, words under 3 characters kept', () => {
    // Words: Free(0 ".") money(1 " ") at(2, kept) spam(3 "*") example(4 ".") click(5 " ") NOW(6 "-").
    expect(apply('spacing')).toBe('F.r.e.e m o n e y at s*p*a*m.e.x.a.m.p.l.e, c l i c k N-O-W!');
  });

  it('repeated_letters: every vowel three times', () => {
    expect(apply('repeated_letters')).toBe('Freeeeee moooneeey aaat spaaam.eeexaaampleee, cliiick NOOOW!');
  });

  it('emoji: after every second character of a 4+ character word, cycling over the text', () => {
    expect(apply('emoji')).toBe(
      'Fr\u{1f525}ee mo\u{1f4af}ne\u{1f602}y at sp\u{1f449}am.ex\u2728am\u{1f525}pl\u{1f4af}e, cl\u{1f602}ic\u{1f449}k NOW!',
    );
  });

  it('are deterministic, leave empty text empty, and treat letters beyond ASCII as word characters', () => {
    for (const transform of TRANSFORMS) {
      expect(transform.apply(TEXT)).toBe(transform.apply(TEXT));
      expect(transform.apply('')).toBe('');
      expect(transform.rule.length).toBeGreaterThan(20);
    }
    expect(apply('spacing', 'été ok')).toBe('é.t.é ok');
    expect(apply('zero_width', '\u{1f600}ab')).toBe('\u{1f600}a\u200bb');
  });
});
