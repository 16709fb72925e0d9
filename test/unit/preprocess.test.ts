import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/tf/node-backend';
import { normalization } from '../../src/core';
import { akamasterPreprocess } from '../../src/tf/akamaster';
import { boxFactor, cropBox, normalize, preprocess, resizeTo } from '../../src/tf/preprocess';

beforeAll(async () => {
  await initNodeBackend('cpu');
});

describe('crop box', () => {
  it('takes the largest centred region with the target aspect ratio', () => {
    expect(cropBox(466, 700, 224, 224)).toEqual({ top: 0, left: 117, height: 466, width: 466 });
    expect(cropBox(700, 466, 224, 224)).toEqual({ top: 117, left: 0, height: 466, width: 466 });
    expect(cropBox(300, 400, 150, 100)).toEqual({ top: 0, left: 100, height: 300, width: 200 });
    expect(cropBox(466, 700, 224, 224, 'squash')).toEqual({ top: 0, left: 0, height: 466, width: 700 });
  });
});

describe('normalisation per family (Keras preprocess_input)', () => {
  const px = () => tf.tensor3d([[[10, 20, 30]]]);
  it("caffe: RGB→BGR minus the ImageNet BGR mean, no scaling", () => {
    const out = normalize(px(), 'caffe').dataSync();
    expect(Array.from(out)).toEqual([30 - 103.939, 20 - 116.779, 10 - 123.68].map(Math.fround));
  });
  it("tf: x / 127.5 − 1", () => {
    const out = normalize(px(), 'tf').dataSync();
    expect(out[0]).toBeCloseTo(10 / 127.5 - 1, 6);
    expect(out[2]).toBeCloseTo(30 / 127.5 - 1, 6);
  });
  it("torch: x / 255 − mean, / std", () => {
    const out = normalize(px(), 'torch').dataSync();
    expect(out[0]).toBeCloseTo((10 / 255 - 0.485) / 0.229, 5);
    expect(out[1]).toBeCloseTo((20 / 255 - 0.456) / 0.224, 5);
    expect(out[2]).toBeCloseTo((30 / 255 - 0.406) / 0.225, 5);
  });
});

describe('normalisation from the weights description (numbers, not a mode name)', () => {
  it('gives what the mode gives, for every mode', () => {
    const px = tf.tensor3d([[[10, 20, 30], [200, 100, 0]]]);
    for (const mode of ['caffe', 'tf', 'torch'] as const) {
      const a = normalize(px, mode).dataSync();
      const b = normalize(px, normalization(mode)).dataSync();
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    }
  });
  it("akamaster's CIFAR weights: x / 255 − ImageNet mean, / std (their trainer.py transforms.Normalize)", () => {
    const x = tf.tensor4d([[[[255, 0, 127.5]]]]);
    const out = akamasterPreprocess(x).dataSync();
    expect(out[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(out[1]).toBeCloseTo((0 - 0.456) / 0.224, 5);
    expect(out[2]).toBeCloseTo((0.5 - 0.406) / 0.225, 5);
  });
});

describe('resize and preprocess', () => {
  it('box factor: the whole number of source pixels per output pixel of the crop', () => {
    expect(boxFactor({ height: 466, width: 466 }, 224, 224)).toBe(2);
    expect(boxFactor({ height: 360, width: 360 }, 224, 224)).toBe(1);
    expect(boxFactor({ height: 3000, width: 3000 }, 224, 224)).toBe(13);
    expect(boxFactor({ height: 100, width: 100 }, 224, 224)).toBe(1); // upscaling
  });
  it('averages f×f blocks before the bilinear step (a 4× downscale of 4×4 blocks gives each block’s mean)', () => {
    // 8×8 image, four 4×4 quadrants of distinct values with a checkerboard inside each (bilinear alone would
    // pick two of four samples and miss the mean).
    const v: number[][][] = [];
    for (let y = 0; y < 8; y++) {
      const row: number[][] = [];
      for (let x = 0; x < 8; x++) {
        const q = (y >= 4 ? 2 : 0) + (x >= 4 ? 1 : 0);
        const c = ((x + y) % 2) * 40 + q * 50;
        row.push([c, c, c]);
      }
      v.push(row);
    }
    const out = resizeTo(tf.tensor3d(v, [8, 8, 3], 'int32'), [2, 2]);
    expect(Array.from(out.dataSync()).filter((_, i) => i % 3 === 0)).toEqual([20, 70, 120, 170]);
  });
  it('trims a crop that is not a multiple of the factor evenly (the result stays centred)', () => {
    // 3×14 squashed to 1×4 → factor 3; 12 of 14 columns fit, one dropped on each side: columns 1…12 stay.
    const row = Array.from({ length: 14 }, (_, x) => [x, x, x]);
    const out = resizeTo(tf.tensor3d([row, row, row], [3, 14, 3], 'int32'), [1, 4], 'squash');
    expect(Array.from(out.dataSync()).filter((_, i) => i % 3 === 0)).toEqual([2, 5, 8, 11]);
  });
  it('centre-crops a wide image: the left and right thirds are dropped', () => {
    // 2×6 image: columns 0-1 red, 2-3 green, 4-5 blue; the centre 2×2 crop is green.
    const row = [[255, 0, 0], [255, 0, 0], [0, 255, 0], [0, 255, 0], [0, 0, 255], [0, 0, 255]];
    const img = tf.tensor3d([row, row], [2, 6, 3], 'int32');
    const out = resizeTo(img, [2, 2]);
    expect(out.shape).toEqual([2, 2, 3]);
    expect(Array.from(out.dataSync())).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0]);
  });
  it('gives a batch of one at the model input size and leaks nothing', () => {
    const img = tf.randomUniform([50, 80, 3], 0, 255, 'int32') as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const x = preprocess(img, { input: [32, 32, 3], preprocessing: 'tf' });
    expect(x.shape).toEqual([1, 32, 32, 3]);
    const [lo, hi] = [tf.min(x), tf.max(x)];
    expect(lo.dataSync()[0]).toBeGreaterThanOrEqual(-1);
    expect(hi.dataSync()[0]).toBeLessThanOrEqual(1);
    tf.dispose([x, lo, hi]);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('refuses non-RGB input with the shape it got', () => {
    const g = tf.zeros([4, 4, 1]) as tf.Tensor3D;
    expect(() => preprocess(g, { input: [4, 4, 3], preprocessing: 'tf' })).toThrow(/\[4, 4, 1\]/);
  });
});
