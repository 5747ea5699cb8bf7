/**
 * Thumbnails: in a grid cell of a media column, and a row of them for a few items (a spike's cluster). A grid row
 * scrolled past in a fling never asks the host: a thumbnail is asked for once its row has stayed on screen a moment
 * (unless already cached), and a request whose row went away is dropped from the queue (mediaCache.ts).
 */
import { useEffect, useState } from 'react';
import type { RenditionKey } from './mediaCache';
import { Shield } from './Shield';
import { mediaCache, useItemMedia, useRendition } from './useMedia';
import './media.css';

/** How long a grid row stays on screen before its thumbnail is asked for. */
const SETTLE_MS = 120;

function useSettled(id: string): boolean {
  const [settled, setSettled] = useState<string | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(id), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [id]);
  return settled === id;
}

function Thumb({ contentId, className }: { contentId: string; className: string }) {
  const key: RenditionKey = { contentId, position: 0, rendition: 'thumb' };
  const cached = mediaCache.peek(key) !== undefined && mediaCache.peekItem(contentId) !== undefined;
  const settled = useSettled(contentId);
  const item = useItemMedia(settled || cached ? contentId : null);
  const file = item?.media[0];
  const picture = useRendition(file?.status === 'ok' ? key : null);
  if (!item || !file) return <span className={`${className} missing`} data-testid="media-thumb-pending" />;
  if (picture?.status !== 'ok')
    return (
      <span
        className={`${className} missing`}
        title={picture?.status === 'placeholder' ? `Media not shown: ${picture.reason}` : (file.error ?? 'loading…')}
        data-testid="media-thumb-missing"
      />
    );
  return (
    <span className={className} data-testid="media-thumb" data-content-id={contentId}>
      <Shield contentId={contentId} facts={item.shield} compact>
        <img src={picture.url} alt={`${file.kind} of ${contentId}`} draggable={false} />
      </Shield>
    </span>
  );
}

/** The thumbnail in a grid cell whose column is media (ResultsGrid decides which column is). */
export function GridThumb({ contentId }: { contentId: string }) {
  return <Thumb contentId={contentId} className="grid-thumb" />;
}

/** Thumbnails of the first of these items that have media; nothing when none has. */
export function MediaThumbs({ contentIds, limit = 8 }: { contentIds: readonly string[]; limit?: number }) {
  const [known, setKnown] = useState(false);
  const idsKey = contentIds.join('\u0000');
  useEffect(() => {
    let current = true;
    void mediaCache.loadItems(contentIds).then(
      () => current && setKnown(true),
      () => undefined,
    );
    return () => {
      current = false;
    };
    // The ids matter by value.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [idsKey]);
  if (!known) return null;
  const withMedia = contentIds.filter((id) => (mediaCache.peekItem(id)?.media.length ?? 0) > 0).slice(0, limit);
  if (withMedia.length === 0) return null;
  return (
    <div className="media-thumbs" data-testid="media-thumbs">
      {withMedia.map((id) => (
        <Thumb key={id} contentId={id} className="media-thumb" />
      ))}
    </div>
  );
}
