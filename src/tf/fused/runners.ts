/**
 * One inference runner per loaded model, made on first use: the worker asks `runnerFor(spec, model)` when it
 * classifies and calls `disposeRunner(model)` where it disposes the model. The runner holds its own copy of
 * the weights (the folded kernels), about the model's size again.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ArchSpec } from '../../core';
import { WeightsMismatchError } from '../errors';
import { createInferenceRunner, type InferenceRunner } from './runner';

/** null: this model does not fit its spec's graph (e.g. a head with other layer names), so it runs unfused. */
const runners = new WeakMap<tf.LayersModel, InferenceRunner | null>();

/** The model's runner, created on first call; undefined when the model cannot have one (then use the model). */
export function runnerFor(spec: ArchSpec, model: tf.LayersModel): InferenceRunner | undefined {
  const known = runners.get(model);
  if (known !== undefined) return known ?? undefined;
  let runner: InferenceRunner | null = null;
  try {
    runner = createInferenceRunner(spec, model);
  } catch (e) {
    if (!(e instanceof WeightsMismatchError)) throw e;
  }
  runners.set(model, runner);
  return runner ?? undefined;
}

/** Free the model's runner (call where the model itself is disposed). */
export function disposeRunner(model: tf.LayersModel): void {
  runners.get(model)?.dispose();
  runners.delete(model);
}

/** Make `runner` (made from the same weights before the model was built) the model's runner. */
export function adoptRunner(model: tf.LayersModel, runner: InferenceRunner): void {
  const known = runners.get(model);
  if (known && known !== runner) known.dispose();
  runners.set(model, runner);
}
