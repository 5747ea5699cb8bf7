/**
 * The renderer's media cache: which media each item has (media.forItems, asked once per item, many items per call)
 * and the derivatives fetched (media.get), kept as object URLs, images decoded ahead. A bounded LRU, so scrolling a
 * grid of thumbnails or labeling a long session never holds more than `capacity` renditions. A view reads it
 * synchronously (`peek`): a rendition fetched ahead shows in the same frame as the item's text, which is what makes
 * moving to the next image item as fast as to the next text item. Requests wait in one queue, at most
 * `concurrency` at a time; what is on screen now goes before what is fetched ahead, and a queued request whose view
 * went away is dropped before it costs the host anything.
 */
import type { ItemMedia, MediaGetResult, MediaRendition } from '../../shared/media';

export interface RenditionKey {
  contentId: string;
  position: number;
  rendition: MediaRendition;
  /** The keyframe (rendition `keyframe` only). */
  frame?: number;
}

/** A rendition ready to show: an object URL (its bytes held by the page), or the reason there is none. */
export type LoadedRendition =
  | { status: 'ok'; url: string; mime: string; width: number; height: number; shielded: boolean }
  | { status: 'placeholder'; reason: string };

export type Priority = 'now' | 'ahead';

export interface MediaSource {
  forItems(contentIds: string[]): Promise<ItemMedia[]>;
  get(key: RenditionKey): Promise<MediaGetResult>;
  /** Bytes to something the page shows; images are decoded here so showing one costs no decode on screen. */
  toUrl(result: Extract<MediaGetResult, { status: 'ok' }>): Promise<{ url: string; release(): void }>;
}

interface Entry {
  value: LoadedRendition | null;
  /** The call failed (the host unreachable): its reason is shown, and the next request asks again. */
  failed?: boolean;
  release: (() => void) | null;
  waiters: Promise<LoadedRendition>;
}

interface Queued {
  id: string;
  /** The file the rendition is of (contentId, position). */
  file: string;
  priority: Priority;
  run(): Promise<void>;
  /** Still wanted by someone (a view on screen, or a prefetch not yet superseded). */
  wanted(): boolean;
}

export const keyOf = (key: RenditionKey) =>
  `${key.contentId}\u0000${key.position}\u0000${key.rendition}\u0000${key.frame ?? ''}`;

/** At most this many ids per media.forItems call (the contract's limit). */
const ITEMS_PER_CALL = 500;

