/** A playbook drawn from its parsed Markdown (markdown.ts) as React elements: text stays text, no HTML is ever parsed. */
import { Fragment, type ReactNode, useMemo } from 'react';
import { type Inline, parseMarkdown } from './markdown';

function inline(nodes: Inline[]): ReactNode {
  return nodes.map((node, index) => {
    switch (node.kind) {
      case 'text':
        return <Fragment key={index}>{node.text}</Fragment>;
      case 'code':
        return <code key={index}>{node.text}</code>;
      case 'strong':
        return <strong key={index}>{inline(node.children)}</strong>;
      case 'em':
        return <em key={index}>{inline(node.children)}</em>;
      case 'link':
        return (
          <a key={index} href={node.href} target="_blank" rel="noopener noreferrer">
            {inline(node.children)}
          </a>
        );
    }
  });
}

export function Markdown({ source, testId }: { source: string; testId?: string }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  return (
    <div className="markdown" data-testid={testId}>
      {blocks.map((block, index) => {
        switch (block.kind) {
          case 'heading': {
            const Heading = `h${block.level + 2 > 6 ? 6 : block.level + 2}` as 'h3' | 'h4' | 'h5' | 'h6';
            return <Heading key={index}>{inline(block.children)}</Heading>;
          }
          case 'paragraph':
            return <p key={index}>{inline(block.children)}</p>;
          case 'list': {
            const List = block.ordered ? 'ol' : 'ul';
            return (
              <List key={index}>
                {block.items.map((item, itemIndex) => (
                  <li key={itemIndex}>{inline(item)}</li>
                ))}
              </List>
            );
          }
          case 'code':
            return <pre key={index}>{block.text}</pre>;
          case 'quote':
            return <blockquote key={index}>{inline(block.children)}</blockquote>;
          case 'rule':
            return <hr key={index} />;
        }
      })}
    </div>
  );
}
