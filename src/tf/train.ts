/**
 * Training: one seeded Adam step at a time, with linear warm-up then cosine decay (the schedule the lab and
 * the degradation experiment use). Works on any backend with gradients for the model's ops (on wasm, after
 * registerWasmTrainingKernels).
 */
import * as tf from '@tensorflow/tfjs';
import { expand } from '../core';
import { Prng } from '../core/datasets/prng';
import type { ImageSet } from '../core/datasets/shapes';
import { dropBatchNorm, type LabNetOptions, labSpec } from '../core/lab/variants';
import { buildModel } from './build';
import { type InitKind, reinitialize } from './init';

export interface Schedule {
  readonly learningRate: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  /**
   * 'cosine' decays to 0 at totalSteps after warm-up; 'paper' divides by 10 at 50 % and 75 % of the steps
   * (He et al. 2015 §4.2: 0.1, ÷10 at 32k and 48k of 64k iterations); 'constant' keeps the rate.
   */
  readonly decay: 'cosine' | 'paper' | 'constant';
}

/** Learning rate at a 0-based step. */
export function learningRateAt(s: Schedule, step: number): number {
  const warm = s.warmupSteps > 0 ? Math.min(1, (step + 1) / s.warmupSteps) : 1;
  if (s.decay === 'constant' || step < s.warmupSteps) return s.learningRate * warm;
  if (s.decay === 'paper') return s.learningRate * (step >= 0.75 * s.totalSteps ? 0.01 : step >= 0.5 * s.totalSteps ? 0.1 : 1);
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const t = Math.min(1, (step - s.warmupSteps) / span);
  return s.learningRate * 0.5 * (1 + Math.cos(Math.PI * t));
}

export type OptimizerKind = 'adam' | 'sgd';

export interface Trainer {
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly schedule: Schedule;
  step: number;
}

export function createTrainer(model: tf.LayersModel, schedule: Schedule, kind: OptimizerKind = 'adam'): Trainer {
  const optimizer =
    kind === 'adam' ? tf.train.adam(learningRateAt(schedule, 0)) : tf.train.momentum(learningRateAt(schedule, 0), 0.9);
  return { model, optimizer, schedule, step: 0 };
}

export interface StepResult {
  readonly step: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly learningRate: number;
}

/**
 * Adam has no setLearningRate in tfjs 4.22 and reads its public `learningRate` field each step. SGD and
 * momentum do not: they multiply by a scalar `c = -lr` made in setLearningRate, so assigning the field alone
 * left them at their first rate (the warm-up's lr / warmupSteps) for the whole run.
 */
function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.learningRate === lr) return;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** The step's loss and number of correct predictions as tensors (the caller reads and disposes them). */
function stepTensors(t: Trainer, x: tf.Tensor4D, labels: tf.Tensor1D): { loss: tf.Scalar; correct: tf.Scalar; lr: number } {
  const lr = learningRateAt(t.schedule, t.step);
  setLearningRate(t.optimizer, lr);
  const vars = t.model.trainableWeights.map((w) => w.read() as tf.Variable);
  let correct: tf.Scalar | undefined;
  const loss = t.optimizer.minimize(
    () => {
      const logits = t.model.apply(x, { training: true }) as tf.Tensor2D;
      const oneHot = tf.oneHot(labels, logits.shape[1]);
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
      return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
    },
    true,
    vars,
  )!;
  t.step += 1;
  return { loss, correct: correct!, lr };
}

/**
 * One step on a batch: x [B, H, W, C], labels int32 [B]. Only this model's trainable variables are updated
 * (two models train side by side in the race). BN layers run in training mode and update their moving stats.
 * Reads the loss synchronously: fine on cpu / wasm; on GPU backends use trainStepAsync (a synchronous
 * read-back in a worker on WebGPU returned zeros here).
 */
export function trainStep(t: Trainer, x: tf.Tensor4D, labels: tf.Tensor1D): StepResult {
  const { loss, correct, lr } = stepTensors(t, x, labels);
  try {
    return { step: t.step, loss: loss.dataSync()[0], accuracy: correct.dataSync()[0] / x.shape[0], learningRate: lr };
  } finally {
    tf.dispose([loss, correct]);
  }
}

/** trainStep with asynchronous read-back (works on every backend, including WebGPU in a worker). */
export async function trainStepAsync(t: Trainer, x: tf.Tensor4D, labels: tf.Tensor1D): Promise<StepResult> {
  const { loss, correct, lr } = stepTensors(t, x, labels);
  const step = t.step;
  try {
    const [l, c] = await Promise.all([loss.data(), correct.data()]);
    return { step, loss: l[0], accuracy: c[0] / x.shape[0], learningRate: lr };
  } finally {
    tf.dispose([loss, correct]);
  }
}

