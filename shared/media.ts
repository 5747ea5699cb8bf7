/**
 * Media of content items (issue 26): the one source of truth for what Sift accepts, how big the renditions it makes
 * are, and the shapes the registry, the contract and the UI share. The bytes themselves live under `.sift/media/`
 * (originals/<sha256>.<ext>, cache/<sha256>/), never reachable from user SQL; see docs/media.md.
 */

/** Image formats as sharp's metadata names them; anything else (SVG above all: sharp renders it) is refused. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif'] as const;
/** Video containers, as Sift names them after ffprobe (mp4 covers ffprobe's "mov,mp4,m4a,3gp,3g2,mj2"). */
export const VIDEO_FORMATS = ['mp4', 'webm'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export type VideoFormat = (typeof VIDEO_FORMATS)[number];
export type MediaFormat = ImageFormat | VideoFormat;
export type MediaKind = 'image' | 'video';

/** The extension an original is stored under (`originals/<sha256>.<ext>`), by format. */
export const MEDIA_EXTENSIONS: Record<MediaFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  mp4: 'mp4',
  webm: 'webm',
};

/** A decoded image (or video frame) larger than this many pixels is a decompression bomb: refused, never decoded. */
export const MAX_MEGAPIXELS = 50;
export const MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000;

/** The long side of each rendition, in pixels (never enlarged). */
export const THUMB_MAX_PX = 256;
export const DISPLAY_MAX_PX = 1280;
/** The shielded rendition: the display one reduced to this long side, blurred (sigma) and turned grey, on the server. */
export const SHIELD_MAX_PX = 320;
export const SHIELD_BLUR_SIGMA = 12;
/** A video yields this many keyframes, spread evenly over its duration (fewer when it is short). */
export const KEYFRAME_COUNT = 8;
/** The small video rendition: webm, this long side, at most this many seconds. */
export const VIDEO_RENDITION_MAX_PX = 480;
export const VIDEO_RENDITION_MAX_SECONDS = 60;

/** What media.get may ask for. `keyframe` takes `frame` (0-based, < the video's keyframes). */
export const MEDIA_RENDITIONS = ['thumb', 'display', 'keyframe', 'video'] as const;
export type MediaRendition = (typeof MEDIA_RENDITIONS)[number];

export type MediaStatus = 'ok' | 'error' | 'purged';

/** One registered file of an item, as the store's `media_files` holds it (never its path in the UI's hands). */
export interface MediaFileInfo {
  contentId: string;
  /** 0-based order of the file among the item's media (a list column gives several). */
  position: number;
  sha256: string;
  kind: MediaKind;
  format: MediaFormat;
  width: number;
  height: number;
  /** Keyframes a video yields (0 for an image). */
  frames: number;
  /** Seconds, for a video; null for an image. */
  durationS: number | null;
  bytes: number;
  status: MediaStatus;
  /** status error: the file and the problem, in words. */
  error: string | null;
}

/** What the viewer needs to show an item's media shielded or not (wellness and restricted fill `shield`). */
export interface MediaShieldFacts {
  /** Sensitive by the policy (shared/mediaShield.ts): shown blurred and grey until revealed. */
  sensitive: boolean;
  /** Why it is sensitive, in words ("labeled nsfw / csam"); null or absent when it is not. */
  because?: string | null;
  /** Whether this viewer may turn the blur off for this item. */
  mayUnblur: boolean;
  /** Restricted (a critical-severity leaf): only the shielded rendition is served until the owner approves. */
  restricted: boolean;
}

/** media.forItems: per item, its media and shield facts. */
export interface ItemMedia {
  contentId: string;
  media: MediaFileInfo[];
  shield: MediaShieldFacts;
}

/** media.get's answer: a derivative as base64 (one path for IPC and HTTP), or why there is none to show. */
export type MediaGetResult =
  | {
      status: 'ok';
      mime: string;
      dataBase64: string;
      width: number;
      height: number;
      /** The bytes are the server-side blurred+grey rendition, not the real picture. */
      shielded: boolean;
    }
  | { status: 'placeholder'; reason: string };

/** media.prepare's result: derivatives made (or found cached) and the files that got placeholders instead. */
export interface MediaPrepareResult {
  files: number;
  prepared: number;
  cached: number;
  failed: number;
  /** Each failed file's error, naming the file (at most 50). */
  errors: string[];
}

export function isImageFormat(format: string): format is ImageFormat {
  return (IMAGE_FORMATS as readonly string[]).includes(format);
}

export function isVideoFormat(format: string): format is VideoFormat {
  return (VIDEO_FORMATS as readonly string[]).includes(format);
}

/** The MIME type of a rendition's bytes: pictures as JPEG (transparency flattened on grey), the video as webm. */
export const RENDITION_MIME: Record<MediaRendition, string> = {
  thumb: 'image/jpeg',
  display: 'image/jpeg',
  keyframe: 'image/jpeg',
  video: 'video/webm',
};

/** A media-column cell as an export wrote it: one path, a list of paths, or a JSON list in a string. */
export function mediaPathsOf(cell: unknown): string[] {
  if (cell === null || cell === undefined) return [];
  if (Array.isArray(cell)) return cell.flatMap((value) => mediaPathsOf(value));
  const text = String(cell).trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.flatMap((value) => mediaPathsOf(value));
    } catch {
      // Not JSON: a path that starts with '['.
    }
  }
  return [text];
}
