import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { classify } from '../../src/tf/classify';
import { gradCam, splitModel } from '../../src/tf/gradcam';
import { imagenetResNet50, imagenetResNet50Spec } from '../../src/tf/imagenet';
import { modelPredictor, runInference } from '../../src/tf/inference';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { preprocess } from '../../src/tf/preprocess';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('Grad-CAM on a small model', () => {
  const spec = getPreset('ResNet-20');
  let model: tf.LayersModel;
  beforeAll(() => {
    model = buildModel(spec);
  });
  afterAll(() => model.dispose());

  it('splits at the last stage output and equals the closed form for GAP + dense: ReLU(Σ_k W[k,c]·A_k)', async () => {
    const split = splitModel(model);
    expect(split.layer).toBe(model.layers[model.layers.length - 3].name);
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const fmap = split.features.predict(x) as tf.Tensor4D;
    for (const c of [0, 3, 9]) {
      const heat = await gradCam(split, fmap, c);
      expect([heat.height, heat.width]).toEqual([8, 8]);
      const expected = tf.tidy(() => {
        const w = tf.slice(split.dense.getWeights()[0], [0, c], [-1, 1]).reshape([-1]);
        const raw = tf.relu(tf.sum(tf.mul(fmap, w), -1)).reshape([-1]);
        // A class with no positive evidence anywhere has an all-zero map (random weights make that possible).
        return tf.div(raw, tf.maximum(tf.max(raw), 1e-12)).dataSync();
      });
      heat.values.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i], 4);
      });
    }
    tf.dispose([x, fmap]);
  });

  it('its probabilities equal model.predict', async () => {
    const img = tf.randomUniform([40, 50, 3], 0, 255, 'int32') as tf.Tensor3D;
    const r = await runInference(modelPredictor(model), spec, img, { k: 10, gradcam: false });
    const x = preprocess(img, spec);
    const ref = await classify(model, x, 10);
    x.dispose();
    img.dispose();
    r.top.forEach((p, i) => {
      expect(p.index).toBe(ref.top[i].index);
      expect(p.probability).toBeCloseTo(ref.top[i].probability, 5);
    });
  });

  it("an input preprocessed by the caller gives the same result, and stays the caller's", async () => {
    const img = tf.randomUniform([40, 50, 3], 0, 255, 'int32') as tf.Tensor3D;
    const mine = await runInference(modelPredictor(model), spec, img, { resize: 'squash' });
    const x = preprocess(img, spec, 'squash');
    const before = tf.memory().numTensors;
    const given = await runInference(modelPredictor(model), spec, img, { resize: 'squash', preprocessed: x });
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    expect(given.top).toEqual(mine.top);
    expect(given.heat?.values).toEqual(mine.heat?.values);
    tf.dispose([x, img]);
  });

  it('100 classifications with Grad-CAM leave tf.memory().numTensors unchanged', async () => {
    const img = tf.randomUniform([48, 64, 3], 0, 255, 'int32') as tf.Tensor3D;
    await runInference(modelPredictor(model), spec, img); // warm-up: caches the split model
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const r = await runInference(modelPredictor(model), spec, img, { keepFeatures: i % 2 === 0 });
      r.features?.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    img.dispose();
  });
});

describe.skipIf(SKIP_WEIGHTS)('Grad-CAM on the ImageNet ResNet50', () => {
  it('looks at the elephant: more heat on the half of the picture that holds it', async () => {
    requireWeights();
    const model = imagenetResNet50(await readLayersModel(IMAGENET_RESNET50_JSON));
    const spec = imagenetResNet50Spec();
    const elephant = decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    // Elephant (centre 466×466) on the left, flat grey on the right; squash keeps both halves.
    const pair = tf.tidy(() =>
      tf.concat([tf.slice(elephant, [0, 117, 0], [466, 466, 3]), tf.fill([466, 466, 3], 128, 'int32')], 1),
    ) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const r = await runInference(modelPredictor(model), spec, pair, { resize: 'squash' });
    expect(tf.memory().numTensors).toBe(before);
    expect([386, 101, 385]).toContain(r.top[0].index); // African elephant, tusker, Indian elephant
    const heat = r.heat!;
    expect(heat.layer).toBe('conv5_block3_out');
    expect([heat.height, heat.width]).toEqual([7, 7]);
    let left = 0;
    let right = 0;
    heat.values.forEach((v, i) => {
      if (i % 7 < 3) left += v;
      else if (i % 7 > 3) right += v;
    });
    expect(left).toBeGreaterThan(2 * right);
    tf.dispose([elephant, pair]);
    model.dispose();
  });
});
