/**
 * Text-free synthetic scenes painted into raw RGB pixels: a two-colour gradient sky, sometimes a ground band, and a
 * few flat shapes. Each scene comes from its own seed, so a picture is the same whatever order it is painted in, and
 * the palette follows the item's hidden category so the sample's images differ by kind the way its texts do.
 */
import { Random } from '../shared/random.js';
import type { TrueCategory } from './texts.js';

export type Rgb = [number, number, number];

/** A picture as raw interleaved RGB, what sharp reads with `{ raw: { width, height, channels: 3 } }`. */
export interface RawImage {
  width: number;
  height: number;
  pixels: Buffer;
}

/** A scene's drawing instructions, so a video can move the same shapes frame by frame. */
export interface Scene {
  top: Rgb;
  bottom: Rgb;
  /** The sky gradient's direction, radians (0: top to bottom). */
  angle: number;
  ground: { color: Rgb; level: number } | null;
  shapes: Shape[];
}

export interface Shape {
  kind: 'ellipse' | 'rect' | 'triangle';
  color: Rgb;
  /** Centre and half-size, as fractions of the picture's width and height. */
  x: number;
  y: number;
  rx: number;
  ry: number;
}

/** Hue (degrees), saturation and value (0–1) ranges per palette; spam is loud, nsfw warm and skin-toned. */
const PALETTES: Record<
  TrueCategory | 'campaign',
  { hue: [number, number]; sat: [number, number]; val: [number, number] }
> = {
  none: { hue: [0, 360], sat: [0.25, 0.75], val: [0.45, 0.95] },
  nsfw: { hue: [5, 35], sat: [0.2, 0.55], val: [0.6, 0.98] },
  spam: { hue: [280, 420], sat: [0.8, 1], val: [0.85, 1] },
  hate_speech: { hue: [340, 380], sat: [0.5, 0.9], val: [0.15, 0.6] },
  misinformation: { hue: [190, 240], sat: [0.1, 0.45], val: [0.4, 0.85] },
  campaign: { hue: [290, 330], sat: [0.9, 1], val: [0.9, 1] },
};

function hsv(hue: number, sat: number, val: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 60;
  const c = val * sat;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = val - c;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

const between = (rng: Random, [low, high]: [number, number]) => low + rng.next() * (high - low);

/** A scene for one picture; `palette` is the item's hidden category, or the spam campaign's banner. */
export function drawScene(seed: number, palette: TrueCategory | 'campaign'): Scene {
  const rng = new Random(seed);
  const range = PALETTES[palette];
  const color = () => hsv(between(rng, range.hue), between(rng, range.sat), between(rng, range.val));
  const scene: Scene = {
    top: color(),
    bottom: color(),
    angle: rng.next() * 2 * Math.PI,
    ground: rng.chance(0.5) ? { color: color(), level: 0.55 + rng.next() * 0.3 } : null,
    shapes: [],
  };
  for (let count = rng.int(3, 7); count > 0; count--) {
    scene.shapes.push({
      kind: rng.pick(['ellipse', 'rect', 'triangle'] as const),
      color: color(),
      x: rng.next(),
      y: rng.next(),
      rx: 0.06 + rng.next() * 0.22,
      ry: 0.06 + rng.next() * 0.22,
    });
  }
  return scene;
}

/** The spam campaign's promo banner: loud stripes and a big round "logo", the same for every seed of the sample. */
export function campaignScene(): Scene {
  const scene = drawScene(0xb005f, 'campaign');
  scene.shapes = [
    { kind: 'rect', color: [255, 214, 0], x: 0.5, y: 0.18, rx: 0.5, ry: 0.07 },
    { kind: 'rect', color: [255, 214, 0], x: 0.5, y: 0.82, rx: 0.5, ry: 0.07 },
    { kind: 'ellipse', color: [255, 255, 255], x: 0.3, y: 0.5, rx: 0.17, ry: 0.22 },
    { kind: 'ellipse', color: [40, 10, 90], x: 0.3, y: 0.5, rx: 0.09, ry: 0.12 },
    { kind: 'triangle', color: [0, 230, 120], x: 0.72, y: 0.5, rx: 0.16, ry: 0.2 },
  ];
  return scene;
}

function inside(kind: Shape['kind'], dx: number, dy: number): boolean {
  if (kind === 'ellipse') return dx * dx + dy * dy <= 1;
  if (kind === 'rect') return Math.abs(dx) <= 1 && Math.abs(dy) <= 1;
  // An upward triangle: apex at the top centre, base along the bottom edge of the box.
  return dy >= -1 && dy <= 1 && Math.abs(dx) <= (dy + 1) / 2;
}

/** Paints a scene at the given size; `shift` moves every shape (fractions of the picture) for a video's frames. */
export function paint(
  scene: Scene,
  width: number,
  height: number,
  shift: (index: number) => [number, number] = () => [0, 0],
): RawImage {
  const pixels = Buffer.alloc(width * height * 3);
  const set = (at: number, color: Rgb) => {
    pixels[at] = color[0];
    pixels[at + 1] = color[1];
    pixels[at + 2] = color[2];
  };
  // The sky: position along the gradient's direction, 0 to 1 across the picture whatever the angle.
  const [dx, dy] = [Math.sin(scene.angle), Math.cos(scene.angle)];
  const span = Math.abs(dx) + Math.abs(dy);
  const { top, bottom, ground } = scene;
  for (let row = 0; row < height; row++) {
    const v = (row + 0.5) / height;
    for (let col = 0; col < width; col++) {
      const at = (row * width + col) * 3;
      if (ground && v >= ground.level) {
        set(at, ground.color);
        continue;
      }
      const along = ((col + 0.5) / width - 0.5) * dx + (v - 0.5) * dy;
      const t = along / span + 0.5;
      for (let c = 0; c < 3; c++) pixels[at + c] = Math.round(top[c]! + (bottom[c]! - top[c]!) * t);
    }
  }
  // The shapes, in order, each over its own bounding box only.
  scene.shapes.forEach((shape, index) => {
    const [sx, sy] = shift(index);
    const x = shape.x + sx;
    const y = shape.y + sy;
    const rowFrom = Math.max(0, Math.floor((y - shape.ry) * height));
    const rowTo = Math.min(height - 1, Math.ceil((y + shape.ry) * height));
    const colFrom = Math.max(0, Math.floor((x - shape.rx) * width));
    const colTo = Math.min(width - 1, Math.ceil((x + shape.rx) * width));
    for (let row = rowFrom; row <= rowTo; row++) {
      const ny = ((row + 0.5) / height - y) / shape.ry;
      for (let col = colFrom; col <= colTo; col++)
        if (inside(shape.kind, ((col + 0.5) / width - x) / shape.rx, ny)) set((row * width + col) * 3, shape.color);
    }
  });
  return { width, height, pixels };
}
