/**
 * Classification: probabilities and the top-k classes with Keras' ImageNet labels. Everything runs inside
 * tf.tidy and reads back with dataSync-free async calls, so repeated calls leave no tensors behind.
 */
import * as tf from '@tensorflow/tfjs';
import { CIFAR10_CLASSES } from '../core';
import { IMAGENET_CLASSES } from './imagenet-labels';

export interface Prediction {
  readonly index: number;
  readonly label: string;
  readonly probability: number;
}

/** Label of a class: Keras' ImageNet labels for 1000 classes, CIFAR-10's for 10, `class N` otherwise. */
export function labelOf(index: number, classes: number): string {
  if (classes === IMAGENET_CLASSES.length) return IMAGENET_CLASSES[index][1];
  if (classes === CIFAR10_CLASSES.length) return CIFAR10_CLASSES[index];
  return `class ${index}`;
}

/**
 * The k most probable classes, most probable first (ties: lower index first). `labels` are the weights' class
 * names (WeightsDescription.labels); without them a label is guessed from the class count (labelOf).
 */
export function topK(probs: ArrayLike<number>, k: number, labels?: readonly string[]): Prediction[] {
  const idx = Array.from({ length: probs.length }, (_, i) => i);
  idx.sort((a, b) => probs[b] - probs[a] || a - b);
  return idx.slice(0, Math.max(0, Math.min(k, probs.length))).map((index) => ({
    index,
    label: labels?.[index] ?? labelOf(index, probs.length),
    probability: probs[index],
  }));
}

/** Does the model end in a softmax (so its output already sums to 1)? */
export function endsInSoftmax(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  const act = last.getConfig().activation;
  return act === 'softmax';
}

/** Probabilities for a batch of one preprocessed image. */
export async function predictProbs(model: tf.LayersModel, input: tf.Tensor4D): Promise<Float32Array> {
  const probs = tf.tidy(() => {
    const out = model.predict(input) as tf.Tensor;
    return endsInSoftmax(model) ? tf.reshape(out, [-1]) : tf.reshape(tf.softmax(out), [-1]);
  });
  try {
    return (await probs.data()) as Float32Array;
  } finally {
    probs.dispose();
  }
}

export interface Classification {
  readonly top: readonly Prediction[];
  /** Milliseconds for predict + read-back (not preprocessing). */
  readonly ms: number;
}

/** Classify one preprocessed image. Does not dispose `input`. */
export async function classify(model: tf.LayersModel, input: tf.Tensor4D, k = 5, labels?: readonly string[]): Promise<Classification> {
  const t0 = performance.now();
  const probs = await predictProbs(model, input);
  return { top: topK(probs, k, labels), ms: performance.now() - t0 };
}
