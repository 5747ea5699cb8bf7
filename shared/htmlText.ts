/**
 * HTML written as text (the release report, a page saved to disk): every interpolated value is escaped unless it is
 * markup this code built itself, so a category, model or column name holding `<script>` is shown, never run.
 */

/** Markup built by `html` (or trusted constant markup): interpolated as it is. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in an element's content and in a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

type Interpolated = Markup | string | number | boolean | null | undefined | readonly Interpolated[];

function markupOf(value: Interpolated): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(markupOf).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** A tagged template: `html\`<td>${name}</td>\`` escapes `name`; nested `html` results and arrays of them pass. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Markup {
  let text = strings[0]!;
  values.forEach((value, index) => {
    text += markupOf(value) + strings[index + 1]!;
  });
  return new Markup(text);
}
