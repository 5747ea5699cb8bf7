/**
 * The reviewer's wellness controls on the labeling screen: a button showing today's exposure that opens her shield
 * settings (blur strength, grey, muted video, blur off for items that are not sensitive, a break reminder), and the
 * break reminder itself once her day's exposure reaches it. Keyboard-only: Tab reaches the button, Esc closes.
 */
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { BLUR_PX, BREAK_MINUTES, exposureText } from '../../shared/wellness';
import { useWellness } from './wellnessStore';
import './shield.css';

/** Keeps the wellness store on this reviewer (the labeling screen's annotator). */
export function useWellnessFor(annotator: string) {
  useEffect(() => {
    void useWellness.getState().load(annotator);
  }, [annotator]);
}

export function WellnessButton({ annotator }: { annotator: string }) {
  useWellnessFor(annotator);
  const exposure = useWellness((state) => state.exposureTodayMs);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        onClick={() => setOpen(true)}
        onKeyDown={(event) => {
          // The labeling screen's keys (Enter submits, Space reveals) listen on the window: this button keeps its own.
          if (event.key !== 'Enter' && event.key !== ' ') return;
          event.preventDefault();
          event.stopPropagation();
          setOpen(true);
        }}
        title="Your media shield settings, and your exposure to sensitive media today"
        data-testid="wellness-button"
      >
        Wellness · {exposureText(exposure)} today
      </button>
      {/* On the body: the screen's header contains its layout, which would clip a fixed backdrop. */}
      {open && createPortal(<WellnessDialog onClose={() => setOpen(false)} />, document.body)}
    </>
  );
}

function WellnessDialog({ onClose }: { onClose(): void }) {
  const { settings, notice, change, annotator } = useWellness();
  const dialog = useRef<HTMLDivElement>(null);
  const [minutes, setMinutes] = useState(String(settings.breakAfterMinutes ?? 30));
  useEffect(() => dialog.current?.querySelector<HTMLElement>('input')?.focus(), []);
  return (
    <div
      className="modal-backdrop"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        event.stopPropagation();
        onClose();
      }}
    >
      <div
        className="modal wellness-dialog"
        role="dialog"
        aria-label="Wellness settings"
        ref={dialog}
        data-testid="wellness-dialog"
      >
        <div className="modal-head">
          <h2>Wellness settings for {annotator || 'this reviewer'}</h2>
          <button onClick={onClose} data-testid="wellness-close">
            Close (Esc)
          </button>
        </div>
        <div className="modal-body wellness-form">
          <label>
            Blur strength <strong>{settings.blurPx} px</strong>
            <input
              type="range"
              min={BLUR_PX.min}
              max={BLUR_PX.max}
              step={2}
              value={settings.blurPx}
              onChange={(event) => void change({ blurPx: Number(event.target.value) })}
              data-testid="wellness-blur"
            />
          </label>
          <label className="toggle">
            <input
              type="checkbox"
              checked={settings.grey}
              onChange={(event) => void change({ grey: event.target.checked })}
              data-testid="wellness-grey"
            />{' '}
            grey until revealed
          </label>
          <label className="toggle">
            <input
              type="checkbox"
              checked={settings.mutedVideo}
              onChange={(event) => void change({ mutedVideo: event.target.checked })}
              data-testid="wellness-muted"
            />{' '}
            videos muted
          </label>
          <label className="toggle">
            <input
              type="checkbox"
              checked={settings.blurOff}
              onChange={(event) => void change({ blurOff: event.target.checked })}
              data-testid="wellness-blur-off"
            />{' '}
            show media unblurred — only items that are not sensitive; sensitive ones (labeled or scored in nsfw, csam,
            graphic violence or what the policy marks) stay shielded
          </label>
          <div className="form-row">
            <label className="toggle">
              <input
                type="checkbox"
                checked={settings.breakAfterMinutes !== null}
                onChange={(event) =>
                  void change({ breakAfterMinutes: event.target.checked ? Number(minutes) || 30 : null })
                }
                data-testid="wellness-break"
              />{' '}
              remind me to take a break after
            </label>
            <input
              type="number"
              min={BREAK_MINUTES.min}
              max={BREAK_MINUTES.max}
              value={minutes}
              onChange={(event) => setMinutes(event.target.value)}
              onBlur={() => settings.breakAfterMinutes !== null && void change({ breakAfterMinutes: Number(minutes) })}
              className="wellness-minutes"
              data-testid="wellness-break-minutes"
            />
            <span>minutes of sensitive media a day</span>
          </div>
          {notice && (
            <div className={notice.refused ? 'error-text' : 'muted'} role="status" data-testid="wellness-notice">
              {notice.text}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

/** Shown once the day's exposure reaches the reviewer's reminder, until she puts it aside. */
export function BreakReminder() {
  const { breakDue, breakDismissed, exposureTodayMs, settings, dismissBreak } = useWellness();
  if (!breakDue || breakDismissed) return null;
  return (
    <div className="wellness-break" role="alert" data-testid="break-reminder">
      You have spent {exposureText(exposureTodayMs)} on sensitive media today (your reminder:{' '}
      {settings.breakAfterMinutes} min). Consider a break — step away, look at something else.{' '}
      <button onClick={dismissBreak} data-testid="break-dismiss">
        Later
      </button>
    </div>
  );
}
