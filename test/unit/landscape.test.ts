import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShapeSet } from '../../src/core/datasets';
import { Prng } from '../../src/core/datasets/prng';
import { centreLoss, filterNorms, filterNormalizedDirection, gridAxis, sliceAlongDelta } from '../../src/core/lab/landscape';
import { compareResponses, descending, isBranchEnd } from '../../src/core/lab/responses';
import { layerResponseStds } from '../../src/tf/activation-stats';
import {
  disposeBatches,
  type EvalBatch,
  evaluationBatches,
  LandscapeCancelled,
  scanSurface,
  snapshotWeights,
  weightArrays,
} from '../../src/tf/landscape';
import { initNodeWasm } from '../../src/tf/node-wasm';
import { type RunConfig, TrainingRun } from '../../src/tf/train';

const BATCH = 16;
const config = (residual: boolean): RunConfig => ({
  net: { depth: 8, residual, widths: [8, 16, 32] },
  init: 'he',
  seed: 3,
  batchSize: BATCH,
  schedule: { learningRate: 2e-3, warmupSteps: 2, totalSteps: 20, decay: 'cosine' },
  optimizer: 'adam',
  outputScale: 0.1,
});

/** Every weight's values, for exact before/after comparisons. */
async function values(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.weights.map(async (w) => (await w.read().data()) as Float32Array));
}

