/**
 * An item's media in a long list (error analysis's items): nothing for an item without media; for one with media, a
 * preview panel once it comes near the screen, so a list of 200 items asks the host only for what is looked at.
 */
import { useEffect, useRef, useState } from 'react';
import { MediaPanel } from './MediaPanel';
import { useItemMedia } from './useMedia';

export function MediaPreview({ contentId }: { contentId: string }) {
  const item = useItemMedia(contentId);
  const box = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(false);
  const hasMedia = (item?.media.length ?? 0) > 0;
  useEffect(() => {
    const element = box.current;
    if (!hasMedia || near || !element) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setNear(true), {
      rootMargin: '300px 0px',
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMedia, near]);
  if (!hasMedia) return null;
  return (
    <div ref={box} className="media-preview" data-testid="media-preview">
      {near ? <MediaPanel contentId={contentId} /> : <div className="media-stage media-loading" />}
    </div>
  );
}
