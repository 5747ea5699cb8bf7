/**
 * A video as Sift shows it: its keyframes in a strip (the one on view marked; a click or the frame keys move it)
 * and, when asked, its small webm rendition playing (muted unless the reviewer's wellness settings say otherwise).
 */
import type { MediaFileInfo } from '../../shared/media';
import { useRendition } from './useMedia';
import { useWellness } from './wellnessStore';
import { MediaPlaceholder } from './MediaPlaceholder';

export function KeyframeStrip({
  contentId,
  file,
  frame,
  onPick,
}: {
  contentId: string;
  file: MediaFileInfo;
  frame: number;
  onPick(frame: number): void;
}) {
  const frames = Math.max(1, file.frames);
  return (
    <ol className="media-strip" data-testid="media-strip" aria-label="Keyframes">
      {Array.from({ length: frames }, (_, i) => (
        <li key={i}>
          <button
            tabIndex={-1}
            className={i === frame ? 'current' : ''}
            aria-current={i === frame}
            title={`Keyframe ${i + 1} of ${frames}${file.durationS ? ` (≈ ${((file.durationS * i) / frames).toFixed(1)} s)` : ''}`}
            onClick={() => onPick(i)}
            data-testid="media-keyframe"
          >
            <StripFrame contentId={contentId} position={file.position} frame={i} />
          </button>
        </li>
      ))}
    </ol>
  );
}

function StripFrame({ contentId, position, frame }: { contentId: string; position: number; frame: number }) {
  // After the frame on view: the strip fills in behind it.
  const picture = useRendition({ contentId, position, rendition: 'keyframe', frame }, 'ahead');
  if (picture === null) return <span className="media-strip-empty" />;
  if (picture.status === 'placeholder') return <span className="media-strip-empty" title={picture.reason} />;
  return <img src={picture.url} alt="" draggable={false} />;
}

export function VideoPlayer({ contentId, position }: { contentId: string; position: number }) {
  const muted = useWellness((state) => state.settings.mutedVideo);
  const video = useRendition({ contentId, position, rendition: 'video' });
  if (video === null)
    return (
      <div className="media-stage media-loading" aria-busy="true" data-testid="media-loading">
        Loading the video…
      </div>
    );
  if (video.status === 'placeholder') return <MediaPlaceholder reason={video.reason} />;
  return (
    <div className="media-stage fitted">
      <video src={video.url} controls autoPlay muted={muted} playsInline data-testid="media-video" />
    </div>
  );
}
