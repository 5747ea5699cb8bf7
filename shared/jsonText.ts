/**
 * Error text for a JSON file that Sift could not use — naming where, never quoting what the file holds: an error
 * reaches the caller, who may not be allowed to read the file (V8's own message quotes its first bytes).
 */
import type { z } from 'zod/v3';

/** Why `text` is not JSON: "not valid JSON (at line 3, column 7)", or "(it ends early)". */
export function jsonSyntaxProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (/^Unexpected end of JSON input/.test(message)) return 'not valid JSON (it ends early)';
  const position = /at position (\d+)/.exec(message);
  if (!position) return 'not valid JSON';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `not valid JSON (at line ${line}, column ${column})`;
}

/** A schema's complaint about a field, without the value it found there. */
export function schemaProblem(issue: z.ZodIssue, whole = 'file'): string {
  const where = issue.path.join('.') || whole;
  switch (issue.code) {
    case 'invalid_enum_value':
      return `${where}: must be one of ${issue.options.map((option) => JSON.stringify(option)).join(', ')}`;
    case 'unrecognized_keys':
      return `${where}: has ${issue.keys.length === 1 ? 'a field' : 'fields'} this format does not have`;
    default:
      return `${where}: ${issue.message}`;
  }
}
