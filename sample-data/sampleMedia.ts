/**
 * The sample's media: which items carry a file (decided as the rows are made, from a random stream of its own so no
 * other table shifts), then the files themselves — synthetic scenes encoded with sharp, a few short videos made
 * with ffmpeg, near-duplicate copies (resized, recompressed, cropped, watermarked, re-encoded) and the spam
 * campaign's promo banner reposted by every campaign account. Paths are relative to the sample folder, as an
 * export writes them. docs/media.md says which items get a file and why.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { perceptualHashOfImage } from '../electron/host/media/imageHash.js';
import { hammingDistance } from '../shared/perceptualHash.js';
import { Random } from '../shared/random.js';
import { campaignScene, drawScene, paint, type RawImage } from './mediaScenes.js';
import { encodeVideo, transcodeVideo, type VideoFormat } from './sampleVideos.js';
import type { TrueCategory } from './texts.js';

export const MEDIA_DIR = 'media';
/** Image items without an nsfw ground truth that get a file; the others keep their image_emb and have none. */
const IMAGE_FRACTION = 0.03;
/** How often a chosen image item reposts an earlier picture of the same kind instead of a new one. */
const REPOST_CHANCE = 0.08;
const VIDEO_CHANCE = 0.006;
const MAX_VIDEOS = 4;
/** Keeps a million-row sample's media bounded: past this many files, items get none (the campaign's are shared). */
const MAX_FILES = 2500;
const IMAGE_SIZE = { width: 256, height: 192 };
/**
 * A new picture must differ from every earlier one by more than this many pHash bits (else it is drawn again), so
 * the sample's only near-duplicates are the ones its ground truth lists: well clear of the clustering threshold
 * (10 bits, shared/mediaClusters.ts), as flat synthetic scenes otherwise now and then fall within it.
 */
const DISTINCT_BITS = 16;
/** A copy further than this from its source (a crop or mark on a flat picture) is made a recompressed one instead. */
const NEAR_COPY_BITS = 8;

type ImageFormat = 'jpeg' | 'webp' | 'png' | 'gif';
const EXTENSION: Record<ImageFormat | VideoFormat, string> = {
  jpeg: 'jpg',
  webp: 'webp',
  png: 'png',
  gif: 'gif',
  webm: 'webm',
  mp4: 'mp4',
};
/** Near-duplicate edits: each copy is made from the source file's bytes, so it carries a real generation loss. */
const COPY_EDITS = { exact: 20, resized: 20, recompressed: 20, cropped: 15, watermarked: 15, reencoded: 10 } as const;
type CopyEdit = keyof typeof COPY_EDITS;
const CAMPAIGN_EDITS = { exact: 70, resized: 8, recompressed: 8, cropped: 6, watermarked: 4, reencoded: 4 } as const;

type Picture =
  | { kind: 'image'; seed: number; palette: TrueCategory | 'campaign'; format: ImageFormat; portrait: boolean }
  | { kind: 'video'; seed: number; palette: TrueCategory; format: VideoFormat }
  | { kind: 'copy'; source: string; edit: Exclude<CopyEdit, 'exact'> };

/** files: the column and the files; paths: the column only (a quick check of the tables); none: no media. */
export type MediaMode = 'files' | 'paths' | 'none';

export interface MediaItem {
  contentId: string;
  contentType: string;
  truth: TrueCategory;
  isCampaign: boolean;
}

/** A near-duplicate group: the items that show one picture (or copies of it), for tests and the docs. */
interface Group {
  kind: 'campaign' | 'repost';
  source: string;
  files: Record<string, CopyEdit | 'original'>;
  content_ids: string[];
}

export class SampleMedia {
  private readonly rng: Random;
  /** path → how to make it, in the order the paths were first used. */
  private readonly pictures = new Map<string, Picture>();
  private readonly groups = new Map<string, Group>();
  private readonly originals: { path: string; truth: TrueCategory; kind: 'image' | 'video' }[] = [];
  private videos = 0;

  constructor(
    seed: number,
    private readonly mode: MediaMode = 'files',
  ) {
    // XOR with "medi": the media stream, apart from the generator's, so adding media moves no other row.
    this.rng = new Random((seed ^ 0x6d656469) >>> 0);
  }

