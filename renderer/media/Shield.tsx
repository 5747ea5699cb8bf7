/**
 * The wellness shield around any media (issue 26, item 3): its children are shown blurred and grey (the reviewer's
 * blur strength and grey setting, wellnessStore) until the reviewer holds the reveal key (the keymap's `reveal`
 * action, Space by default) or clicks; letting go, clicking again, Esc, moving to another item or leaving the window
 * shields them again. Sensitive items (the host's facts, shared/mediaShield.ts) are always shielded first; for
 * others the reviewer's blur-off preference shows them plain. Each reveal is reported as an interval; the host
 * counts those of sensitive items as exposure. Keyboard-only: with `global` the key works anywhere on the screen (the
 * one main panel, e.g. the labeling item); otherwise while the shield has the focus (Tab reaches it).
 *
 * Usage: <Shield contentId={id} facts={itemMedia.shield} global><MediaPanel … /></Shield>
 */
import {
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import { isShielded, type ShieldFacts, UNKNOWN_SHIELD_FACTS } from '../../shared/mediaShield';
import { chordOf, keyLabel } from '../../shared/keymap';
import { isTyping } from '../components/typing';
import { useKeymap } from '../label/keymapStore';
import { useWellness } from './wellnessStore';
import './shield.css';

export interface ShieldProps {
  /** The item whose media these are: reveals are reported against it, and a new item starts shielded. */
  contentId: string;
  /** The host's shield facts (media.forItems' `shield`); undefined while unknown: treated as sensitive. */
  facts: (Pick<ShieldFacts, 'sensitive'> & { because?: string | null }) | undefined;
  children: ReactNode;
  /** The held key reveals from anywhere on the page (the screen's main media), not only while focused. */
  global?: boolean;
  /** A thumbnail: no hint text over it. */
  compact?: boolean;
  /** Told when the media are revealed or shielded again (e.g. to pause a video). */
  onRevealChange?: (revealed: boolean) => void;
  className?: string;
}

export function Shield({
  contentId,
  facts,
  children,
  global = false,
  compact = false,
  onRevealChange,
  className,
}: ShieldProps) {
  const settings = useWellness((state) => state.settings);
  const revealKeys = useKeymap((state) => state.keymap.reveal);
  const known = facts ? { sensitive: facts.sensitive, because: facts.because ?? null } : UNKNOWN_SHIELD_FACTS;
  const [revealed, setRevealed] = useState(false);
  /** The reveal under way: when it started, and the key code holding it (null: a click). */
  const reveal = useRef<{ startedAt: string; code: string | null } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const changeRef = useRef(onRevealChange);
  changeRef.current = onRevealChange;

  const start = useCallback((code: string | null) => {
    if (reveal.current) return;
    reveal.current = { startedAt: new Date().toISOString(), code };
    setRevealed(true);
    changeRef.current?.(true);
  }, []);

  const end = useCallback((id: string) => {
    const started = reveal.current;
    if (!started) return;
    reveal.current = null;
    setRevealed(false);
    changeRef.current?.(false);
    // Every reveal is reported: the host judges sensitivity afresh (a label made a moment ago counts) and keeps only
    // those of sensitive items as exposure.
    useWellness
      .getState()
      .reportReveal({ contentId: id, startedAt: started.startedAt, endedAt: new Date().toISOString() });
  }, []);

  // Another item, or the shield going away, ends the reveal (reported against the item it was on).
  useEffect(() => () => end(contentId), [contentId, end]);

  const onKeyDown = useCallback(
    (event: KeyboardEvent | ReactKeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === 'Escape' && reveal.current) return end(contentId);
      if (!revealKeys.includes(chordOf(event))) return;
      event.preventDefault(); // Space would scroll the page
      if (!event.repeat) start(event.code);
    },
    [contentId, end, revealKeys, start],
  );
  const onKeyUp = useCallback(
    (event: KeyboardEvent | ReactKeyboardEvent) => {
      if (reveal.current?.code !== null && reveal.current?.code === event.code) end(contentId);
    },
    [contentId, end],
  );

  useEffect(() => {
    const hide = () => end(contentId);
    const onVisibility = () => document.visibilityState === 'hidden' && hide();
    window.addEventListener('blur', hide);
    document.addEventListener('visibilitychange', onVisibility);
    // The key-up always ends a held reveal, even after the focus moved away.
    window.addEventListener('keyup', onKeyUp);
    if (global) window.addEventListener('keydown', onKeyDown);
    return () => {
      window.removeEventListener('blur', hide);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('keyup', onKeyUp);
      if (global) window.removeEventListener('keydown', onKeyDown);
    };
  }, [contentId, end, global, onKeyDown, onKeyUp]);

  // Videos play muted when the reviewer asked so, whatever the child set.
  useEffect(() => {
    for (const video of box.current?.querySelectorAll('video') ?? []) video.muted = settings.mutedVideo;
  });

  const shielded = !revealed && isShielded(known, settings.blurOff);
  const filter = shielded ? `blur(${settings.blurPx}px)${settings.grey ? ' grayscale(1)' : ''}` : 'none';
  const keyName = revealKeys[0] ? keyLabel(revealKeys[0]) : null;
  return (
    <div
      ref={box}
      className={`shield ${shielded ? 'shielded' : 'plain'} ${compact ? 'compact' : ''} ${className ?? ''}`}
      data-testid="shield"
      data-content-id={contentId}
      data-shielded={shielded}
      data-sensitive={known.sensitive}
      tabIndex={global ? -1 : 0}
      role="group"
      aria-label={
        shielded ? `Media shielded${keyName ? `: hold ${keyName} or click to reveal` : ': click to reveal'}` : 'Media'
      }
      onKeyDown={global ? undefined : onKeyDown}
      onClick={(event) => {
        // Buttons inside (zoom, keyframes) keep their clicks; a click elsewhere reveals or shields again.
        if ((event.target as HTMLElement).closest('button, input, a, select')) return;
        if (reveal.current) end(contentId);
        else if (shielded) start(null);
      }}
    >
      <div className="shield-media" style={{ filter }}>
        {children}
      </div>
      {shielded && (
        <div className="shield-hint" data-testid="shield-hint">
          {keyName ? `Hold ${keyName} or click to reveal` : 'Click to reveal'}
          {known.sensitive && known.because && <span className="shield-because">sensitive: {known.because}</span>}
        </div>
      )}
    </div>
  );
}
