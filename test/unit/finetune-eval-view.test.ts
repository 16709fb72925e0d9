/** The evaluation view's cell selection: the misclassified images by default, or exactly one cell's images. */
import { describe, expect, it } from 'vitest';
import { confusionMatrix } from '../../src/core/finetune-metrics';
import { itemsOf, type ValItem } from '../../src/ui/finetune/evaluation';

const item = (name: string, trueIndex: number, pred: number, other: number): ValItem => ({
  name,
  trueIndex,
  top: [
    { index: pred, probability: 0.7 },
    { index: other, probability: 0.2 },
  ],
});

describe('itemsOf', () => {
  const items = [item('a', 0, 0, 1), item('b', 0, 1, 0), item('c', 1, 1, 2), item('d', 2, 0, 2), item('e', 2, 0, 1), item('f', 2, 2, 0)];
  const m = confusionMatrix(
    items.map((i) => i.trueIndex),
    items.map((i) => i.top[0].index),
    3,
  );

  it('lists the off-diagonal images for "misclassified", in order', () => {
    expect(itemsOf(items, 'misclassified').map((i) => i.name)).toEqual(['b', 'd', 'e']);
  });

  it('lists as many images for each cell as the confusion matrix counts there', () => {
    for (let t = 0; t < 3; t++) {
      for (let p = 0; p < 3; p++) {
        const got = itemsOf(items, { trueIndex: t, predIndex: p });
        expect(got).toHaveLength(m[t][p]);
        expect(got.every((i) => i.trueIndex === t && i.top[0].index === p)).toBe(true);
      }
    }
    expect(itemsOf(items, { trueIndex: 2, predIndex: 0 }).map((i) => i.name)).toEqual(['d', 'e']);
  });
});
