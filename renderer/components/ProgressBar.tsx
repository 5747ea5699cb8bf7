export function ProgressBar({ fraction, label }: { fraction: number | null; label?: string }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
      aria-label={label}
    >
      <div
        className={`progress-fill ${fraction === null ? 'indeterminate' : ''}`}
        style={fraction === null ? undefined : { width: `${Math.round(fraction * 100)}%` }}
      />
    </div>
  );
}