describe('filter-normalized directions (Li et al. 2018, §4)', () => {
  it('each direction filter has the norm of its weight filter; biases and BN parameters get zero', () => {
    const rng = new Prng(1);
    // A conv kernel HWIO [3, 3, 2, 4] whose filters have very different norms, a dense [5, 3], a bias [3].
    const conv = Float32Array.from({ length: 72 }, (_, i) => (i % 4) * 10 * rng.normal());
    const dense = Float32Array.from({ length: 15 }, () => rng.normal());
    const weights = [
      { name: 'k', shape: [3, 3, 2, 4], values: conv },
      { name: 'd', shape: [5, 3], values: dense },
      { name: 'b', shape: [3], values: Float32Array.of(1, 2, 3) },
    ];
    const [dc, dd, db] = filterNormalizedDirection(weights, new Prng(9));
    const wn = filterNorms(conv, [3, 3, 2, 4]);
    const dn = filterNorms(dc, [3, 3, 2, 4]);
    expect(wn[0]).toBe(0);
    for (let j = 0; j < 4; j++) expect(dn[j]).toBeCloseTo(wn[j], 3);
    const dwn = filterNorms(dense, [5, 3]);
    const ddn = filterNorms(dd, [5, 3]);
    for (let j = 0; j < 3; j++) expect(ddn[j] / dwn[j]).toBeCloseTo(1, 6);
    expect([...db]).toEqual([0, 0, 0]);
    // Not a copy of the weights: a random direction.
    expect(Math.abs(dc[1] / conv[1] - dc[5] / conv[5])).toBeGreaterThan(1e-3);
  });

  it('gives the same direction for the same seed, another for another seed', () => {
    const w = [{ name: 'k', shape: [2, 3], values: Float32Array.of(1, 2, 3, 4, 5, 6) }];
    const a = filterNormalizedDirection(w, new Prng(4))[0];
    expect([...filterNormalizedDirection(w, new Prng(4))[0]]).toEqual([...a]);
    expect([...filterNormalizedDirection(w, new Prng(5))[0]]).not.toEqual([...a]);
  });

  it('rejects even or tiny grids with a message naming the value', () => {
    expect(() => gridAxis(4)).toThrow(/grid: received 4; allowed: an odd integer/);
    expect(gridAxis(5)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});

describe('loss landscape of trained race nets', () => {
  const runs: TrainingRun[] = [];
  let batches: EvalBatch[] = [];
  const set = generateShapeSet({ count: 4 * BATCH, size: 16, seed: 2 });

  beforeAll(async () => {
    await initNodeWasm();
    for (const residual of [false, true]) {
      const run = new TrainingRun(config(residual), set);
      for (let s = 0; s < 15; s++) run.next();
      runs.push(run);
    }
    batches = evaluationBatches(set, set.count, BATCH);
  }, 120_000);

  afterAll(() => {
    disposeBatches(batches);
    for (const r of runs) r.dispose();
  });

  it('the centre point is the trained net’s loss, the directions are filter-normalized on real weights, and the weights come back exactly', async () => {
    for (const run of runs) {
      const model = run.trainer.model;
      const trained = run.evaluate().loss;
      const before = await values(model);
      const tensors = tf.memory().numTensors;
      const surface = await scanSurface(model, batches, { grid: 3, seed: 11 });
      expect(tf.memory().numTensors).toBe(tensors);
      expect(centreLoss(surface)).toBeCloseTo(trained, 5);
      // Away from the centre the loss differs (the directions are not zero).
      expect(Math.abs(surface.losses[0] - trained)).toBeGreaterThan(1e-3);
      expect(sliceAlongDelta(surface)[1]).toBe(centreLoss(surface));
      const after = await values(model);
      after.forEach((v, i) => {
        expect([...v]).toEqual([...before[i]]);
      });
      // The scan's directions, on these weights: each conv / dense filter has the norm of its weight filter.
      const arrays = await weightArrays(model);
      const rng = new Prng(11);
      const delta = filterNormalizedDirection(arrays, rng);
      arrays.forEach((a, i) => {
        if (a.shape.length < 2) {
          expect(delta[i].every((x) => x === 0)).toBe(true);
          return;
        }
        const wn = filterNorms(a.values, a.shape);
        const dn = filterNorms(delta[i], a.shape);
        wn.forEach((n, j) => {
          expect(dn[j] / n).toBeCloseTo(1, 5);
        });
      });
    }
  }, 120_000);

  it('the same seed gives the same surface; another seed another', async () => {
    const model = runs[1].trainer.model;
    const a = await scanSurface(model, batches, { grid: 3, seed: 5 });
    const b = await scanSurface(model, batches, { grid: 3, seed: 5 });
    const c = await scanSurface(model, batches, { grid: 3, seed: 6 });
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).not.toEqual(a.losses);
    expect(centreLoss(c)).toBe(centreLoss(a));
  }, 120_000);

  it('with BN moving statistics (the paper code’s net.eval()) the centre is the inference-mode loss', async () => {
    const model = runs[1].trainer.model;
    const direct = tf.tidy(() => {
      const parts = batches.map((b) => {
        const logits = model.predict(b.x) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(b.labels, logits.shape[1]), logits) as tf.Scalar;
      });
      return tf.div(tf.addN(parts), parts.length).dataSync()[0];
    });
    const moving = await scanSurface(model, batches, { grid: 3, seed: 5, bn: 'moving' });
    expect(centreLoss(moving)).toBeCloseTo(direct, 5);
    // 15 steps leave the moving statistics far from the batch statistics: the two modes differ.
    expect(Math.abs(centreLoss(moving) - runs[1].evaluate().loss)).toBeGreaterThan(1e-3);
  }, 120_000);

  it('cancel stops the scan and still restores the weights, without leaks', async () => {
    const model = runs[0].trainer.model;
    const before = await values(model);
    const tensors = tf.memory().numTensors;
    await expect(scanSurface(model, batches, { grid: 5, seed: 1, onPoint: (done) => done < 3 })).rejects.toBeInstanceOf(LandscapeCancelled);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await values(model);
    after.forEach((v, i) => {
        expect([...v]).toEqual([...before[i]]);
      });
  }, 120_000);

  it('layer responses (He et al. Fig. 7): one std per 3×3 layer, equal to a direct computation, weights restored', async () => {
    for (const run of runs) {
      const model = run.trainer.model;
      const before = await values(model);
      const snap = snapshotWeights(model);
      const tensors = tf.memory().numTensors;
      const stds = await layerResponseStds(model, batches);
      expect(tf.memory().numTensors).toBe(tensors);
      // ResNet-8 / plain-8: 6n + 1 = 7 layers of 3×3 (conv1 and two per block).
      expect(stds.map((s) => s.id)).toEqual([
        'conv1_bn',
        'conv2_block1_1_bn',
        'conv2_block1_2_bn',
        'conv3_block1_1_bn',
        'conv3_block1_2_bn',
        'conv4_block1_1_bn',
        'conv4_block1_2_bn',
      ]);
      // Independent check of one layer: its output over all batches, std by tf.moments.
      const layer = model.getLayer('conv3_block1_2_bn');
      const sub = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
      const direct = tf.tidy(() => {
        const all = tf.concat(batches.map((b) => sub.apply(b.x, { training: true }) as tf.Tensor));
        return Math.sqrt(tf.moments(all).variance.dataSync()[0]);
      });
      // Restore what this direct computation changed (BN moving statistics), then compare.
      model.weights.forEach((w, i) => {
        w.write(snap[i]);
      });
      tf.dispose(snap);
      expect(stds[4].std).toBeCloseTo(direct, 4);
      expect(stds.every((s) => s.std > 0 && Number.isFinite(s.std))).toBe(true);
      const after = await values(model);
      after.forEach((v, i) => {
        expect([...v]).toEqual([...before[i]]);
      });
    }
  }, 120_000);
});

describe('plain vs residual responses', () => {
  it('counts the layers where the residual std is lower and says whether that matches the paper', () => {
    const c = compareResponses([1, 1, 1, 1], [0.5, 0.6, 1.2, 0.7]);
    expect(c).toMatchObject({ layers: 4, residualLower: 3, meanPlain: 1, verdict: 'agrees' });
    expect(compareResponses([1, 1], [1.5, 0.9]).verdict).toBe('disagrees');
    // Lower everywhere but by 1 %: no clear difference (stds of a barely trained net are all ≈ 1).
    expect(compareResponses([1, 1, 1], [0.99, 0.99, 0.99]).verdict).toBe('similar');
    // Branch ends: the second layer of each block.
    const ids = ['conv1_bn', 'conv2_block1_1_bn', 'conv2_block1_2_bn', 'conv3_block1_1_bn', 'conv3_block1_2_bn'];
    expect(ids.map(isBranchEnd)).toEqual([false, false, true, false, true]);
    const b = compareResponses([1, 1, 1, 1, 1], [1, 1, 0.8, 1, 0.6], ids.map(isBranchEnd)).branchEnds!;
    expect(b.layers).toBe(2);
    expect(b.meanResidual).toBeCloseTo(0.7, 12);
    expect(() => compareResponses([1, 2], [1])).toThrow(/residual.length: received 1/);
    expect(descending([0.2, 0.9, 0.5])).toEqual([0.9, 0.5, 0.2]);
  });
});