  /** The item's media path, relative to the sample folder, or null. Called once per item, in item order. */
  plan(item: MediaItem): string | null {
    if (this.mode === 'none') return null;
    if (item.isCampaign) return this.campaignRepost(item.contentId);
    const draw = this.rng.next();
    if (this.pictures.size >= MAX_FILES) return null;
    if (item.contentType === 'image' && (item.truth === 'nsfw' || draw < IMAGE_FRACTION))
      return this.picture(item, 'image');
    if (item.contentType === 'video' && draw < VIDEO_CHANCE && this.videos < MAX_VIDEOS) {
      this.videos++;
      return this.picture(item, 'video');
    }
    return null;
  }

  private picture(item: MediaItem, kind: 'image' | 'video'): string {
    const earlier = this.originals.filter((original) => original.kind === kind && original.truth === item.truth);
    if (earlier.length > 0 && this.rng.chance(kind === 'video' ? 0.3 : REPOST_CHANCE)) {
      const source = this.rng.pick(earlier).path;
      const edit = kind === 'video' ? 'resized' : this.rng.weighted(COPY_EDITS);
      return this.copy(source, edit, item.contentId, 'repost');
    }
    const file = (format: ImageFormat | VideoFormat) => `${MEDIA_DIR}/${item.contentId}.${EXTENSION[format]}`;
    const seed = this.rng.int(1, 2 ** 31);
    let picture: Picture;
    if (kind === 'video') picture = { kind, seed, palette: item.truth, format: this.rng.chance(0.5) ? 'webm' : 'mp4' };
    else
      picture = {
        kind,
        seed,
        palette: item.truth,
        format: this.rng.weighted({ jpeg: 86, webp: 8, png: 5, gif: 1 }),
        portrait: this.rng.chance(0.2),
      };
    const at = file(picture.format);
    this.pictures.set(at, picture);
    this.originals.push({ path: at, truth: item.truth, kind });
    this.group(at, 'repost').content_ids.push(item.contentId);
    return at;
  }

  private campaignRepost(contentId: string): string {
    const banner = `${MEDIA_DIR}/campaign_banner.jpg`;
    if (!this.pictures.has(banner))
      this.pictures.set(banner, { kind: 'image', seed: 0, palette: 'campaign', format: 'jpeg', portrait: false });
    this.group(banner, 'campaign');
    return this.copy(banner, this.rng.weighted(CAMPAIGN_EDITS), contentId, 'campaign');
  }

  /** An item showing `source` again: the same file, or a near-duplicate file of its own. */
  private copy(source: string, edit: CopyEdit, contentId: string, kind: Group['kind']): string {
    const group = this.group(source, kind);
    group.content_ids.push(contentId);
    if (edit === 'exact') return source;
    const base = source.slice(0, source.lastIndexOf('.'));
    const extension = source.slice(source.lastIndexOf('.') + 1);
    const at =
      kind === 'campaign'
        ? `${base}_${edit}.${edit === 'reencoded' ? 'webp' : extension}`
        : `${MEDIA_DIR}/${contentId}.${edit === 'reencoded' ? 'webp' : source.endsWith('.webm') ? 'mp4' : source.endsWith('.mp4') ? 'webm' : 'jpg'}`;
    if (!this.pictures.has(at)) this.pictures.set(at, { kind: 'copy', source, edit });
    group.files[at] = edit;
    return at;
  }

  /** A copy's bytes, within NEAR_COPY_BITS of its source; the ground truth records the edit actually made. */
  private async nearCopy(out: string, at: string, copy: Extract<Picture, { kind: 'copy' }>): Promise<Buffer> {
    const source = fs.readFileSync(path.join(out, copy.source));
    const bytes = await editCopy(source, copy.edit, at);
    const distance = hammingDistance(await perceptualHashOfImage(source), await perceptualHashOfImage(bytes));
    if (distance <= NEAR_COPY_BITS) return bytes;
    this.groups.get(copy.source)!.files[at] = 'recompressed';
    return editCopy(source, 'recompressed', at);
  }

  private group(source: string, kind: Group['kind']): Group {
    let group = this.groups.get(source);
    if (!group) this.groups.set(source, (group = { kind, source, files: { [source]: 'original' }, content_ids: [] }));
    return group;
  }

