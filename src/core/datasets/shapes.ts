/**
 * A procedurally generated 10-class image set: 5 shapes × 2 fills (solid / outline), drawn at a random position,
 * size and rotation in a random colour on a random background, with clutter strokes and pixel noise. Colour
 * carries no class information, so a network must learn shape and fill from edges — hard enough at 16×16 that
 * depth matters. Deterministic for a seed, pure TypeScript (runs in the worker, Node and tests).
 */
import { Prng } from './prng';

export const SHAPES = ['circle', 'square', 'triangle', 'plus', 'star'] as const;
export const FILLS = ['solid', 'outline'] as const;
export type ShapeKind = (typeof SHAPES)[number];
export type FillKind = (typeof FILLS)[number];

/** Class k = shape ⌊k/2⌋ with fill k mod 2. */
export const SHAPE_CLASSES: readonly string[] = SHAPES.flatMap((s) => FILLS.map((f) => `${f} ${s}`));

export interface ImageSet {
  /** N × size × size × 3, channels last, values in [0, 1]. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
  readonly count: number;
  readonly classes: readonly string[];
}

export interface ShapeSetOptions {
  readonly count: number;
  readonly size: number;
  readonly seed: number;
  /** Std of the Gaussian pixel noise (0…1 scale). */
  readonly noise?: number;
  /** Number of clutter strokes per image, drawn uniformly from 0…clutter. */
  readonly clutter?: number;
}

type Inside = (x: number, y: number) => boolean;

/** Point-in-shape tests in the shape's own frame (unit radius, centred at 0). */
function solid(kind: ShapeKind): Inside {
  switch (kind) {
    case 'circle':
      return (x, y) => x * x + y * y <= 1;
    case 'square':
      return (x, y) => Math.abs(x) <= 0.8 && Math.abs(y) <= 0.8;
    case 'triangle':
      // Equilateral, inscribed in the unit circle: apex (0, 1), base corners (±√3/2, −½).
      return (x, y) => y >= -0.5 && y <= 1 - Math.sqrt(3) * Math.abs(x);
    case 'plus':
      return (x, y) => (Math.abs(x) <= 0.3 && Math.abs(y) <= 1) || (Math.abs(y) <= 0.3 && Math.abs(x) <= 1);
    case 'star': {
      // Five-pointed star: radius between 0.45 and 1 by angle.
      return (x, y) => {
        const r = Math.hypot(x, y);
        const a = Math.atan2(y, x) + Math.PI / 2;
        const k = (((a / ((2 * Math.PI) / 5)) % 1) + 1) % 1; // position within one point, 0…1
        const edge = 0.45 + 0.55 * Math.abs(1 - 2 * k) ** 1.5;
        return r <= edge;
      };
    }
  }
}

/** Outline: inside the shape but not inside the shape shrunk by a stroke of `w` (in shape units). */
function outline(kind: ShapeKind, w: number): Inside {
  const s = solid(kind);
  const k = 1 / (1 - w);
  return (x, y) => s(x, y) && !s(x * k, y * k);
}

function randomColour(rng: Prng): [number, number, number] {
  return [rng.next(), rng.next(), rng.next()];
}

function luminance(c: readonly number[]): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

/** Draw a coverage-weighted shape (4×4 supersampling) into an RGB image. */
function paint(img: Float32Array, size: number, offset: number, inside: Inside, cx: number, cy: number, r: number, rot: number, colour: readonly number[]): void {
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const x0 = Math.max(0, Math.floor(cx - r - 1));
  const x1 = Math.min(size - 1, Math.ceil(cx + r + 1));
  const y0 = Math.max(0, Math.floor(cy - r - 1));
  const y1 = Math.min(size - 1, Math.ceil(cy + r + 1));
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const dx = (px + (sx + 0.5) / 4 - cx) / r;
          const dy = (py + (sy + 0.5) / 4 - cy) / r;
          // Rotate into the shape frame; y grows downward in images, the shapes are defined y-up.
          const u = cos * dx + sin * dy;
          const v = -(-sin * dx + cos * dy);
          if (inside(u, v)) hits++;
        }
      }
      if (hits === 0) continue;
      const a = hits / 16;
      const o = offset + (py * size + px) * 3;
      for (let c = 0; c < 3; c++) img[o + c] = img[o + c] * (1 - a) + colour[c] * a;
    }
  }
}

