/**
 * Freeing a conv kernel's wasm heap bytes once XNNPACK has set the conv up (src/tf/fused/release-kernels.ts): the
 * ImageNet ResNet50 runner that does so in its warm-up gives the same outputs, to the bit, as one that keeps its
 * kernels — at full size, for a batch, with Grad-CAM's feature map —, leaks no tensor and disposes cleanly; and a
 * tensor anything else shares, or a disposed one, is left alone.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { releaseWasmTensorData } from '../../src/tf/fused/release-kernels';
import type { InferenceRunner } from '../../src/tf/fused/runner';
import { imagenetResNet50Spec } from '../../src/tf/imagenet';
import { decodeImage } from '../../src/tf/node-image';
import { imagenetResNet50Json, readLayersModel } from '../../src/tf/node-io';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { preprocess } from '../../src/tf/preprocess';
import { imagenetRunner } from '../../src/tf/weights-source';
import { fixture, requireWeights, SKIP_WEIGHTS } from '../helpers/fixtures';

beforeAll(async () => {
  await initNodeWasm();
});

describe('releaseWasmTensorData', () => {
  it('frees an unshared tensor (which still disposes), and leaves a shared or disposed one as it is', () => {
    const before = tf.memory().numTensors;
    const own = tf.tensor1d([1, 2, 3]);
    expect(releaseWasmTensorData(own)).toBe(true);
    own.dispose();
    const a = tf.tensor1d([4, 5, 6]);
    const shared = tf.reshape(a, [3, 1]); // same data, two tensors
    expect(releaseWasmTensorData(a)).toBe(false);
    expect([...shared.dataSync()]).toEqual([4, 5, 6]);
    expect([...a.dataSync()]).toEqual([4, 5, 6]);
    tf.dispose([a, shared]);
    const gone = tf.tensor1d([7]);
    gone.dispose();
    expect(releaseWasmTensorData(gone)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.skipIf(SKIP_WEIGHTS)('the ImageNet ResNet50 runner warmed up with its kernels freed', () => {
  it('gives the same outputs and feature map, to the bit, at full size and for a batch; no tensor leaks', { timeout: 300_000 }, async () => {
    requireWeights();
    const artifacts = await readLayersModel(imagenetResNet50Json('float16'));
    const spec = imagenetResNet50Spec();
    const img = decodeImage(readFileSync(fixture('imagenet', 'elephant.jpg')), 'elephant.jpg');
    const one = preprocess(img, spec);
    img.dispose();
    const batch = tf.concat([one, tf.reverse(one, 2)]) as tf.Tensor4D;
    const outputs = async (runner: InferenceRunner) => {
      const { output, features } = runner.run(one, { features: true });
      const b = runner.predict(batch);
      const got = { probs: [...(await output.data())], features: [...(await features!.data())], batch: [...(await b.data())] };
      tf.dispose([output, features!, b]);
      return got;
    };
    const start = tf.memory().numTensors;
    const kept = imagenetRunner(artifacts).runner;
    await kept.warmUp({ small: true });
    const want = await outputs(kept);
    kept.dispose();
    expect(tf.memory().numTensors).toBe(start);

    const freed = imagenetRunner(artifacts).runner;
    await freed.warmUp({ small: true, releaseKernels: true });
    const got = await outputs(freed);
    expect(got.probs.indexOf(Math.max(...got.probs))).toBe(386); // African_elephant
    expect(got.probs).toEqual(want.probs);
    expect(got.features).toEqual(want.features);
    expect(got.batch).toEqual(want.batch);
    freed.dispose();
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([one, batch]);
  });
});
