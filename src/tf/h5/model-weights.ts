/**
 * A tfjs model's weights ↔ Keras weight files, with Keras' two loading modes:
 * - by order (`load_weights(path)`): the i-th layer with weights in the file goes to the i-th in the model;
 * - by name (`by_name=True`): layers match by name, legacy names (res2a_branch2a …) mapped to current ones.
 * Every mismatch names the first layer and the shapes that disagree, and nothing is assigned unless all fit.
 */
import * as tf from '@tensorflow/tfjs';
import { legacyToKeras } from '../../core';
import type { KerasWeightsFile, LayerWeights, WeightArray } from './keras-h5';

export class WeightsMismatchError extends Error {
  override readonly name = 'WeightsMismatchError';
}

export type LoadMode = 'order' | 'name' | 'auto';

/** The model's weights in Keras' layout: layers in `model.layers` order, names `layer/weight:0`. */
export function modelToKerasWeights(model: tf.LayersModel): KerasWeightsFile {
  return {
    layers: model.layers.map((layer) => ({
      layer: layer.name,
      weights: layer.weights.map((v) => ({
        name: `${v.originalName}:0`,
        shape: v.shape as number[],
        data: v.read().dataSync() as Float32Array,
      })),
    })),
  };
}

/**
 * keras-applications ResNeXt stores a frozen constant `_2_gconv` 1×1 conv after each depthwise `_2_conv`; our
 * GroupConv2D does that sum itself, so those layers carry nothing to load.
 */
function isKerasGconv(entry: LayerWeights, model: tf.LayersModel): boolean {
  return entry.layer.endsWith('_2_gconv') && !model.layers.some((l) => l.name === entry.layer);
}

const fmt = (s: readonly (number | null)[]) => `[${s.join(', ')}]`;

function pairUp(model: tf.LayersModel, file: KerasWeightsFile, mode: LoadMode): [tf.layers.Layer, LayerWeights][] {
  const modelLayers = model.layers.filter((l) => l.weights.length > 0);
  const fileLayers = file.layers.filter((l) => l.weights.length > 0 && !isKerasGconv(l, model));
  const byName = new Map(modelLayers.map((l) => [l.name, l]));
  const classifier = model.layers.at(-1)?.name;
  const resolve = (name: string) => byName.get(name) ?? byName.get(legacyToKeras(name, classifier) ?? '');
  const useNames = mode === 'name' || (mode === 'auto' && fileLayers.every((l) => resolve(l.layer)));
  if (useNames) {
    const pairs: [tf.layers.Layer, LayerWeights][] = [];
    for (const entry of fileLayers) {
      const layer = resolve(entry.layer);
      if (layer) pairs.push([layer, entry]);
    }
    if (pairs.length === 0) {
      throw new WeightsMismatchError(
        `None of the file's ${fileLayers.length} layers with weights (first: ${fileLayers[0]?.layer ?? 'none'}) has a name in this model (first: ${modelLayers[0]?.name}).`,
      );
    }
    return pairs;
  }
  if (fileLayers.length !== modelLayers.length) {
    throw new WeightsMismatchError(
      `The weights file has ${fileLayers.length} layers with weights but this model has ${modelLayers.length}: it was saved from a different architecture` +
        ` (first layers: file ${fileLayers[0]?.layer ?? '—'}, model ${modelLayers[0]?.name ?? '—'}).`,
    );
  }
  // Same layers in another order (legacy Keras created the projection shortcut after the main path) would pair
  // the wrong layers, silently where shapes coincide (conv2_block1_0_conv and _3_conv are both [1, 1, 64, 256]).
  if (fileLayers.every((l) => resolve(l.layer))) {
    const at = fileLayers.findIndex((l, i) => resolve(l.layer) !== modelLayers[i]);
    if (at >= 0) {
      throw new WeightsMismatchError(
        `The weights file has this model's layers in another order (#${at}: file ${fileLayers[at].layer}, model ${modelLayers[at].name}); load it by name.`,
      );
    }
  }
  return modelLayers.map((l, i) => [l, fileLayers[i]]);
}

function checkShapes(layer: tf.layers.Layer, entry: LayerWeights): void {
  const vars = layer.weights;
  if (vars.length !== entry.weights.length) {
    throw new WeightsMismatchError(
      `Layer ${layer.name} expects ${vars.length} weights (${vars.map((v) => v.originalName.split('/').pop()).join(', ')}) but the file's layer ${entry.layer} has ${entry.weights.length}.`,
    );
  }
  vars.forEach((v, i) => {
    const w: WeightArray = entry.weights[i];
    const want = v.shape as number[];
    if (want.length !== w.shape.length || want.some((d, j) => d !== w.shape[j])) {
      throw new WeightsMismatchError(
        `Layer ${layer.name}: weight ${v.originalName.split('/').pop()} has shape ${fmt(want)} in the model but ${fmt(w.shape)} in the file (${entry.layer}/${w.name}).`,
      );
    }
  });
}

/** Assign a Keras weights file to a model. All-or-nothing: checks every layer before writing any. */
export function assignKerasWeights(model: tf.LayersModel, file: KerasWeightsFile, mode: LoadMode = 'auto'): { assigned: number } {
  const pairs = pairUp(model, file, mode);
  for (const [layer, entry] of pairs) checkShapes(layer, entry);
  for (const [layer, entry] of pairs) {
    const tensors = entry.weights.map((w) => tf.tensor(w.data, [...w.shape], 'float32'));
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  return { assigned: pairs.length };
}
