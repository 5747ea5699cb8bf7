/**
 * The rules of a folder feed (issue 24), shared by the host, the CLI and the UI: the settle time, which files a
 * pattern takes, and the pattern a format implies.
 */
import type { ImportFormat } from './contract/import.js';

/** How long a file's size and modification time must stay unchanged before it is read (a file still being written is not). */
export const DEFAULT_SETTLE_MS = 2000;
export const MAX_SETTLE_MS = 3_600_000;

/** The pattern a feed uses when none is given: the extensions of its format, or any file. */
export function defaultPattern(format: ImportFormat | undefined): string {
  switch (format) {
    case 'csv':
      return '*.{csv,tsv}';
    case 'parquet':
      return '*.parquet';
    case 'json':
      return '*.{json,ndjson,jsonl}';
    default:
      return '*';
  }
}

/**
 * Whether a file name matches a glob pattern (`*`, `?`, `[abc]`, `{a,b}`), over the name only, case-sensitively.
 * Hidden files (`.name`) and names that say they are unfinished (`.part`, `.tmp`, `.crdownload`, `~`) never match:
 * writers that stage a file under such a name and rename it when done are taken once, whole.
 */
export function feedMatches(pattern: string, name: string): boolean {
  if (name.startsWith('.') || /(\.part|\.tmp|\.crdownload|~)$/i.test(name)) return false;
  return globRegExp(pattern).test(name);
}

/** Checks a pattern: a name pattern (no folder separators) DuckDB-independent. Returns why not, or null. */
export function patternProblem(pattern: string): string | null {
  if (pattern.includes('/') || pattern.includes('\\'))
    return `the pattern "${pattern}" names files in the folder (such as *.csv), not paths`;
  if (pattern.split('{').length !== pattern.split('}').length) return `the pattern "${pattern}" has an unclosed {`;
  return null;
}

function globRegExp(pattern: string): RegExp {
  let source = '';
  let inBraces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = end;
      }
    } else if (char === '{') {
      inBraces++;
      source += '(?:';
    } else if (char === '}' && inBraces > 0) {
      inBraces--;
      source += ')';
    } else if (char === ',' && inBraces > 0) source += '|';
    else source += char.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
