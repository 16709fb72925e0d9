/**
 * Heads on synthetic features (cpu, fast): the dense2048 head's layers and weights, early stopping keeping the
 * best epoch, evaluation of a head, and the combined model's ownership rules on a tiny base with global pooling.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adoptCombined,
  combinedModel,
  disposeHead,
  finetunedFromArtifacts,
  headProbs,
  releaseCombined,
  splitAtPooling,
  trainHead,
} from '../../src/tf/finetune';
import { evaluateHead } from '../../src/tf/finetune-eval';
import { exportLayersModel } from '../../src/tf/layers-model-export';
import { useCpu } from '../helpers/tf';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** Two separable clusters of 16-d features, n per class. */
function clusters(n: number, seed: number): { x: tf.Tensor2D; labels: number[] } {
  const labels = Array.from({ length: 2 * n }, (_, i) => (i < n ? 0 : 1));
  const x = tf.tidy(() => tf.add(tf.randomNormal([2 * n, 16], 0, 1, 'float32', seed), tf.mul(tf.tensor2d(labels, [2 * n, 1]), 2))) as tf.Tensor2D;
  return { x, labels };
}

function tinyBase(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const c = tf.layers.conv2d({ filters: 16, kernelSize: 3, name: 'conv5_block1_1_conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input);
  const p = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(c);
  const out = tf.layers.dense({ units: 5, activation: 'softmax', name: 'predictions' }).apply(p) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'tiny' });
}

describe('fine-tune heads', () => {
  beforeAll(useCpu);

  it('early stopping stops after `patience` epochs without a lower validation loss and returns the best epoch’s weights', async () => {
    const train = clusters(12, 1);
    // Validation: the same features with the labels swapped, so every step that fits training raises val loss.
    const val = { x: train.x, labels: train.labels.map((l) => 1 - l) };
    const before = tf.memory().numTensors;
    const h = await trainHead(train, 2, { epochs: 20, batchSize: 8, seed: 3, val, patience: 2, learningRate: 0.05 });
    const losses = h.history.map((l) => l.valLoss!);
    expect(losses[1]).toBeGreaterThan(losses[0]);
    expect(h.bestEpoch).toBe(1);
    expect(h.stoppedEarly).toBe(true);
    expect(h.history).toHaveLength(3);
    const first = await trainHead(train, 2, { epochs: 1, batchSize: 8, seed: 3, learningRate: 0.05 });
    expect(h.weights.map(values)).toEqual(first.weights.map(values));
    // Without patience every epoch runs and the last weights are returned.
    const all = await trainHead(train, 2, { epochs: 4, batchSize: 8, seed: 3, val, learningRate: 0.05 });
    expect(all.history).toHaveLength(4);
    expect(all.bestEpoch).toBe(4);
    expect(all.stoppedEarly).toBe(false);
    for (const x of [h, first, all]) disposeHead(x);
    expect(tf.memory().numTensors).toBe(before);
    await expect(trainHead(train, 2, { patience: 2 })).rejects.toThrow(/early stopping \(patience 2\) needs a validation set/);
    await expect(trainHead(train, 2, { head: 'big' as 'dense' })).rejects.toThrow(/head must be one of dense, dense2048; got "big"/);
    await expect(trainHead(train, 2, { dropout: 1 })).rejects.toThrow(/dropout must be in \[0, 1\); got 1/);
    train.x.dispose();
  });

  it('dense2048 + dropout: weights in layer order, evaluation sums to the validation count, combined model names fc1/dropout/predictions', async () => {
    const train = clusters(10, 2);
    const val = clusters(4, 9);
    const h = await trainHead(train, 2, { head: 'dense2048', dropout: 0.5, epochs: 6, batchSize: 8, seed: 5, val });
    expect(h.weights.map((w) => w.shape)).toEqual([[16, 2048], [2048], [2048, 2], [2]]);
    const ev = await evaluateHead(h, { ...val, names: val.labels.map((_, i) => `v${i}`) }, 2);
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(8);
    expect(ev.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(ev.predictions[3]).toMatchObject({ row: 3, name: 'v3', label: 0 });
    expect(ev.perClass).toHaveLength(2);

    // A tiny base whose pooled features are 16-d: the combined model applies the same head (dropout off at inference).
    const base = tinyBase();
    const combined = combinedModel(base, h);
    expect(combined.layers.slice(-3).map((l) => l.name)).toEqual(['fc1', 'dropout', 'predictions']);
    expect(splitAtPooling(combined).head.map((l) => l.name)).toEqual(['fc1', 'dropout', 'predictions']);
    const img = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3);
    const feats = tf.model({ inputs: base.inputs, outputs: splitAtPooling(base).pooled }).predict(img) as tf.Tensor;
    const [a, b] = [combined.predict(img) as tf.Tensor, headProbs(h, feats)];
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThan(1e-6);
    const saved = await exportLayersModel(combined, 'm', { classNames: ['a', 'b'] });
    const json = JSON.parse(saved.modelJson);
    expect(finetunedFromArtifacts(json)).toMatchObject({ classNames: ['a', 'b'], head: 'dense2048', dropout: 0.5 });
    tf.dispose([img, feats, a, b]);
    // Releasing frees only the new head (fc1 and predictions: 4 tensors); the base still predicts.
    const n = tf.memory().numTensors;
    releaseCombined(combined);
    expect(tf.memory().numTensors).toBe(n - 4);
    const y = base.predict(tf.zeros([1, 8, 8, 3])) as tf.Tensor;
    expect(y.shape).toEqual([1, 5]);
    y.dispose();
    // Adopting frees the base's old classifier (2 tensors).
    const again = combinedModel(base, h);
    const m = tf.memory().numTensors;
    adoptCombined(base, again);
    expect(tf.memory().numTensors).toBe(m - 2);
    again.dispose();
    disposeHead(h);
    tf.dispose([train.x, val.x]);
  });
});
