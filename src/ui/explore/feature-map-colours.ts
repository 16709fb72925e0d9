/**
 * Colours for feature-map tiles: a 256-entry lookup table for the worker's uint8 tiles (0 = the scale's low
 * end, 255 = its high end). Signed values get a diverging map with 0 white (d3's RdBu, reversed: red
 * positive, blue negative); values ≥ 0 a sequential one (d3's inferno, dark = 0).
 */
import * as d3 from 'd3';

export type Lut = Uint8ClampedArray;

const luts = new Map<boolean, Lut>();

export function colourLut(diverging: boolean): Lut {
  const cached = luts.get(diverging);
  if (cached) return cached;
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const c = d3.rgb(diverging ? d3.interpolateRdBu(1 - t) : d3.interpolateInferno(t));
    lut.set([c.r, c.g, c.b, 255], i * 4);
  }
  luts.set(diverging, lut);
  return lut;
}

/** CSS colour of a position 0…1 on the scale (the legend's gradient). */
export function colourAt(diverging: boolean, t: number): string {
  return diverging ? d3.interpolateRdBu(1 - t) : d3.interpolateInferno(t);
}

/** RGBA pixels of tile `index` of a [tiles × h × w] uint8 array. */
export function tilePixels(tiles: Uint8Array, index: number, width: number, height: number, lut: Lut): Uint8ClampedArray<ArrayBuffer> {
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  const base = index * n;
  for (let i = 0; i < n; i++) {
    const q = tiles[base + i] * 4;
    out[i * 4] = lut[q];
    out[i * 4 + 1] = lut[q + 1];
    out[i * 4 + 2] = lut[q + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Screen size of a tile: small maps scaled up (pixelated) to at least `min` px, large ones kept. */
export function tileDisplaySize(width: number, height: number, min = 56): { width: number; height: number } {
  const k = Math.max(1, Math.ceil(min / Math.max(width, height)));
  return { width: width * k, height: height * k };
}

/** A number for the legend: 3 significant digits, no exponent for ordinary magnitudes. */
export function formatValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : Number(v.toPrecision(3)).toString();
}
