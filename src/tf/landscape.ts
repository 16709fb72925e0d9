/**
 * Loss landscapes of trained nets (Li et al. 2018, §4): the training loss at θ + α·δ + β·η over a grid, δ and η
 * filter-normalized random directions (src/core/lab/landscape.ts). The weights are written in place for each
 * grid point and restored exactly afterwards, also on cancel or error.
 *
 * BN mode: 'batch' (the default) normalises with each batch's statistics, as in the race's training steps: the
 * centre point is then the loss the race reports for these images (TrainingRun.evaluate), and BN makes the
 * output invariant to a filter's scale, the premise of filter normalization (Li et al. §4). tfjs updates the
 * moving statistics on such calls, so they are part of the snapshot that is restored. 'moving' uses the
 * moving statistics, as the paper's code does (evaluation.py: `net.eval()`); after a short race they are
 * still far from the batch statistics.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../core/datasets/shapes';
import { gridAxis, landscapeDirections, type Surface, type WeightArray } from '../core/lab/landscape';
import { SpecError } from '../core/errors';
import { PIXEL_MEAN, PIXEL_STD } from './train';

export interface EvalBatch {
  readonly x: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
}

/** The first `images` images of a set, normalised like the race's inputs, in batches of `batchSize`. Caller disposes. */
export function evaluationBatches(set: ImageSet, images: number, batchSize: number): EvalBatch[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new SpecError('batchSize', batchSize, 'allowed: a positive integer');
  const count = Math.floor(Math.min(images, set.count) / batchSize) * batchSize;
  if (count < batchSize) throw new SpecError('images', images, `allowed: at least one batch of ${batchSize} (the set has ${set.count})`);
  const s = set.size;
  const pixels = s * s * 3;
  const batches: EvalBatch[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const buf = new Float32Array(batchSize * pixels);
    const src = set.images.subarray(start * pixels, (start + batchSize) * pixels);
    for (let k = 0; k < buf.length; k++) buf[k] = (src[k] - PIXEL_MEAN) / PIXEL_STD;
    batches.push({ x: tf.tensor4d(buf, [batchSize, s, s, 3]), labels: tf.tensor1d(set.labels.slice(start, start + batchSize), 'int32') });
  }
  return batches;
}

export function disposeBatches(batches: readonly EvalBatch[]): void {
  for (const b of batches) tf.dispose([b.x, b.labels]);
}

export type BnMode = 'batch' | 'moving';

/** Mean softmax cross-entropy over the batches; BN with batch statistics unless `bn` is 'moving'. */
export async function datasetLoss(model: tf.LayersModel, batches: readonly EvalBatch[], bn: BnMode = 'batch'): Promise<number> {
  const total = tf.tidy(() => {
    const parts = batches.map((b) => {
      const logits = model.apply(b.x, { training: bn === 'batch' }) as tf.Tensor2D;
      return tf.losses.softmaxCrossEntropy(tf.oneHot(b.labels, logits.shape[1]), logits) as tf.Scalar;
    });
    return tf.div(tf.addN(parts), parts.length) as tf.Scalar;
  });
  try {
    return (await total.data())[0];
  } finally {
    total.dispose();
  }
}

/** A copy of every weight of the model (trainable or not, e.g. BN moving statistics). Caller disposes. */
export function snapshotWeights(model: tf.LayersModel): tf.Tensor[] {
  return model.weights.map((w) => w.read().clone());
}

/** Write a snapshot back (exact values) and dispose it. */
export function restoreWeights(model: tf.LayersModel, snapshot: readonly tf.Tensor[]): void {
  model.weights.forEach((w, i) => {
    w.write(snapshot[i]);
  });
  tf.dispose(snapshot as tf.Tensor[]);
}

/** The model's weights as plain arrays (the input of the pure direction code). */
export async function weightArrays(model: tf.LayersModel): Promise<WeightArray[]> {
  return Promise.all(
    model.weights.map(async (w) => ({ name: w.originalName, shape: w.shape as number[], values: (await w.read().data()) as Float32Array })),
  );
}

export interface ScanOptions {
  /** Grid points per axis (odd). */
  readonly grid: number;
  readonly seed: number;
  readonly span?: number;
  readonly bn?: BnMode;
  /** After each grid point; awaited, so it can yield to the event loop. Return false to stop (cancel). */
  readonly onPoint?: (done: number, total: number) => Promise<boolean> | boolean;
}

export class LandscapeCancelled extends Error {
  override readonly name = 'LandscapeCancelled';
  constructor() {
    super('loss landscape cancelled');
  }
}

/**
 * The loss surface of one model over the grid. Throws LandscapeCancelled if onPoint returns false; the weights
 * are restored in every case.
 */
export async function scanSurface(model: tf.LayersModel, batches: readonly EvalBatch[], opts: ScanOptions): Promise<Surface> {
  const axis = gridAxis(opts.grid, opts.span);
  const arrays = await weightArrays(model);
  const { delta, eta } = landscapeDirections(arrays, opts.seed);
  // Only tensors with a non-zero direction move (conv and dense kernels).
  const moving = arrays.map((_, i) => i).filter((i) => arrays[i].shape.length >= 2);
  const base = snapshotWeights(model);
  const d = moving.map((i) => tf.tensor(delta[i], [...arrays[i].shape]));
  const e = moving.map((i) => tf.tensor(eta[i], [...arrays[i].shape]));
  const losses: number[] = [];
  const total = axis.length * axis.length;
  try {
    for (const b of axis) {
      for (const a of axis) {
        moving.forEach((i, k) => {
          const v = tf.tidy(() => tf.add(base[i], tf.add(tf.mul(d[k], a), tf.mul(e[k], b))));
          model.weights[i].write(v);
          v.dispose();
        });
        losses.push(await datasetLoss(model, batches, opts.bn));
        if (opts.onPoint && (await opts.onPoint(losses.length, total)) === false) throw new LandscapeCancelled();
      }
    }
    return { axis, losses };
  } finally {
    restoreWeights(model, base);
    tf.dispose([...d, ...e]);
  }
}

/** Milliseconds of one loss evaluation over the batches (the second of two runs: the first compiles kernels). */
export async function timeOneEvaluation(model: tf.LayersModel, batches: readonly EvalBatch[], bn: BnMode = 'batch'): Promise<number> {
  const snapshot = snapshotWeights(model);
  try {
    await datasetLoss(model, batches, bn);
    const t0 = performance.now();
    await datasetLoss(model, batches, bn);
    return performance.now() - t0;
  } finally {
    restoreWeights(model, snapshot);
  }
}
