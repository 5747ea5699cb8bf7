/** The gate file's one schema (shared/gates.ts): what it accepts, and errors naming the file and the field path. */
import { describe, expect, it } from 'vitest';
import { gatesForCategory, meetsTarget, parseGateFile, validateGateFile } from '../../shared/gates';

const GOOD = {
  seed: 7,
  categories: {
    '*': { max_recall_drop: 0.01, max_ece: { max: 0.05, optional: true } },
    spam: {
      recall_at_precision: { precision: 0.8, min_recall: 0.9, min_n: 50, use_interval: true },
      max_recall_drop: { max: 0.02 },
      slice: { by: 'language', max_fpr_gap: 0.02, min_n: 100 },
      golden_safe: { query: 'SELECT content_id FROM golden', max_fpr: 0.01 },
      high_reach: { top_fraction: 0.01, max_fpr: 0.005 },
      robustness: { max_recall_drop: { leetspeak: 0.05, '*': 0.1 } },
      latency_p99_ms: 40,
    },
    csam: { precision_at_recall: { recall: 0.995, min_precision: 0.8 }, max_psi: 0.2 },
  },
};

describe('the gate file', () => {
  it('reads a whole file, bare numbers as {max}, with defaults', () => {
    const file = parseGateFile(JSON.stringify(GOOD));
    expect(file.seed).toBe(7);
    expect(file.categories['*']!.max_recall_drop).toEqual({ max: 0.01, optional: false, use_interval: false });
    expect(file.categories.spam!.latency_p99_ms).toEqual({ max: 40, optional: false, use_interval: false });
    expect(file.categories.spam!.recall_at_precision).toMatchObject({ min_n: 50, use_interval: true });
  });

  it('gives a category its own gates over "*", gate by gate', () => {
    const file = parseGateFile(JSON.stringify(GOOD));
    const spam = gatesForCategory(file, 'spam');
    expect(spam.max_recall_drop!.max).toBe(0.02);
    expect(spam.max_ece!.max).toBe(0.05);
    const hate = gatesForCategory(file, 'hate_speech');
    expect(Object.keys(hate).sort()).toEqual(['max_ece', 'max_recall_drop']);
  });

  it('names the file and the field path of what is wrong, never the value', () => {
    const bad = (patch: object) => () => validateGateFile({ categories: { spam: patch } }, 'policy/gates.json');
    expect(bad({ recall_at_precision: { precision: 1.5, min_recall: 0.9 } })).toThrow(
      'policy/gates.json: categories.spam.recall_at_precision.precision: must be between 0 and 1',
    );
    expect(bad({ max_recall_drop: { max: 0.01, min_n: 2.5 } })).toThrow(
      'policy/gates.json: categories.spam.max_recall_drop.min_n: must be a whole number',
    );
    expect(bad({ recall_at_precison: {} })).toThrow(
      'policy/gates.json: categories.spam: has a field this format does not have',
    );
    expect(() => validateGateFile({ categories: { 'Not A Category': {} } })).toThrow(
      'policy/gates.json: categories.Not A Category: a category is "*" or a category name',
    );
    expect(() => parseGateFile('{"categories": {', 'gates.json')).toThrow('gates.json: not valid JSON (at line 1');
  });

  it('judges a figure at its target with rounding slack, or by the whole interval', () => {
    expect(meetsTarget(0.9 - 0.89, 0.01, false)).toBe(true);
    expect(meetsTarget(0.0101, 0.01, false)).toBe(false);
    expect(meetsTarget(0.0101, 0.01, false, [0.005, 0.02], true)).toBe(true);
    expect(meetsTarget(0.0301, 0.01, false, [0.011, 0.05], true)).toBe(false);
    expect(meetsTarget(0.85, 0.9, true, [0.8, 0.91], true)).toBe(true);
  });
});
