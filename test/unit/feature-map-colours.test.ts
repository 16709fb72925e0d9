/** Feature-map colours (src/ui/explore/feature-map-colours.ts): the LUT's ends and middle, tile pixels, sizes. */
import { describe, expect, it } from 'vitest';
import { colourLut, formatValue, tileDisplaySize, tilePixels } from '../../src/ui/explore/feature-map-colours';

const rgb = (lut: Uint8ClampedArray, i: number) => Array.from(lut.slice(i * 4, i * 4 + 3));

describe('feature-map colours', () => {
  it('diverging: blue at 0, near-white in the middle, red at 255; sequential: dark at 0, bright at 255', () => {
    const d = colourLut(true);
    const [r0, , b0] = rgb(d, 0);
    const [r1, , b1] = rgb(d, 255);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    expect(Math.min(...rgb(d, 128))).toBeGreaterThan(230);
    const s = colourLut(false);
    const sum = (c: number[]) => c[0] + c[1] + c[2];
    expect(sum(rgb(s, 0))).toBeLessThan(30);
    expect(sum(rgb(s, 255))).toBeGreaterThan(600);
  });
  it('tilePixels reads tile `index` of a [tiles × h × w] array through the LUT, opaque', () => {
    const lut = colourLut(false);
    const tiles = Uint8Array.of(0, 0, 0, 0, 255, 0, 0, 9);
    const px = tilePixels(tiles, 1, 2, 2, lut);
    expect(px).toHaveLength(16);
    expect(Array.from(px.slice(0, 4))).toEqual([...rgb(lut, 255), 255]);
    expect(Array.from(px.slice(12, 16))).toEqual([...rgb(lut, 9), 255]);
  });
  it('small tiles are scaled up by whole factors; numbers get 3 significant digits', () => {
    expect(tileDisplaySize(7, 7)).toEqual({ width: 56, height: 56 });
    expect(tileDisplaySize(56, 56)).toEqual({ width: 56, height: 56 });
    expect(tileDisplaySize(1, 1, 112)).toEqual({ width: 112, height: 112 });
    expect([formatValue(5.8512), formatValue(-15.07), formatValue(0), formatValue(123456)]).toEqual(['5.85', '-15.1', '0', '1.23e+5']);
  });
});
