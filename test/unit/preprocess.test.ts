import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/tf/node-backend';
import { cropBox, normalize, preprocess, resizeTo } from '../../src/tf/preprocess';

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

describe('resize and preprocess', () => {
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
