/**
 * The one media cache of the page, bound to the host's media.forItems / media.get, and the hooks views read it
 * through. A view re-renders when the cache changes; what it shows is read synchronously, so a rendition fetched
 * ahead is on screen in the first render of its item.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { ItemMedia, MediaGetResult } from '../../shared/media';
import { api } from '../api/client';
import { useWorkspace } from '../workspaceStore';
import { type LoadedRendition, MediaCache, type Priority, type RenditionKey } from './mediaCache';

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Decoded images kept alive by URL: Chromium keeps the decoded pixels of an image an element still holds. */
const decoded = new Map<string, HTMLImageElement>();

export const mediaCache = new MediaCache({
  forItems: (contentIds) => api['media.forItems']({ contentIds }),
  get: (key) =>
    api['media.get']({
      contentId: key.contentId,
      position: key.position,
      rendition: key.rendition,
      ...(key.frame === undefined ? {} : { frame: key.frame }),
    }),
  async toUrl(result: Extract<MediaGetResult, { status: 'ok' }>) {
    const url = URL.createObjectURL(new Blob([bytesOf(result.dataBase64)], { type: result.mime }));
    if (result.mime.startsWith('image/')) {
      const image = new Image();
      image.src = url;
      // A picture that fails to decode still gets its <img>; the browser shows it broken, as it is.
      await image.decode().catch(() => undefined);
      decoded.set(url, image);
    }
    return {
      url,
      release: () => {
        decoded.delete(url);
        URL.revokeObjectURL(url);
      },
    };
  },
});

// Another workspace: nothing of the last one is shown or kept.
let workspacePath: string | undefined;
useWorkspace.subscribe((state) => {
  const path = state.info?.path;
  if (path === workspacePath) return;
  if (workspacePath !== undefined) mediaCache.clear();
  workspacePath = path;
});

const subscribe = (listener: () => void) => mediaCache.subscribe(listener);

/** The media of an item (asked for when unknown); undefined until the host answered. */
export function useItemMedia(contentId: string | null): ItemMedia | undefined {
  const item = useSyncExternalStore(subscribe, () => (contentId ? mediaCache.peekItem(contentId) : undefined));
  useEffect(() => {
    if (contentId && !mediaCache.peekItem(contentId)) void mediaCache.loadItems([contentId]).catch(() => undefined);
  }, [contentId]);
  return item;
}

/**
 * A rendition to show (fetched when missing, ahead of prefetches); null while on its way. `key` null: nothing
 * wanted (the hook is called unconditionally).
 */
export function useRendition(key: RenditionKey | null, priority: Priority = 'now'): LoadedRendition | null {
  const value = useSyncExternalStore(subscribe, () => (key ? (mediaCache.peek(key) ?? null) : null));
  const id = key ? `${key.contentId}|${key.position}|${key.rendition}|${key.frame ?? ''}` : null;
  useEffect(() => {
    if (!key) return;
    const held = mediaCache.request(key, priority);
    return held.release;
    // The key matters by its parts (id), not the object's identity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, priority]);
  return value;
}

/** The renditions an item's first view shows: the display picture, or a video's keyframes. */
export function firstViewKeys(item: ItemMedia | undefined, position = 0): RenditionKey[] {
  const file = item?.media.find((m) => m.position === position);
  if (!item || !file || file.status !== 'ok') return [];
  if (file.kind === 'image') return [{ contentId: item.contentId, position, rendition: 'display' }];
  return Array.from({ length: Math.max(1, file.frames) }, (_, frame) => ({
    contentId: item.contentId,
    position,
    rendition: 'keyframe' as const,
    frame,
  }));
}

/** What an item's content type says its first file likely is, before the host has listed its media. */
export type MediaHint = 'image' | 'video' | null;

/**
 * Fetches ahead what the viewer will see next, so moving on waits for nothing: the media lists of `listed` (one call,
 * or none when known), then the first view of each of `ahead`, in that order. An item not listed yet whose content
 * type says image (or video) has its first picture asked for at once, beside the lists call rather than after it:
 * the first items of a new batch are then ready a round trip sooner.
 */
export function prefetchMedia(
  listed: readonly string[],
  ahead: readonly string[] = listed,
  hint: (contentId: string) => MediaHint = () => null,
): void {
  if (listed.length === 0 && ahead.length === 0) return;
  for (const id of ahead) {
    if (mediaCache.peekItem(id)) continue;
    const kind = hint(id);
    if (kind === 'image') mediaCache.prefetch([{ contentId: id, position: 0, rendition: 'display' }]);
    else if (kind === 'video') mediaCache.prefetch([{ contentId: id, position: 0, rendition: 'keyframe', frame: 0 }]);
  }
  void mediaCache.loadItems([...listed, ...ahead]).then(
    () => {
      for (const id of ahead) mediaCache.prefetch(firstViewKeys(mediaCache.peekItem(id)));
    },
    () => undefined,
  );
}
