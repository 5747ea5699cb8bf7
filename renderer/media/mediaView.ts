/**
 * How the main media panel of a screen is viewed: which of the item's files, the zoom, the keyframe, whether the
 * video plays. One panel at a time is the keyboard's (the labeling screen's, or the adjudication queue's item);
 * its keys (shared/keymap.ts, the media actions) reach it through `runMediaAction`. A new item starts fitted, at
 * its first file and first keyframe.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { KeyActionId } from '../../shared/keymap';
import type { MediaFileInfo } from '../../shared/media';

/** Zoom steps multiply the scale by this; the scale stays within [MIN_SCALE, MAX_SCALE] of the natural size. */
export const ZOOM_STEP = 1.25;
export const MIN_SCALE = 0.05;
export const MAX_SCALE = 8;

export interface MediaViewState {
  /** The item the view state belongs to (another item resets it). */
  contentId: string | null;
  /** The files the panel shows, as listed by the host (set by the panel when they are known). */
  files: MediaFileInfo[];
  position: number;
  /** 'fit': the picture fits the panel (and follows its size); a number: the scale against natural pixels. */
  zoom: 'fit' | number;
  /** The fitted scale, measured by the panel: where a zoom from 'fit' starts. */
  fitScale: number;
  frame: number;
  playing: boolean;
  show(contentId: string | null, files: MediaFileInfo[]): void;
  setFitScale(scale: number): void;
  zoomBy(factor: number): void;
  fit(): void;
  setFrame(frame: number): void;
  setPosition(position: number): void;
  setPlaying(playing: boolean): void;
}

const clampScale = (scale: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));

export type MediaViewStore = UseBoundStore<StoreApi<MediaViewState>>;

/** A panel's own view state (a preview in a list); the screen's main panel uses `useMediaView`. */
export const createMediaView = (): MediaViewStore =>
  create<MediaViewState>((set, get) => ({
    contentId: null,
    files: [],
    position: 0,
    zoom: 'fit',
    fitScale: 1,
    frame: 0,
    playing: false,
    show(contentId, files) {
      if (get().contentId === contentId) return set({ files });
      set({ contentId, files, position: files[0]?.position ?? 0, zoom: 'fit', frame: 0, playing: false });
    },
    setFitScale(fitScale) {
      if (fitScale > 0 && Number.isFinite(fitScale)) set({ fitScale });
    },
    zoomBy(factor) {
      const { zoom, fitScale } = get();
      set({ zoom: clampScale((zoom === 'fit' ? fitScale : zoom) * factor) });
    },
    fit() {
      set({ zoom: 'fit' });
    },
    setFrame(frame) {
      set({ frame, playing: false });
    },
    setPosition(position) {
      set({ position, zoom: 'fit', frame: 0, playing: false });
    },
    setPlaying(playing) {
      set({ playing });
    },
  }));

/** The screen's main panel: the one the media keys reach. */
export const useMediaView = createMediaView();

/** The file on view, or undefined when the item shows none. */
export function fileOnView(state: Pick<MediaViewState, 'files' | 'position'>): MediaFileInfo | undefined {
  return state.files.find((file) => file.position === state.position);
}

/**
 * Runs a media key on the screen's main panel. False when it does not apply (no media on view, a video key on a
 * picture): the key then does nothing and is not swallowed.
 */
export function runMediaAction(id: KeyActionId): boolean {
  const view = useMediaView.getState();
  const file = fileOnView(view);
  if (!view.contentId || !file) return false;
  if (id === 'mediaNextFile' || id === 'mediaPreviousFile') {
    const next = view.files[view.files.indexOf(file) + (id === 'mediaNextFile' ? 1 : -1)];
    if (!next) return false;
    view.setPosition(next.position);
    return true;
  }
  if (file.status !== 'ok') return false;
  switch (id) {
    case 'mediaZoomIn':
    case 'mediaZoomOut':
    case 'mediaFit':
      if (file.kind === 'video' && view.playing) return false;
      if (id === 'mediaFit') view.fit();
      else view.zoomBy(id === 'mediaZoomIn' ? ZOOM_STEP : 1 / ZOOM_STEP);
      return true;
    case 'mediaFrameNext':
    case 'mediaFramePrevious': {
      if (file.kind !== 'video') return false;
      const last = Math.max(0, file.frames - 1);
      view.setFrame(Math.max(0, Math.min(last, view.frame + (id === 'mediaFrameNext' ? 1 : -1))));
      return true;
    }
    case 'mediaPlay':
      if (file.kind !== 'video') return false;
      view.setPlaying(!view.playing);
      return true;
    default:
      return false;
  }
}
