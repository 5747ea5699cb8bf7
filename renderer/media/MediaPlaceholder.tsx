/** Why a file shows no picture: Sift's reason (a corrupt, truncated, oversized or purged file), never a broken image. */
export function MediaPlaceholder({ reason }: { reason: string }) {
  return (
    <div
      className="media-stage media-placeholder"
      role="img"
      aria-label={`Media not shown: ${reason}`}
      data-testid="media-placeholder"
    >
      <span className="media-placeholder-title">Media not shown</span>
      <span className="media-placeholder-reason">{reason}</span>
    </div>
  );
}
