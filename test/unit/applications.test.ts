import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { KerasValueError, kerasSpec, ResNet50, ResNet50V2, ResNeXt50 } from '../../src/tf/applications';
import { useCpu } from '../helpers/tf';

beforeAll(async () => {
  await useCpu();
});

describe('Keras Applications API', () => {
  test('ResNet50({weights: null}) is Keras ResNet50, with and without top', async () => {
    const m = await ResNet50({ weights: null });
    expect(m.countParams()).toBe(25_636_712);
    expect(m.layers).toHaveLength(177);
    expect(m.outputs[0].shape).toEqual([null, 1000]);
    m.dispose();
    const noTop = await ResNet50({ weights: null, includeTop: false, pooling: 'avg' });
    expect(noTop.countParams()).toBe(23_587_712);
    expect(noTop.outputs[0].shape).toEqual([null, 2048]);
    noTop.dispose();
  });

  test('inputShape and inputTensor set the input; pooling only applies without top', async () => {
    const input = tf.input({ shape: [96, 128, 3], name: 'input_1' });
    const m = await ResNet50V2({ weights: null, includeTop: false, inputTensor: input });
    expect(m.outputs[0].shape).toEqual([null, 3, 4, 2048]);
    m.dispose();
    const g = await ResNeXt50({ weights: null, includeTop: false, inputShape: [64, 64, 3], pooling: 'max' });
    expect(g.outputs[0].shape).toEqual([null, 2048]);
    expect(g.layers.at(-1)!.name).toBe('max_pool');
    g.dispose();
    expect(kerasSpec('ResNet50', { weights: null, includeTop: true, pooling: 'max' }).head.pooling).toBe('avg');
  });

  test("Keras' argument rules", () => {
    expect(() => kerasSpec('ResNet50', { weights: 'imagenet', classes: 10 })).toThrow(/classes` should be 1000/);
    expect(() => kerasSpec('ResNet50', { weights: null, inputShape: [16, 16, 3] })).toThrow(/at least 32x32/);
    expect(() => kerasSpec('ResNet50', { weights: 'imagenet', inputShape: [200, 200, 3] })).toThrow(/should be \[224, 224, 3\]/);
    expect(() => kerasSpec('ResNet50', { weights: 'imagenet', includeTop: false, inputShape: [200, 200, 1] })).toThrow(/3 channels/);
    expect(() => kerasSpec('ResNet50', { weights: '' })).toThrow(KerasValueError);
    // Without imagenet weights any size from 32 up and any class count are fine.
    expect(kerasSpec('ResNet50', { weights: null, inputShape: [32, 48, 1], classes: 7 }).head.classes).toBe(7);
    expect(kerasSpec('ResNet50', { weights: 'imagenet', includeTop: false, inputShape: [200, 200, 3] }).input).toEqual([200, 200, 3]);
  });
});
