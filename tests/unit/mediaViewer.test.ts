/**
 * The renderer's media viewer, its parts that decide without a page: the cache (one media.forItems call for the ids
 * a screen asks for at once, what is on screen before what is fetched ahead, a request nobody wants dropped, a
 * bounded LRU that releases what it evicts), the keys of the main panel, and which grid column shows thumbnails.
 * The pictures on screen are the e2e spec's (tests/e2e/media.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ItemMedia, MediaFileInfo, MediaGetResult } from '../../shared/media';
import { MediaCache, type MediaSource, type RenditionKey } from '../../renderer/media/mediaCache';
import { mediaColumnOf } from '../../renderer/media/mediaColumn';
import { runMediaAction, useMediaView } from '../../renderer/media/mediaView';

const file = (contentId: string, position: number, kind: 'image' | 'video', frames = 0): MediaFileInfo => ({
  contentId,
  position,
  sha256: 'ab'.repeat(32),
  kind,
  format: kind === 'image' ? 'jpeg' : 'mp4',
  width: 640,
  height: 480,
  frames,
  durationS: kind === 'video' ? 4 : null,
  bytes: 1000,
  status: 'ok',
  error: null,
});

const shield = { sensitive: false, mayUnblur: true, restricted: false };

/** A host that answers when told to, recording what it was asked, in order. */
function fakeHost() {
  const calls: string[] = [];
  const itemCalls: string[][] = [];
  const pending: { key: RenditionKey; answer(): void }[] = [];
  const released: string[] = [];
  const source: MediaSource = {
    forItems: (ids) => {
      itemCalls.push(ids);
      return Promise.resolve(
        ids
          .filter((id) => id.startsWith('img'))
          .map((id) => ({
            contentId: id,
            media: [file(id, 0, 'image')],
            shield,
          })) as ItemMedia[],
      );
    },
    get: (key) =>
      new Promise<MediaGetResult>((resolve) => {
        calls.push(`${key.contentId}:${key.rendition}`);
        pending.push({
          key,
          answer: () =>
            resolve({ status: 'ok', mime: 'image/jpeg', dataBase64: '', width: 10, height: 10, shielded: false }),
        });
      }),
    toUrl: (result) => {
      const url = `blob:${calls.length}:${result.width}`;
      return Promise.resolve({ url, release: () => released.push(url) });
    },
  };
  /** Answers the oldest request in flight and waits for the cache to take it. */
  const answerNext = async () => {
    pending.shift()!.answer();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { source, calls, itemCalls, pending, released, answerNext };
}

const key = (contentId: string): RenditionKey => ({ contentId, position: 0, rendition: 'display' });

describe('the media cache', () => {
  it('asks for the media lists of ids asked in the same tick in one call, and never again for a known id', async () => {
    const host = fakeHost();
    const cache = new MediaCache(host.source);
    await Promise.all([cache.loadItems(['img1']), cache.loadItems(['img2', 'txt3']), cache.loadItems(['img1'])]);
    expect(host.itemCalls).toEqual([['img1', 'img2', 'txt3']]);
    expect(cache.peekItem('img2')?.media).toHaveLength(1);
    expect(cache.peekItem('txt3')?.media).toEqual([]);
    await cache.loadItems(['img1', 'txt3', 'img4']);
    expect(host.itemCalls).toEqual([['img1', 'img2', 'txt3'], ['img4']]);
  });

  it('fetches what is on screen before what is fetched ahead, at most `concurrency` at a time', async () => {
    const host = fakeHost();
    const cache = new MediaCache(host.source, 50, 1);
    cache.prefetch([key('a'), key('b'), key('c')]);
    const held = cache.request(key('now'), 'now');
    expect(host.calls).toEqual(['a:display']);
    await host.answerNext();
    expect(host.calls).toEqual(['a:display', 'now:display']);
    expect(cache.peek(key('now'))).toBeNull(); // on its way
    await host.answerNext();
    expect((await held.done).status).toBe('ok');
    expect(cache.peek(key('now'))).toMatchObject({ status: 'ok', width: 10 });
    // Asking now for one queued ahead moves it to the front.
    cache.prefetch([key('d')]);
    cache.request(key('d'), 'now');
    await host.answerNext();
    expect(host.calls.slice(2)).toEqual(['b:display', 'd:display']);
  });

  it('drops a queued request whose view went away before it costs the host anything', async () => {
    const host = fakeHost();
    const cache = new MediaCache(host.source, 50, 1);
    const first = cache.request(key('row1'), 'now');
    const scrolledPast = cache.request(key('row2'), 'now');
    scrolledPast.release();
    cache.request(key('row3'), 'now');
    await host.answerNext();
    await host.answerNext();
    first.release();
    expect(host.calls).toEqual(['row1:display', 'row3:display']);
    expect(cache.peek(key('row2'))).toBeUndefined();
  });

  it('keeps at most `capacity` renditions, releasing the least recently used and never one a view holds', async () => {
    const host = fakeHost();
    const cache = new MediaCache(host.source, 2, 4);
    const held = cache.request(key('held'), 'now');
    await host.answerNext();
    for (const id of ['x', 'y', 'z']) {
      cache.prefetch([key(id)]);
      await host.answerNext();
    }
    expect(cache.size).toBe(2);
    expect(cache.peek(key('held'))).toMatchObject({ status: 'ok' });
    expect(cache.peek(key('z'))).toMatchObject({ status: 'ok' });
    expect(host.released).toHaveLength(2);
    held.release();
    cache.clear();
    expect(host.released).toHaveLength(4);
  });

  it("asks for one file's renditions one at a time (the host makes a file's derivatives on its first request)", async () => {
    const host = fakeHost();
    const cache = new MediaCache(host.source, 50, 4);
    const frame = (f: number): RenditionKey => ({ contentId: 'v', position: 0, rendition: 'keyframe', frame: f });
    cache.prefetch([frame(0), frame(1), frame(2), key('other')]);
    expect(host.calls).toEqual(['v:keyframe', 'other:display']);
    await host.answerNext();
    expect(host.calls).toEqual(['v:keyframe', 'other:display', 'v:keyframe']);
  });

  it('does not remember a call that failed: the next view asks again', async () => {
    const host = fakeHost();
    let fail = true;
    const cache = new MediaCache({
      ...host.source,
      get: (k) => (fail ? Promise.reject(new Error('The Sift host is not reachable')) : host.source.get(k)),
    });
    const failed = await cache.request(key('a'), 'now').done;
    expect(failed).toEqual({ status: 'placeholder', reason: 'The Sift host is not reachable' });
    // The view that asked shows why; a later request asks the host again.
    expect(cache.peek(key('a'))).toEqual(failed);
    fail = false;
    cache.request(key('a'), 'now');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(host.calls).toEqual(['a:display']);
  });
});

describe('the main panel keys', () => {
  it('zoom and fit a picture; step through keyframes and play a video; switch files; do nothing without media', () => {
    const view = useMediaView.getState();
    view.show(null, []);
    expect(runMediaAction('mediaZoomIn')).toBe(false);
    view.show('c1', [file('c1', 0, 'image'), file('c1', 1, 'video', 8)]);
    view.setFitScale(0.5);
    expect(runMediaAction('mediaZoomIn')).toBe(true);
    expect(useMediaView.getState().zoom).toBeCloseTo(0.625);
    expect(runMediaAction('mediaZoomOut')).toBe(true);
    expect(useMediaView.getState().zoom).toBeCloseTo(0.5);
    expect(runMediaAction('mediaFit')).toBe(true);
    expect(useMediaView.getState().zoom).toBe('fit');
    expect(runMediaAction('mediaFrameNext')).toBe(false); // a picture has no keyframes
    expect(runMediaAction('mediaPreviousFile')).toBe(false);
    expect(runMediaAction('mediaNextFile')).toBe(true);
    for (let i = 0; i < 10; i++) runMediaAction('mediaFrameNext');
    expect(useMediaView.getState().frame).toBe(7);
    runMediaAction('mediaFramePrevious');
    expect(useMediaView.getState().frame).toBe(6);
    expect(runMediaAction('mediaPlay')).toBe(true);
    expect(useMediaView.getState().playing).toBe(true);
    // Another item starts fitted, on its first file and keyframe.
    view.show('c2', [file('c2', 0, 'video', 4)]);
    expect(useMediaView.getState()).toMatchObject({ position: 0, frame: 0, zoom: 'fit', playing: false });
  });
});

describe('the grid column that shows media', () => {
  const column = (name: string) => ({ name, type: 'VARCHAR' });
  it('is the `media` column of a result that also has content_id', () => {
    expect(mediaColumnOf([column('content_id'), column('text'), column('media')])).toEqual({ column: 2, idColumn: 0 });
    expect(mediaColumnOf([column('text'), column('media')])).toBeNull();
    expect(mediaColumnOf([column('content_id'), column('has_image')])).toBeNull();
  });
});
