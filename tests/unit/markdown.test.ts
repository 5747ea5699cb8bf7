/** The playbook's Markdown subset: what it draws, and that nothing in a playbook becomes HTML or a script link. */
import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, safeHref } from '../../renderer/monitor/markdown';

describe('playbook Markdown', () => {
  it('parses headings, paragraphs, lists, code, quotes and rules', () => {
    const blocks = parseMarkdown(
      '# Spam wave\n\nCheck the **clusters** first,\nthen the accounts.\n\n- one\n- two\n  continued\n\n1. first\n2) second\n\n```\nSELECT 1\n```\n> escalate\n---',
    );
    expect(blocks.map((block) => block.kind)).toEqual([
      'heading',
      'paragraph',
      'list',
      'list',
      'code',
      'quote',
      'rule',
    ]);
    expect(blocks[1]).toEqual({
      kind: 'paragraph',
      children: [
        { kind: 'text', text: 'Check the ' },
        { kind: 'strong', children: [{ kind: 'text', text: 'clusters' }] },
        { kind: 'text', text: ' first, then the accounts.' },
      ],
    });
    expect(blocks[2]).toMatchObject({ ordered: false, items: [[{ text: 'one' }], [{ text: 'two continued' }]] });
    expect(blocks[3]).toMatchObject({ ordered: true, items: [[{ text: 'first' }], [{ text: 'second' }]] });
    expect(blocks[4]).toEqual({ kind: 'code', text: 'SELECT 1' });
  });

  it('keeps tags as text and drops links to anything but http(s) and mailto', () => {
    expect(parseInline('<img src=x onerror=alert(1)>')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)>' },
    ]);
    expect(parseInline('[click](javascript:evil) [x](//evil.example)')).toEqual([
      { kind: 'text', text: 'click' },
      { kind: 'text', text: ' ' },
      { kind: 'text', text: 'x' },
    ]);
    expect(parseInline('[docs](https://example.org/runbook)')).toEqual([
      { kind: 'link', href: 'https://example.org/runbook', children: [{ kind: 'text', text: 'docs' }] },
    ]);
    expect(safeHref('data:text/html,<script>')).toBeNull();
    expect(safeHref('mailto:oncall@example.org')).toBe('mailto:oncall@example.org');
  });

  it('leaves an unclosed mark and snake_case words as they are', () => {
    expect(parseInline('a *b and user_id_x')).toEqual([{ kind: 'text', text: 'a *b and user_id_x' }]);
    expect(parseInline('`a*b*` *c*')).toEqual([
      { kind: 'code', text: 'a*b*' },
      { kind: 'text', text: ' ' },
      { kind: 'em', children: [{ kind: 'text', text: 'c' }] },
    ]);
  });
});
