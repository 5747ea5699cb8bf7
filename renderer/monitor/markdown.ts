/**
 * The playbook's Markdown, parsed into a small tree the view draws as React elements: never HTML. A tag written in a
 * playbook is text, a link goes only to http(s) or mailto addresses, and no attribute comes from the document, so
 * a playbook cannot run script or restyle the app. The subset is the one analysts write runbooks in: headings,
 * paragraphs, lists (bulleted and numbered), fenced code, quotes, rules, and inline bold, italic, code and links.
 */

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong' | 'em'; children: Inline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; children: Inline[] };

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; children: Inline[] }
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'code'; text: string }
  | { kind: 'quote'; children: Inline[] }
  | { kind: 'rule' };

/** A link's address when it is one a playbook may point to; anything else (javascript:, data:, relative) is not a link. */
export function safeHref(href: string): string | null {
  const trimmed = href.trim();
  return /^(https?:\/\/|mailto:)[^\s]+$/i.test(trimmed) ? trimmed : null;
}

const LIST_ITEM = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', children: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]!); i++) code.push(lines[i]!);
      blocks.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(heading[1]!.length, 4) as 1 | 2 | 3 | 4;
      blocks.push({ kind: 'heading', level, children: parseInline(heading[2]!) });
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      blocks.push({ kind: 'rule' });
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[1]!);
      const items: Inline[][] = [];
      let text = item[2]!;
      for (i++; i < lines.length; i++) {
        const next = LIST_ITEM.exec(lines[i]!);
        if (next && /\d/.test(next[1]!) === ordered) {
          items.push(parseInline(text));
          text = next[2]!;
        } else if (!next && /^\s{2,}\S/.test(lines[i]!))
          text += ` ${lines[i]!.trim()}`; // an item's continued line
        else break;
      }
      items.push(parseInline(text));
      i--;
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (quote) {
      flush();
      const quoted = [quote[1]!];
      for (; i + 1 < lines.length && /^\s{0,3}>/.test(lines[i + 1]!); i++)
        quoted.push(lines[i + 1]!.replace(/^\s{0,3}>\s?/, ''));
      blocks.push({ kind: 'quote', children: parseInline(quoted.join(' ')) });
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return blocks;
}

/** Inline marks, left to right; an unclosed mark is its own characters. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const pushText = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  for (let i = 0; i < text.length;) {
    const rest = text.slice(i);
    const code = /^`([^`]+)`/.exec(rest);
    if (code) {
      pushText();
      out.push({ kind: 'code', text: code[1]! });
      i += code[0].length;
      continue;
    }
    const link = /^\[([^\]]*)\]\(([^)\s]*)\)/.exec(rest);
    if (link) {
      const href = safeHref(link[2]!);
      pushText();
      if (href) out.push({ kind: 'link', href, children: parseInline(link[1]!) });
      else out.push(...parseInline(link[1]!)); // an address a playbook may not use: its words stay, the link goes
      i += link[0].length;
      continue;
    }
    const strong = /^(\*\*|__)(?=\S)([\s\S]*?\S)\1/.exec(rest);
    if (strong) {
      pushText();
      out.push({ kind: 'strong', children: parseInline(strong[2]!) });
      i += strong[0].length;
      continue;
    }
    const em = /^([*_])(?=\S)([\s\S]*?\S)\1/.exec(rest);
    if (em && !(em[1] === '_' && /\w/.test(text[i - 1] ?? ''))) {
      pushText();
      out.push({ kind: 'em', children: parseInline(em[2]!) });
      i += em[0].length;
      continue;
    }
    const bare = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/.exec(rest);
    if (bare && !/\w/.test(text[i - 1] ?? '')) {
      pushText();
      out.push({ kind: 'link', href: bare[0], children: [{ kind: 'text', text: bare[0] }] });
      i += bare[0].length;
      continue;
    }
    plain += text[i];
    i++;
  }
  pushText();
  return out;
}
