/**
 * The controls under a media panel: which of the item's files, zoom out / fit / in with the scale shown, and for a
 * video the keyframe on view and play. The main panel's buttons carry their keys (the annotator's keymap).
 */
import type { KeyActionId } from '../../shared/keymap';
import type { ItemMedia, MediaFileInfo } from '../../shared/media';
import { KeyHint } from '../label/ShortcutsHelp';
import { type MediaViewStore, ZOOM_STEP } from './mediaView';

function Hint({ action, main }: { action: KeyActionId; main: boolean }) {
  return main ? <KeyHint action={action} /> : null;
}

export function MediaToolbar({
  item,
  file,
  view,
  main,
  frame,
  playing,
  showable,
}: {
  item: ItemMedia;
  file: MediaFileInfo;
  view: MediaViewStore;
  main: boolean;
  frame: number;
  playing: boolean;
  /** The file has something to show (else only the file buttons and its facts). */
  showable: boolean;
}) {
  const zoom = view((state) => state.zoom);
  const fitScale = view((state) => state.fitScale);
  const s = view.getState();
  const percent = Math.round((zoom === 'fit' ? fitScale : zoom) * 100);
  const seconds = file.durationS === null ? '' : ` · ${file.durationS.toFixed(1)} s`;
  return (
    <figcaption className="media-toolbar" data-testid="media-toolbar">
      {item.media.length > 1 && (
        <span className="media-files" role="group" aria-label="Media files of this item">
          <Hint action="mediaPreviousFile" main={main} />
          {item.media.map((m) => (
            <button
              key={m.position}
              tabIndex={-1}
              className={m.position === file.position ? 'current' : ''}
              aria-pressed={m.position === file.position}
              onClick={() => s.setPosition(m.position)}
              data-testid="media-file"
            >
              {m.position + 1} {m.kind}
            </button>
          ))}
          <Hint action="mediaNextFile" main={main} />
        </span>
      )}
      {showable && !playing && (
        <span className="media-zoom" role="group" aria-label="Zoom">
          <button tabIndex={-1} onClick={() => s.zoomBy(1 / ZOOM_STEP)} title="Zoom out" aria-label="Zoom out">
            <Hint action="mediaZoomOut" main={main} /> −
          </button>
          <button
            tabIndex={-1}
            onClick={() => s.fit()}
            title="Fit to the panel (or double-click the picture)"
            aria-pressed={zoom === 'fit'}
          >
            <Hint action="mediaFit" main={main} /> Fit
          </button>
          <button
            tabIndex={-1}
            onClick={() => s.zoomBy(ZOOM_STEP)}
            title="Zoom in (or Ctrl+wheel)"
            aria-label="Zoom in"
          >
            <Hint action="mediaZoomIn" main={main} /> +
          </button>
          <span className="media-scale" data-testid="media-scale">
            {zoom === 'fit' ? `fit ${percent}%` : `${percent}%`}
          </span>
        </span>
      )}
      {showable && file.kind === 'video' && (
        <span className="media-video-controls">
          <button tabIndex={-1} onClick={() => s.setPlaying(!playing)} data-testid="media-play">
            <Hint action="mediaPlay" main={main} /> {playing ? 'Keyframes' : 'Play'}
          </button>
          {!playing && (
            <span className="muted" data-testid="media-frame">
              <Hint action="mediaFramePrevious" main={main} /> keyframe {frame + 1} of {Math.max(1, file.frames)}{' '}
              <Hint action="mediaFrameNext" main={main} />
            </span>
          )}
        </span>
      )}
      <span className="muted media-facts">
        {file.format} {file.width}×{file.height}
        {seconds}
      </span>
    </figcaption>
  );
}