export function disposeTrainer(t: Trainer): void {
  t.optimizer.dispose();
  // MomentumOptimizer.dispose (tfjs 4.22) frees its momentum scalar but not SGD's learning-rate scalar `c`.
  (t.optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
  t.model.dispose();
}

/** Everything that determines a run; the same config and data give the same losses. */
export interface RunConfig {
  readonly net: LabNetOptions;
  readonly init: InitKind;
  readonly seed: number;
  readonly batchSize: number;
  readonly schedule: Schedule;
  readonly optimizer: OptimizerKind;
  /** Std multiplier of the classifier at init (small: start near uniform predictions). */
  readonly outputScale: number;
  /** Drop BN layers (the lab's "no BN" toggle). */
  readonly batchNorm?: boolean;
}

/** Pixel normalisation for the generated set (values in [0, 1]); exported for the lab's evaluations. */
export const PIXEL_MEAN = 0.5;
export const PIXEL_STD = 0.25;
const MEAN = PIXEL_MEAN;
const STD = PIXEL_STD;

/**
 * One network training on an in-memory image set: seeded init, seeded batch order (a fresh permutation per
 * epoch), `step()` runs one optimizer step. Owns its model and optimizer; call dispose().
 */
export class TrainingRun {
  readonly trainer: Trainer;
  private readonly rng: Prng;
  private order: Int32Array;
  private cursor = 0;
  private readonly pixels: number;
  private readonly buffer: Float32Array;

  constructor(
    readonly config: RunConfig,
    readonly data: ImageSet,
  ) {
    const size = data.size;
    const net = { ...config.net, inputSize: size, classes: data.classes.length };
    let graph = expand(labSpec(net));
    if (config.batchNorm === false) graph = dropBatchNorm(graph);
    const model = buildModel(graph);
    reinitialize(model, { init: config.init, seed: config.seed, outputScale: config.outputScale });
    this.trainer = createTrainer(model, config.schedule, config.optimizer);
    this.rng = new Prng(config.seed * 7 + 1);
    this.order = this.rng.permutation(data.count);
    this.pixels = size * size * 3;
    this.buffer = new Float32Array(config.batchSize * this.pixels);
  }

  get step(): number {
    return this.trainer.step;
  }

  private nextBatch(): { x: tf.Tensor4D; labels: tf.Tensor1D } {
    const { batchSize } = this.config;
    const labels = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      if (this.cursor >= this.order.length) {
        this.order = this.rng.permutation(this.data.count);
        this.cursor = 0;
      }
      const n = this.order[this.cursor++];
      const src = this.data.images.subarray(n * this.pixels, (n + 1) * this.pixels);
      const dst = i * this.pixels;
      for (let k = 0; k < this.pixels; k++) this.buffer[dst + k] = (src[k] - MEAN) / STD;
      labels[i] = this.data.labels[n];
    }
    const s = this.data.size;
    return { x: tf.tensor4d(this.buffer, [batchSize, s, s, 3]), labels: tf.tensor1d(labels, 'int32') };
  }

  /**
   * Mean loss and accuracy over the whole set in fixed order, no updates: the training loss the model has
   * reached, without the noise of single batches. BN uses batch statistics (as during training), so the
   * number is comparable with the step losses.
   */
  evaluate(): { loss: number; accuracy: number } {
    const { batchSize } = this.config;
    const s = this.data.size;
    let loss = 0;
    let correct = 0;
    let seen = 0;
    for (let start = 0; start + batchSize <= this.data.count; start += batchSize) {
      for (let i = 0; i < batchSize; i++) {
        const src = this.data.images.subarray((start + i) * this.pixels, (start + i + 1) * this.pixels);
        for (let k = 0; k < this.pixels; k++) this.buffer[i * this.pixels + k] = (src[k] - MEAN) / STD;
      }
      const [l, c] = tf.tidy(() => {
        const x = tf.tensor4d(this.buffer, [batchSize, s, s, 3]);
        const labels = tf.tensor1d(this.data.labels.subarray(start, start + batchSize), 'int32');
        const logits = this.trainer.model.apply(x, { training: true }) as tf.Tensor2D;
        const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits);
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
        return [ce.dataSync()[0], hits.dataSync()[0]];
      });
      loss += l * batchSize;
      correct += c;
      seen += batchSize;
    }
    return { loss: loss / seen, accuracy: correct / seen };
  }

  /** One optimizer step on the next batch. */
  next(): StepResult {
    const { x, labels } = this.nextBatch();
    try {
      return trainStep(this.trainer, x, labels);
    } finally {
      x.dispose();
      labels.dispose();
    }
  }

  /** next() with asynchronous read-back (GPU backends). */
  async nextAsync(): Promise<StepResult> {
    const { x, labels } = this.nextBatch();
    try {
      return await trainStepAsync(this.trainer, x, labels);
    } finally {
      x.dispose();
      labels.dispose();
    }
  }

  dispose(): void {
    disposeTrainer(this.trainer);
  }
}