export class MediaCache {
  private readonly entries = new Map<string, Entry>();
  private readonly items = new Map<string, ItemMedia>();
  private readonly itemsAsked = new Map<string, Promise<void>>();
  private readonly pendingIds = new Set<string>();
  private nextCall: Promise<void> | null = null;
  private readonly queue: Queued[] = [];
  private readonly interest = new Map<string, number>();
  private running = 0;
  private readonly filesInFlight = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly source: MediaSource,
    private readonly capacity = 160,
    private readonly concurrency = 4,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    for (const listener of this.listeners) listener();
  }

  /** An item's media as the host listed them; undefined until asked and answered. */
  peekItem(contentId: string): ItemMedia | undefined {
    return this.items.get(contentId);
  }

  /**
   * Asks the host once for the media of the items not yet known. Ids asked for in the same tick (every row of a
   * list mounting at once) go in one call, 500 at most per call.
   */
  loadItems(contentIds: readonly string[]): Promise<void> {
    const waits = new Set<Promise<void>>();
    for (const id of contentIds) {
      if (this.items.has(id)) continue;
      let asked = this.itemsAsked.get(id);
      if (!asked) {
        this.pendingIds.add(id);
        asked = this.nextCall ??= new Promise<void>((resolve, reject) =>
          queueMicrotask(() => {
            const ids = [...this.pendingIds];
            this.pendingIds.clear();
            this.nextCall = null;
            this.askHost(ids).then(resolve, reject);
          }),
        );
        this.itemsAsked.set(id, asked);
      }
      waits.add(asked);
    }
    return Promise.all(waits).then(() => undefined);
  }

  private async askHost(ids: string[]): Promise<void> {
    try {
      const chunks: string[][] = [];
      for (let from = 0; from < ids.length; from += ITEMS_PER_CALL) chunks.push(ids.slice(from, from + ITEMS_PER_CALL));
      const answers = await Promise.all(chunks.map((chunk) => this.source.forItems(chunk)));
      for (const item of answers.flat()) this.items.set(item.contentId, item);
      // An id the host did not answer has no media it may show.
      for (const id of ids)
        if (!this.items.has(id))
          this.items.set(id, {
            contentId: id,
            media: [],
            shield: { sensitive: false, mayUnblur: true, restricted: false },
          });
      this.changed();
    } finally {
      // Answered or failed: a failure is not remembered, the next view asks again.
      for (const id of ids) this.itemsAsked.delete(id);
    }
  }

  /** A rendition already fetched (null while it is on its way, undefined when never asked). */
  peek(key: RenditionKey): LoadedRendition | null | undefined {
    const entry = this.entries.get(keyOf(key));
    if (!entry) return undefined;
    // Touch: most recently used last, so eviction takes the oldest.
    this.entries.delete(keyOf(key));
    this.entries.set(keyOf(key), entry);
    return entry.value;
  }

  /**
   * Fetches a rendition unless cached. A 'now' request jumps ahead of prefetches. Until `release()` is called the
   * request stays wanted; a queued request nobody wants any more is dropped.
   */
  request(key: RenditionKey, priority: Priority): { done: Promise<LoadedRendition>; release(): void } {
    const id = keyOf(key);
    this.interest.set(id, (this.interest.get(id) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.interest.get(id) ?? 1) - 1;
      if (left <= 0) this.interest.delete(id);
      else this.interest.set(id, left);
    };
    const existing = this.entries.get(id);
    if (existing?.failed) this.entries.delete(id);
    else if (existing) {
      if (priority === 'now') this.promote(id);
      return { done: existing.waiters, release };
    }
    let settle!: (value: LoadedRendition) => void;
    const entry: Entry = { value: null, release: null, waiters: new Promise((resolve) => (settle = resolve)) };
    this.entries.set(id, entry);
    const job: Queued = {
      id,
      file: `${key.contentId}\u0000${key.position}`,
      priority,
      wanted: () => this.interest.has(id),
      run: async () => {
        let loaded: LoadedRendition;
        try {
          const result = await this.source.get(key);
          if (result.status === 'ok') {
            const shown = await this.source.toUrl(result);
            entry.release = shown.release;
            loaded = {
              status: 'ok',
              url: shown.url,
              mime: result.mime,
              width: result.width,
              height: result.height,
              shielded: result.shielded,
            };
          } else loaded = result;
        } catch (error) {
          // Shown to the view that asked, but not remembered: the next view to ask asks the host again.
          loaded = { status: 'placeholder', reason: error instanceof Error ? error.message : String(error) };
          entry.failed = true;
        }
        entry.value = loaded;
        settle(loaded);
        this.evict();
        this.changed();
      },
    };
    if (priority === 'now') this.queue.unshift(job);
    else this.queue.push(job);
    this.pump();
    return { done: entry.waiters, release };
  }

  /** Fetches ahead, without holding on: the renditions stay in the cache for a view that asks for them later. */
  prefetch(keys: readonly RenditionKey[]): void {
    for (const key of keys) {
      const id = keyOf(key);
      if (this.entries.has(id)) continue;
      // Wanted until fetched: a prefetch is dropped only when the cache is cleared.
      const { release } = this.request(key, 'ahead');
      void this.entries.get(id)?.waiters.then(release);
    }
  }

  private promote(id: string) {
    const at = this.queue.findIndex((job) => job.id === id);
    if (at > 0) {
      const [job] = this.queue.splice(at, 1);
      job!.priority = 'now';
      this.queue.unshift(job!);
    }
  }

  /**
   * Starts queued requests, at most `concurrency`, and one file at a time: the host makes all of a file's derivatives
   * on its first request (a video's keyframes and webm in one ffmpeg pass), so a strip's eight keyframes asked at once
   * would have it make them eight times over.
   */
  private pump() {
    for (let at = 0; this.running < this.concurrency && at < this.queue.length;) {
      const job = this.queue[at]!;
      if (!job.wanted()) {
        // Nobody looks at it any more (a grid row scrolled away): forget it rather than fetch it.
        this.queue.splice(at, 1);
        this.entries.delete(job.id);
        continue;
      }
      if (this.filesInFlight.has(job.file)) {
        at++;
        continue;
      }
      this.queue.splice(at, 1);
      this.running++;
      this.filesInFlight.add(job.file);
      void job.run().finally(() => {
        this.running--;
        this.filesInFlight.delete(job.file);
        this.pump();
      });
    }
  }

  /** Drops the least recently used renditions beyond capacity, never one a view still holds. */
  private evict() {
    if (this.entries.size <= this.capacity) return;
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      if (entry.value === null || this.interest.has(id)) continue;
      entry.release?.();
      this.entries.delete(id);
    }
  }

  /** Everything forgotten (another workspace opened): object URLs released. */
  clear() {
    for (const entry of this.entries.values()) entry.release?.();
    this.entries.clear();
    this.items.clear();
    this.itemsAsked.clear();
    this.pendingIds.clear();
    this.queue.length = 0;
    this.interest.clear();
    this.changed();
  }

  /** How many renditions are held (for tests and the bench). */
  get size(): number {
    return this.entries.size;
  }
}