/** A clutter stroke: an anti-aliased line segment of random colour and width. */
function stroke(img: Float32Array, size: number, offset: number, rng: Prng): void {
  const ax = rng.uniform(0, size);
  const ay = rng.uniform(0, size);
  const len = rng.uniform(0.2, 0.6) * size;
  const ang = rng.uniform(0, Math.PI);
  const bx = ax + len * Math.cos(ang);
  const by = ay + len * Math.sin(ang);
  const halfW = rng.uniform(0.3, 0.7);
  const colour = randomColour(rng);
  const vx = bx - ax;
  const vy = by - ay;
  const l2 = vx * vx + vy * vy;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const qx = px + 0.5 - ax;
      const qy = py + 0.5 - ay;
      const t = Math.max(0, Math.min(1, (qx * vx + qy * vy) / l2));
      const d = Math.hypot(qx - t * vx, qy - t * vy);
      const a = Math.max(0, Math.min(1, halfW + 0.5 - d));
      if (a <= 0) continue;
      const o = offset + (py * size + px) * 3;
      for (let c = 0; c < 3; c++) img[o + c] = img[o + c] * (1 - a) + colour[c] * a;
    }
  }
}

/** Generate the set. Labels are balanced (cycled) and the order is shuffled. */
export function generateShapeSet(opts: ShapeSetOptions): ImageSet {
  const { count, size, seed } = opts;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer; received ${count}`);
  if (!Number.isInteger(size) || size < 8 || size > 256) throw new RangeError(`size must be an integer in 8…256; received ${size}`);
  const noise = opts.noise ?? 0.06;
  const clutter = opts.clutter ?? 2;
  const rng = new Prng(seed);
  const images = new Float32Array(count * size * size * 3);
  const labels = new Int32Array(count);
  const order = rng.permutation(count);
  for (let n = 0; n < count; n++) {
    const label = order[n] % SHAPE_CLASSES.length;
    labels[n] = label;
    const kind = SHAPES[label >> 1];
    const fill = FILLS[label & 1];
    const offset = n * size * size * 3;
    // Background: a random colour with a linear gradient.
    const bg = randomColour(rng);
    const gx = rng.uniform(-0.2, 0.2);
    const gy = rng.uniform(-0.2, 0.2);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = offset + (y * size + x) * 3;
        const g = gx * (x / size - 0.5) + gy * (y / size - 0.5);
        for (let c = 0; c < 3; c++) img(images, o + c, bg[c] + g);
      }
    }
    const strokes = rng.int(clutter + 1);
    const before = rng.int(strokes + 1); // some clutter behind the shape, the rest over it
    for (let k = 0; k < before; k++) stroke(images, size, offset, rng);
    // Foreground: any colour whose luminance differs enough from the background's to stay visible.
    let fg = randomColour(rng);
    for (let tries = 0; tries < 20 && Math.abs(luminance(fg) - luminance(bg)) < 0.25; tries++) fg = randomColour(rng);
    const r = rng.uniform(0.25, 0.42) * size;
    const cx = rng.uniform(r * 0.8, size - r * 0.8);
    const cy = rng.uniform(r * 0.8, size - r * 0.8);
    const rot = rng.uniform(0, 2 * Math.PI);
    // Outline stroke ≈ 1.3 px whatever the size.
    const inside = fill === 'solid' ? solid(kind) : outline(kind, Math.min(0.6, 1.3 / r + 0.1));
    paint(images, size, offset, inside, cx, cy, r, rot, fg);
    for (let k = before; k < strokes; k++) stroke(images, size, offset, rng);
    for (let i = 0; i < size * size * 3; i++) img(images, offset + i, images[offset + i] + noise * rng.normal());
  }
  return { images, labels, size, count, classes: SHAPE_CLASSES };
}

function img(a: Float32Array, i: number, v: number): void {
  a[i] = Math.min(1, Math.max(0, v));
}

/** Per-class counts (for tests and the UI). */
export function classCounts(set: ImageSet): number[] {
  const out = new Array<number>(set.classes.length).fill(0);
  for (const l of set.labels) out[l]++;
  return out;
}