  /** Writes every planned file under `<out>/media/` (replacing what was there) and the groups' ground truth. */
  async write(out: string): Promise<{ files: number; bytes: number }> {
    const dir = path.join(out, MEDIA_DIR);
    fs.rmSync(dir, { recursive: true, force: true });
    if (this.mode !== 'files') return { files: 0, bytes: 0 };
    fs.mkdirSync(dir, { recursive: true });
    // Two lanes: the images in this process, the videos in ffmpeg meanwhile; a copy always follows its source.
    const isVideo = (at: string) => /\.(webm|mp4)$/.test(at);
    const entries = [...this.pictures];
    const banner = { kind: 'image', seed: 0, palette: 'campaign', format: 'jpeg', portrait: false } as const;
    const hashes = [await perceptualHashOfImage(await encodeImage(banner))];
    const lane = async (videos: boolean) => {
      for (const [at, picture] of entries.filter(([at]) => isVideo(at) === videos)) await make(at, picture);
    };
    const make = async (at: string, picture: Picture) => {
      const target = path.join(out, at);
      if (picture.kind === 'video') await encodeVideo(drawScene(picture.seed, picture.palette), picture.format, target);
      else if (picture.kind === 'copy' && isVideo(at)) await transcodeVideo(path.join(out, picture.source), target);
      else if (picture.kind === 'copy') fs.writeFileSync(target, await this.nearCopy(out, at, picture));
      else fs.writeFileSync(target, await distinctImage(picture, hashes));
    };
    await Promise.all([lane(false), lane(true)]);
    const bytes = entries.reduce((sum, [at]) => sum + fs.statSync(path.join(out, at)).size, 0);
    const groups = [...this.groups.values()].filter((group) => group.content_ids.length >= 2);
    fs.writeFileSync(
      path.join(dir, 'ground_truth.json'),
      `${JSON.stringify({ files: this.pictures.size, bytes, near_duplicate_groups: groups }, null, 1)}\n`,
    );
    return { files: this.pictures.size, bytes };
  }
}

/** The picture, drawn again from a derived seed while it looks like an earlier one (the campaign banner is fixed). */
async function distinctImage(picture: Extract<Picture, { kind: 'image' }>, hashes: string[]): Promise<Buffer> {
  if (picture.palette === 'campaign') return encodeImage(picture);
  let bytes: Buffer = Buffer.alloc(0);
  for (let attempt = 0; attempt < 20; attempt++) {
    bytes = await encodeImage({ ...picture, seed: (picture.seed + attempt * 7919) >>> 0 });
    const hash = await perceptualHashOfImage(bytes);
    if (hashes.every((earlier) => hammingDistance(earlier, hash) > DISTINCT_BITS)) {
      hashes.push(hash);
      break;
    }
  }
  return bytes;
}

function encodeImage(picture: Extract<Picture, { kind: 'image' }>): Promise<Buffer> {
  const { width, height } = picture.portrait ? { width: 192, height: 256 } : IMAGE_SIZE;
  const scene = picture.palette === 'campaign' ? campaignScene() : drawScene(picture.seed, picture.palette);
  const image = sharpRaw(paint(scene, width, height));
  if (picture.format === 'webp') return image.webp({ quality: 70 }).toBuffer();
  if (picture.format === 'png') return image.png({ palette: true, colours: 32 }).toBuffer();
  if (picture.format === 'gif') return image.gif().toBuffer();
  return image.jpeg({ quality: 75 }).toBuffer();
}

export const sharpRaw = (image: RawImage) =>
  sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 3 } });

async function editCopy(source: Buffer, edit: Exclude<CopyEdit, 'exact'>, target: string): Promise<Buffer> {
  const image = sharp(source);
  const { width = 0, height = 0 } = await image.metadata();
  const encode = (edited: Sharp) =>
    target.endsWith('.webp') ? edited.webp({ quality: 60 }).toBuffer() : edited.jpeg({ quality: 75 }).toBuffer();
  if (edit === 'resized') return encode(image.resize(Math.round(width * 0.75), Math.round(height * 0.75)));
  if (edit === 'recompressed')
    return target.endsWith('.webp') ? image.webp({ quality: 30 }).toBuffer() : image.jpeg({ quality: 30 }).toBuffer();
  if (edit === 'cropped') {
    const insetX = Math.round(width * 0.02);
    const insetY = Math.round(height * 0.02);
    return encode(image.extract({ left: insetX, top: insetY, width: width - 2 * insetX, height: height - 2 * insetY }));
  }
  if (edit === 'watermarked') {
    // A text-free corner mark, the way a reposting account stamps its logo.
    const size = Math.round(Math.min(width, height) * 0.1);
    const mark = await sharp({
      create: { width: size, height: size, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0.4 } },
    })
      .png()
      .toBuffer();
    return encode(image.composite([{ input: mark, left: width - size - 4, top: height - size - 4 }]));
  }
  return encode(image);
}
