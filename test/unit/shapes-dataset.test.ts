import { describe, expect, it } from 'vitest';
import { classCounts, generateShapeSet, Prng, SHAPE_CLASSES } from '../../src/core/datasets';

describe('generated shapes set', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateShapeSet({ count: 50, size: 16, seed: 4 });
    const b = generateShapeSet({ count: 50, size: 16, seed: 4 });
    const c = generateShapeSet({ count: 50, size: 16, seed: 5 });
    expect(a.images).toEqual(b.images);
    expect(a.labels).toEqual(b.labels);
    expect(a.images).not.toEqual(c.images);
  });

  it('has 10 balanced classes (5 shapes × 2 fills) and pixels in [0, 1]', () => {
    const set = generateShapeSet({ count: 200, size: 16, seed: 1 });
    expect(set.classes).toEqual(SHAPE_CLASSES);
    expect(SHAPE_CLASSES).toHaveLength(10);
    expect(classCounts(set)).toEqual(new Array(10).fill(20));
    expect(set.images.length).toBe(200 * 16 * 16 * 3);
    expect(set.images.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('colour carries no class: mean pixel colour per class is the same within noise', () => {
    const set = generateShapeSet({ count: 2000, size: 16, seed: 2 });
    const px = 16 * 16;
    const means = Array.from({ length: 10 }, () => [0, 0, 0]);
    const counts = classCounts(set);
    for (let n = 0; n < set.count; n++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let i = 0; i < px; i++) s += set.images[(n * px + i) * 3 + c];
        means[set.labels[n]][c] += s / px / counts[set.labels[n]];
      }
    }
    // Per-image mean colour has std ≈ 0.28 (uniform backgrounds); over 200 images per class ≈ 0.02.
    for (const m of means) for (let c = 0; c < 3; c++) expect(Math.abs(m[c] - means[0][c])).toBeLessThan(0.1);
  });

  it('the shape is drawn: solid shapes cover more pixels than outlines of the same kind', () => {
    // Drawn without noise or clutter, count pixels that differ from the image's corner (background) colour.
    const set = generateShapeSet({ count: 400, size: 24, seed: 3, noise: 0, clutter: 0 });
    const px = 24 * 24;
    const area = new Array(10).fill(0);
    for (let n = 0; n < set.count; n++) {
      const o = n * px * 3;
      let changed = 0;
      for (let i = 0; i < px; i++) {
        const d = Math.abs(set.images[o + i * 3] - set.images[o]) + Math.abs(set.images[o + i * 3 + 1] - set.images[o + 1]);
        if (d > 0.3) changed++;
      }
      area[set.labels[n]] += changed;
    }
    for (let s = 0; s < 5; s++) expect(area[2 * s]).toBeGreaterThan(area[2 * s + 1] * 1.3);
  });

  it('rejects bad sizes with the value received', () => {
    expect(() => generateShapeSet({ count: 0, size: 16, seed: 1 })).toThrow(/received 0/);
    expect(() => generateShapeSet({ count: 5, size: 4, seed: 1 })).toThrow(/received 4/);
  });

  it('the PRNG is uniform and seeded', () => {
    const r = new Prng(9);
    let s = 0;
    for (let i = 0; i < 10_000; i++) s += r.next();
    expect(s / 10_000).toBeGreaterThan(0.48);
    expect(s / 10_000).toBeLessThan(0.52);
    expect(new Prng(9).next()).toBe(new Prng(9).next());
    expect(Array.from(new Prng(1).permutation(10)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
