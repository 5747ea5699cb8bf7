/**
 * A picture in a panel: fitted to it (and following its size), or zoomed about a point — the centre for keys and
 * buttons, the pointer for Ctrl+wheel (a trackpad's pinch) — and panned by dragging or scrolling. Double-click
 * toggles between fit and twice the fitted size.
 */
import { type PointerEvent as ReactPointerEvent, useEffect, useLayoutEffect, useRef } from 'react';
import type { MediaViewStore } from './mediaView';

/** Fit may enlarge a small picture, but not past this: beyond it a reviewer sees pixels, not content. */
const MAX_FIT_SCALE = 4;

export function ImageStage({
  url,
  width,
  height,
  view,
  alt,
  contentId,
}: {
  url: string;
  width: number;
  height: number;
  view: MediaViewStore;
  alt: string;
  contentId: string;
}) {
  const stage = useRef<HTMLDivElement>(null);
  const zoom = view((state) => state.zoom);
  const fitScale = view((state) => state.fitScale);
  const scale = zoom === 'fit' ? fitScale : zoom;
  // The point of the picture (in its own pixels) to keep where it is on screen across a zoom.
  const anchor = useRef<{ x: number; y: number; screenX: number; screenY: number } | null>(null);
  const lastScale = useRef(scale);

  useLayoutEffect(() => {
    const element = stage.current;
    if (!element) return;
    const measure = () => {
      const fits = Math.min(element.clientWidth / width, element.clientHeight / height, MAX_FIT_SCALE);
      view.getState().setFitScale(fits);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [width, height, view]);

  // Keeps the anchored point under the pointer (or the centre) once the new scale is laid out.
  useLayoutEffect(() => {
    const element = stage.current;
    if (!element || scale === lastScale.current) return;
    const at = anchor.current ?? {
      x:
        (element.scrollLeft + element.clientWidth / 2 - offset(element.clientWidth, width * lastScale.current)) /
        lastScale.current,
      y:
        (element.scrollTop + element.clientHeight / 2 - offset(element.clientHeight, height * lastScale.current)) /
        lastScale.current,
      screenX: element.clientWidth / 2,
      screenY: element.clientHeight / 2,
    };
    element.scrollLeft = at.x * scale + offset(element.clientWidth, width * scale) - at.screenX;
    element.scrollTop = at.y * scale + offset(element.clientHeight, height * scale) - at.screenY;
    anchor.current = null;
    lastScale.current = scale;
  }, [scale, width, height]);

  // Ctrl+wheel (and a pinch, which Chromium reports as one) zooms about the pointer; a plain wheel scrolls the page.
  useEffect(() => {
    const element = stage.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      const state = view.getState();
      const current = state.zoom === 'fit' ? state.fitScale : state.zoom;
      const box = element.getBoundingClientRect();
      const screenX = event.clientX - box.left;
      const screenY = event.clientY - box.top;
      anchor.current = {
        x: (element.scrollLeft + screenX - offset(element.clientWidth, width * current)) / current,
        y: (element.scrollTop + screenY - offset(element.clientHeight, height * current)) / current,
        screenX,
        screenY,
      };
      state.zoomBy(Math.exp(-event.deltaY / 300));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [view, width, height]);

  const drag = useRef<{ x: number; y: number; left: number; top: number; moved: boolean } | null>(null);
  const dragged = useRef(false);
  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (zoom === 'fit' || event.button !== 0) return;
    const element = event.currentTarget;
    drag.current = {
      x: event.clientX,
      y: event.clientY,
      left: element.scrollLeft,
      top: element.scrollTop,
      moved: false,
    };
    element.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    drag.current.moved ||= Math.abs(event.clientX - drag.current.x) + Math.abs(event.clientY - drag.current.y) > 3;
    event.currentTarget.scrollLeft = drag.current.left - (event.clientX - drag.current.x);
    event.currentTarget.scrollTop = drag.current.top - (event.clientY - drag.current.y);
  };

  const shownWidth = Math.max(1, Math.round(width * scale));
  const shownHeight = Math.max(1, Math.round(height * scale));
  return (
    <div
      ref={stage}
      className={`media-stage ${zoom === 'fit' ? 'fitted' : 'zoomed'}`}
      data-testid="media-stage"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => ((dragged.current = drag.current?.moved ?? false), (drag.current = null))}
      onClickCapture={(event) => {
        // The click that ends a drag pans; it does not reach the Shield (which a click reveals or shields again).
        if (dragged.current) event.stopPropagation();
        dragged.current = false;
      }}
      onDoubleClick={() => {
        const state = view.getState();
        if (state.zoom === 'fit') state.zoomBy(2);
        else state.fit();
      }}
    >
      <img
        src={url}
        alt={alt}
        draggable={false}
        data-testid="media-image"
        data-content-id={contentId}
        style={{ width: shownWidth, height: shownHeight }}
      />
    </div>
  );
}

/**
 * Where a picture narrower (or shorter) than the stage starts: centred by `margin: auto` in the flex stage, which
 * falls to 0 when the picture overflows and scrolls (media.css).
 */
function offset(stageSize: number, shownSize: number): number {
  return Math.max(0, (stageSize - shownSize) / 2);
}
