/**
 * Training: one seeded Adam step at a time, with linear warm-up then cosine decay (the schedule the lab and
 * the degradation experiment use). Works on any backend with gradients for the model's ops (on wasm, after
 * registerWasmTrainingKernels).
 */
import * as tf from '@tensorflow/tfjs';

export interface Schedule {
  readonly learningRate: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  /** 'cosine' decays to 0 at totalSteps after warm-up; 'constant' keeps the rate. */
  readonly decay: 'cosine' | 'constant';
}

/** Learning rate at a 0-based step. */
export function learningRateAt(s: Schedule, step: number): number {
  const warm = s.warmupSteps > 0 ? Math.min(1, (step + 1) / s.warmupSteps) : 1;
  if (s.decay === 'constant' || step < s.warmupSteps) return s.learningRate * warm;
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

/** Adam has no setLearningRate in tfjs 4.22; both optimizers read the public field each step. */
function setLearningRate(opt: tf.Optimizer, lr: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * One step on a batch: x [B, H, W, C], labels int32 [B]. Only this model's trainable variables are updated
 * (two models train side by side in the race). BN layers run in training mode and update their moving stats.
 */
export function trainStep(t: Trainer, x: tf.Tensor4D, labels: tf.Tensor1D): StepResult {
  const lr = learningRateAt(t.schedule, t.step);
  setLearningRate(t.optimizer, lr);
  const vars = t.model.trainableWeights.map((w) => w.read() as tf.Variable);
  let correct: tf.Tensor | undefined;
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
  const lossValue = loss.dataSync()[0];
  const acc = correct!.dataSync()[0] / x.shape[0];
  loss.dispose();
  correct!.dispose();
  t.step += 1;
  return { step: t.step, loss: lossValue, accuracy: acc, learningRate: lr };
}

export function disposeTrainer(t: Trainer): void {
  t.optimizer.dispose();
  t.model.dispose();
}
