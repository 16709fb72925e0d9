/** Confusion matrix, row normalisation, precision/recall with 0/0 → null, top-k, and hygiene (duplicates, warnings, grouped split). */
import { describe, expect, it } from 'vitest';
import { classWarnings, fnv1a64, hygieneReport } from '../../src/core/finetune-hygiene';
import { accuracyOf, confusionMatrix, perClassMetrics, rowNormalised, topK } from '../../src/core/finetune-metrics';
import { splitIndices } from '../../src/tf/finetune';

describe('fine-tune metrics', () => {
  it('confusion matrix: rows true, columns predicted; sums to the number of images', () => {
    const labels = [0, 0, 0, 1, 1, 2];
    const pred = [0, 1, 0, 1, 1, 1];
    const m = confusionMatrix(labels, pred, 3);
    expect(m).toEqual([
      [2, 1, 0],
      [0, 2, 0],
      [0, 1, 0],
    ]);
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(labels.length);
    expect(accuracyOf(m)).toBeCloseTo(4 / 6, 12);
    expect(rowNormalised(m)[0]).toEqual([2 / 3, 1 / 3, 0]);
    const pc = perClassMetrics(m);
    expect(pc[0]).toEqual({ precision: 1, recall: 2 / 3, support: 3 });
    expect(pc[1]).toEqual({ precision: 2 / 4, recall: 1, support: 2 });
    // Class 2 is never predicted: precision 0/0 is null; its recall 0/1 is 0.
    expect(pc[2]).toEqual({ precision: null, recall: 0, support: 1 });
  });

  it('a class with no validation image: null recall and a null row; empty matrix: null accuracy', () => {
    const m = confusionMatrix([0, 1], [0, 0], 3);
    expect(perClassMetrics(m)[2]).toEqual({ precision: null, recall: null, support: 0 });
    expect(rowNormalised(m)[2]).toEqual([null, null, null]);
    expect(accuracyOf(confusionMatrix([], [], 2))).toBeNull();
  });

  it('rejects bad input naming the value', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/label 3 at position 1 is not a class index in 0…2/);
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(/1 labels but 2 predictions/);
  });

  it('top-k: most probable first, ties by lower index', () => {
    expect(topK([0.1, 0.5, 0.2, 0.2], 3)).toEqual([
      { index: 1, probability: 0.5 },
      { index: 2, probability: 0.2 },
      { index: 3, probability: 0.2 },
    ]);
  });
});

describe('fine-tune data hygiene', () => {
  it('FNV-1a 64 matches the published test vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(fnv1a64(enc(''))).toBe('cbf29ce484222325');
    expect(fnv1a64(enc('a'))).toBe('af63dc4c8601ec8c');
    expect(fnv1a64(enc('foobar'))).toBe('85944171f73967e8');
  });

  it('finds identical files, flags copies split across training/validation and across classes', () => {
    const items = [
      { name: 'cat/a.jpg', label: 0, key: 'k1' },
      { name: 'cat/b.jpg', label: 0, key: 'k1' },
      { name: 'cat/c.jpg', label: 0, key: 'k2' },
      { name: 'dog/d.jpg', label: 1, key: 'k2' },
      { name: 'dog/e.jpg', label: 1, key: 'k3' },
    ];
    const r = hygieneReport(['cat', 'dog'], items, (i) => i === 1);
    expect(r.duplicates.map((d) => d.names)).toEqual([
      ['cat/a.jpg', 'cat/b.jpg'],
      ['cat/c.jpg', 'dog/d.jpg'],
    ]);
    expect(r.duplicates[0].sides).toEqual(['train', 'val']);
    expect(r.warnings.join('\n')).toMatch(/identical files in "cat": cat\/a\.jpg, cat\/b\.jpg — split across training and validation/);
    expect(r.warnings.join('\n')).toMatch(/the same file is in "cat" and "dog": cat\/c\.jpg, dog\/d\.jpg/);
  });

  it('warns about tiny (< 5) and unbalanced (≥ 3×) classes only when the rule holds', () => {
    expect(classWarnings(['a', 'b'], [5, 14])).toEqual([]);
    const w = classWarnings(['a', 'b', 'c'], [4, 12, 6]);
    expect(w[0]).toMatch(/fewer than 5 images in "a" \(4\)/);
    expect(w[1]).toMatch(/unbalanced classes: "b" has 12 images, "a" 4 \(≥ 3×\)/);
  });

  it('the split keeps identical files of a class on one side; without keys it is unchanged', () => {
    const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    expect(splitIndices(labels, 0.34, 3, labels.map(() => undefined))).toEqual(splitIndices(labels, 0.34, 3));
    const keys = ['x', 'x', 'x', 'a', 'b', 'c', 'y', 'y', 'd', 'e', 'f', 'g'];
    for (let seed = 0; seed < 30; seed++) {
      const { train, val } = splitIndices(labels, 0.34, seed, keys);
      expect([...train, ...val].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
      const side = (i: number) => (val.includes(i) ? 'val' : 'train');
      expect(new Set([0, 1, 2].map(side)).size).toBe(1);
      expect(new Set([6, 7].map(side)).size).toBe(1);
      for (const c of [0, 1]) {
        expect(train.some((i) => labels[i] === c)).toBe(true);
        expect(val.some((i) => labels[i] === c)).toBe(true);
      }
    }
  });
});
