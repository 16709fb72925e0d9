/**
 * Heads on synthetic features (cpu, fast): the dense2048 head's layers and weights, early stopping keeping the
 * best epoch, evaluation of a head, and the combined model's ownership rules on a tiny base with global pooling.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/tf/errors';
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
import { evaluateHead, evaluateStage } from '../../src/tf/finetune-eval';
import { disposeStage, finetuneStage, stageCut, stageLayerNames } from '../../src/tf/finetune-stage';
import { exportLayersModel } from '../../src/tf/layers-model-export';
import { useCpu } from '../helpers/tf';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** Two separable clusters of 16-d features, n per class. */
function clusters(n: number, seed: number): { x: tf.Tensor2D; labels: number[] } {
  const labels = Array.from({ length: 2 * n }, (_, i) => (i < n ? 0 : 1));
  const x = tf.tidy(() => tf.add(tf.randomNormal([2 * n, 16], 0, 1, 'float32', seed), tf.mul(tf.tensor2d(labels, [2 * n, 1]), 2))) as tf.Tensor2D;
  return { x, labels };
}

/** input → conv4-ish conv → [conv5 conv → BN (moving stats not 0/1) → relu] + shortcut → avg_pool → Dense(5). */
function tinyBase(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const c4 = tf.layers.conv2d({ filters: 16, kernelSize: 1, name: 'conv4_block6_out', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(input);
  const c = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'conv5_block1_1_conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(c4);
  const bnLayer = tf.layers.batchNormalization({ name: 'conv5_block1_1_bn', movingMeanInitializer: 'ones', movingVarianceInitializer: tf.initializers.constant({ value: 4 }) });
  const bn = bnLayer.apply(c);
  const r = tf.layers.activation({ activation: 'relu', name: 'conv5_block1_1_relu' }).apply(bn);
  const add = tf.layers.add({ name: 'conv5_block1_add' }).apply([r as tf.SymbolicTensor, c4 as tf.SymbolicTensor]);
  const p = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(add);
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

  it('last-stage fine-tuning on a tiny base: cut found, BN statistics kept, gamma and conv trained, cancel leaks nothing', async () => {
    const base = tinyBase();
    expect(stageCut(base).cut.sourceLayer.name).toBe('conv4_block6_out');
    expect(stageLayerNames(base)).toEqual(['conv5_block1_1_conv', 'conv5_block1_1_bn', 'conv5_block1_1_relu', 'conv5_block1_add', 'avg_pool']);
    const cut = tf.model({ inputs: base.inputs, outputs: stageCut(base).cut });
    const img = tf.randomUniform([12, 8, 8, 3], 0, 1, 'float32', 8);
    const x = cut.predict(img) as tf.Tensor;
    const labels = Array.from({ length: 12 }, (_, i) => i % 2);
    const head = await trainHead({ x: tf.mean(x, [1, 2]) as tf.Tensor2D, labels }, 2, { epochs: 1, seed: 1 });
    const before = tf.memory().numTensors;
    const bnBase = base.getLayer('conv5_block1_1_bn').getWeights().map(values);
    const batches: string[] = [];
    const r = await finetuneStage(base, head, { train: { x, labels }, val: { x, labels } }, 2, {
      epochs: 2,
      batchSize: 4,
      learningRate: 0.01,
      onBatch: (d, t, e) => batches.push(`${e}:${d}/${t}`),
    });
    expect(batches).toEqual(['1:1/3', '1:2/3', '1:3/3', '2:1/3', '2:2/3', '2:3/3']);
    expect(r.history.map((l) => l.epoch)).toEqual([1, 2]);
    expect(r.before?.valLoss).toBeGreaterThan(0);
    const bn = r.stage.weights[1].map(values);
    expect(bn[0]).not.toEqual(bnBase[0]); // gamma trains (Keras' guide: BN in inference mode, still trainable)
    expect(bn.slice(2)).toEqual(bnBase.slice(2)); // moving mean and variance untouched
    expect(values(r.stage.weights[0][0])).not.toEqual(values(base.getLayer('conv5_block1_1_conv').getWeights()[0]));
    expect(base.getLayer('conv5_block1_1_bn').getWeights().map(values)).toEqual(bnBase);
    // Only the result's tensors remain (the training copies, Adam's moments and the head variables are freed).
    expect(tf.memory().numTensors).toBe(before + r.head.weights.length + r.stage.weights.flat().length);
    const kept = tf.memory().numTensors;
    const ev = await evaluateStage(base, r, { x, labels }, 2);
    expect(tf.memory().numTensors).toBe(kept);
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(12);
    expect(ev.accuracy).toBeCloseTo(r.history[1].valAccuracy!, 6);
    const ctl = new AbortController();
    const err = await finetuneStage(base, head, { train: { x, labels } }, 2, {
      epochs: 3,
      batchSize: 4,
      signal: ctl.signal,
      onBatch: (d) => d === 2 && ctl.abort(),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(kept);
    // Early stopping, as the head's: images whose class shows in their brightness, validation labels swapped, so
    // fitting the training labels raises the validation loss.
    const lit = tf.tidy(() => cut.predict(tf.add(img, tf.reshape(tf.tensor1d(labels), [12, 1, 1, 1]))) as tf.Tensor);
    const swapped = { x: lit, labels: labels.map((l) => 1 - l) };
    const early = await finetuneStage(base, head, { train: { x: lit, labels }, val: swapped }, 2, { epochs: 6, batchSize: 4, learningRate: 0.01, patience: 1 });
    const losses = early.history.map((l) => l.valLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(early.head.bestEpoch).toBe(best);
    expect(early.history.length).toBeLessThan(6); // one epoch without a lower loss ends it
    expect(early.head.stoppedEarly).toBe(true);
    expect(early.history.length).toBe(best + 1);
    // The kept weights are the best epoch's: a run of exactly that many epochs (same seed) gives them.
    const exact = await finetuneStage(base, head, { train: { x: lit, labels }, val: swapped }, 2, { epochs: best, batchSize: 4, learningRate: 0.01 });
    expect(early.stage.weights.map((ws) => ws.map(values))).toEqual(exact.stage.weights.map((ws) => ws.map(values)));
    expect(early.head.weights.map(values)).toEqual(exact.head.weights.map(values));
    for (const run of [early, exact]) {
      disposeHead(run.head);
      disposeStage(run.stage);
    }
    lit.dispose();
    expect(tf.memory().numTensors).toBe(kept);
    await expect(finetuneStage(base, head, { train: { x, labels } }, 2, { patience: 2 })).rejects.toThrow(/early stopping \(patience 2\) needs a validation set/);
    const flat = tf.zeros([2, 3]);
    await expect(finetuneStage(base, head, { train: { x: flat, labels: [0, 1] } }, 2)).rejects.toThrow(/stage inputs must be \[n, 8, 8, 16\]/);
    flat.dispose();
    expect(tf.memory().numTensors).toBe(kept);
    // The combined model with the trained stage predicts as the stage's own evaluation; releasing it frees its
    // own layers' weights (conv 2, BN 4, predictions 2).
    const warm = tf.memory().numTensors;
    const combined = combinedModel(base, r.head, 'tuned', r.stage);
    const probs = combined.predict(img) as tf.Tensor;
    const arg = tf.argMax(probs, 1);
    const top = Array.from(arg.dataSync());
    arg.dispose();
    expect(top).toEqual(ev.predictions.map((p) => p.predicted));
    probs.dispose();
    releaseCombined(combined);
    expect(tf.memory().numTensors).toBe(warm);
    disposeHead(r.head);
    disposeStage(r.stage);
    disposeHead(head);
    tf.dispose([img, x]);
    base.dispose();
  });
});
