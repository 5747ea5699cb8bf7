/**
 * An item's media wherever content is shown: a picture fitted to the panel (zoom by keys, buttons, Ctrl+wheel), a
 * video as a strip of its keyframes (stepped through by keys) that plays its small webm rendition when asked, and a
 * placeholder saying why for a file Sift could not show. Everything the reviewer sees of the media is inside the
 * Shield (blurred and grey until revealed). The screen's main panel (`main`) is the one the media keys reach
 * (mediaView.ts); a preview in a list keeps its own view state and fetches the small renditions.
 */
import { useLayoutEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ItemMedia } from '../../shared/media';
import { ImageStage } from './ImageStage';
import { KeyframeStrip, VideoPlayer } from './VideoView';
import { MediaPlaceholder } from './MediaPlaceholder';
import { MediaToolbar } from './MediaToolbar';
import { createMediaView, type MediaViewStore, useMediaView } from './mediaView';
import { RestrictedNotice } from './RestrictedNotice';
import { Shield } from './Shield';
import { useItemMedia, useRendition } from './useMedia';
import './media.css';

export function MediaPanel({ contentId, main = false }: { contentId: string; main?: boolean }) {
  const item = useItemMedia(contentId);
  const [own] = useState(createMediaView);
  const view = main ? useMediaView : own;
  const files = item?.media;
  useLayoutEffect(() => {
    if (files) view.getState().show(contentId, files);
  }, [view, contentId, files]);
  if (!item || item.media.length === 0) return null;
  return <MediaBody item={item} view={view} main={main} />;
}

function MediaBody({ item, view, main }: { item: ItemMedia; view: MediaViewStore; main: boolean }) {
  // Not the fitted scale or the file list: a resize re-renders the stage and the toolbar, not the whole panel.
  const state = view(
    useShallow(({ contentId, position, zoom, frame, playing }) => ({ contentId, position, zoom, frame, playing })),
  );
  // Until the layout effect has told the view about this item, show it as a new item starts: fitted, first file.
  const fresh = state.contentId !== item.contentId;
  const position = fresh ? item.media[0]!.position : state.position;
  const file = item.media.find((m) => m.position === position) ?? item.media[0]!;
  const frame = fresh ? 0 : state.frame;
  const playing = !fresh && file.kind === 'video' && state.playing;
  const ok = file.status === 'ok';
  const picture = useRendition(
    ok && !playing
      ? file.kind === 'image'
        ? { contentId: item.contentId, position: file.position, rendition: main ? 'display' : 'thumb' }
        : { contentId: item.contentId, position: file.position, rendition: 'keyframe', frame }
      : null,
  );
  // Why nothing can be shown, if so: not media, so never behind the shield (its words must be readable).
  const unavailable = !ok
    ? file.status === 'purged'
      ? 'its bytes were purged under the workspace retention setting (hashes and labels are kept)'
      : (file.error ?? 'Sift could not read this file')
    : picture?.status === 'placeholder'
      ? picture.reason
      : null;
  return (
    <figure
      className={`media-panel ${main ? 'main' : 'preview'}`}
      data-testid="media-panel"
      data-content-id={item.contentId}
      data-kind={file.kind}
      data-position={file.position}
      data-zoom={fresh || state.zoom === 'fit' ? 'fit' : state.zoom.toFixed(3)}
      data-frame={file.kind === 'video' ? frame : undefined}
      data-playing={playing}
    >
      {unavailable !== null ? (
        <MediaPlaceholder reason={unavailable} />
      ) : (
        <Shield contentId={item.contentId} facts={item.shield} global={main}>
          {playing ? (
            <VideoPlayer contentId={item.contentId} position={file.position} />
          ) : picture?.status === 'ok' ? (
            <ImageStage
              url={picture.url}
              width={picture.width}
              height={picture.height}
              view={view}
              alt={`${file.kind} ${file.position + 1} of ${item.contentId}`}
              contentId={item.contentId}
            />
          ) : (
            <div className="media-stage media-loading" aria-busy="true" data-testid="media-loading">
              Loading the {file.kind === 'image' ? 'picture' : 'keyframe'}…
            </div>
          )}
          {file.kind === 'video' && (
            <KeyframeStrip
              contentId={item.contentId}
              file={file}
              frame={frame}
              onPick={(i) => view.getState().setFrame(i)}
            />
          )}
        </Shield>
      )}
      {main && item.shield.restricted && <RestrictedNotice contentId={item.contentId} />}
      <MediaToolbar
        item={item}
        file={file}
        view={view}
        main={main}
        frame={frame}
        playing={playing}
        showable={unavailable === null}
      />
    </figure>
  );
}
